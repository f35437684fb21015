"""Plugin shell for territories, partner-portal harvesting and consolidation."""
from __future__ import annotations

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation

from ckanext.suite import validation_compat

validation_compat.apply()


class TerritorialConsolidationPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
