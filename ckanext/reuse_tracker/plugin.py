"""Plugin shell for reuse submissions, feedback and data requests."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration, Key
from ckan.lib.plugins import DefaultTranslation
from ckan.types import CKANApp

from ckanext.reuse_tracker import cli, helpers, views
from ckanext.reuse_tracker.logic import action, auth, validators
from ckanext.suite import input_guard, plugin_support, proxy_fix, validation_compat

validation_compat.apply()


@tk.blanket.actions(input_guard.guard_actions(action.get_actions))
@tk.blanket.auth_functions(auth.get_auth_functions)
@tk.blanket.validators(validators.get_validators)
@tk.blanket.helpers(helpers.get_helpers)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
class ReuseTrackerPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IMiddleware, inherit=True)

    def update_config(self, config: CKANConfig) -> None:
        plugin_support.serve_directories(config, __file__, public=True)

    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        plugin_support.declare_plugin_options(declaration, __file__)
        plugin_support.declare_suite_options(declaration)

    def make_middleware(self, app: CKANApp, config: CKANConfig) -> CKANApp:
        return proxy_fix.apply(app)
