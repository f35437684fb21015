"""Plugin shell for the portal's DCAT catalogue: ckanext-dcat's endpoints, public datasets only."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.suite_dcat import cli, fresh, lookups
from ckanext.suite_dcat.logic import action


@tk.blanket.actions(action)
@tk.blanket.cli([cli.suite_dcat])
@tk.blanket.config_declarations
class SuiteDcatPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        fresh.note(pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        fresh.note(pkg_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        lookups.remember_search(search_results.get("results") or [])
        return search_results
