"""Plugin shell for reuse submissions, feedback and data requests."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration, Key
from ckan.lib.plugins import DefaultTranslation

from ckanext.reuse_tracker.logic import action
from ckanext.suite import input_guard, plugin_support, validation_compat

validation_compat.apply()


@tk.blanket.actions(input_guard.actions_of(action))
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.cli
class ReuseTrackerPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    def update_config(self, config: CKANConfig) -> None:
        plugin_support.serve_directories(config, __file__, public=True)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        # One file per feature (reuses, link health, feedback...), so each stays readable.
        plugin_support.declare_feature_options(declaration, __file__)
        plugin_support.declare_mail_options(declaration)
