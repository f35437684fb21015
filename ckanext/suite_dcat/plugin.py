"""Plugin shell for the portal's DCAT catalogue: ckanext-dcat's endpoints, public datasets only."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.suite_dcat.logic import action


@tk.blanket.actions(action)
class SuiteDcatPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
