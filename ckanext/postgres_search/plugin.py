"""Plugin shell for the PostgreSQL search backend."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.cli import search_index as core_search_index
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from ckanext.postgres_search import backend, cli
from ckanext.suite import validation_compat

validation_compat.apply()


@tk.blanket.actions
@tk.blanket.config_declarations
class PostgresSearchPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config: CKANConfig) -> None:
        # Core checks the Solr schema right after the plugins' update_config,
        # so the backend has to be in place by then.
        backend.install()
        # Core's ``search-index rebuild-fast`` becomes this backend's resumable one.
        cli.replace_core_command(core_search_index.search_index)
