"""Plugin shell for reuse submissions, feedback and data requests."""
from __future__ import annotations

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation

from ckanext.suite import validation_compat

validation_compat.apply()


class ReuseTrackerPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
