"""Plugin shell for territories, partner-portal harvests and consolidation."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration, Key
from ckan.lib.plugins import DefaultTranslation

from ckanext.territorial_consolidation.logic import action
from ckanext.suite import input_guard, plugin_support, validation_compat
from ckanext.territorial_consolidation import duplicates

validation_compat.apply()


@tk.blanket.actions(input_guard.actions_of(action))
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class TerritorialConsolidationPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: CKANConfig) -> None:
        plugin_support.serve_directories(config, __file__, public=True)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        # One file per feature (territories, harvests, consolidation), so each stays readable.
        plugin_support.declare_feature_options(declaration, __file__)
        plugin_support.declare_mail_options(declaration)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return duplicates.index_mirror_flag(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return duplicates.hide_mirrors(search_params)
