"""Plugin shell for dataset governance: owner services, update cadence, sign-off."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.suite import validation_compat

# Must run before any plugin's update_config, including ckanext-validation's.
validation_compat.apply()


@tk.blanket.cli
class OpendataGovernancePlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
