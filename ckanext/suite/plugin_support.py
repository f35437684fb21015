"""What every suite plugin's shell does alike: the shared templates, per-feature option files."""
from __future__ import annotations

import pathlib

import yaml

import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.config.declaration import Declaration

__all__ = ["add_suite_templates", "declare_feature_options"]


def add_suite_templates(config: CKANConfig) -> None:
    """Serve ``ckanext/suite/templates`` (snippets shared by the plugins, e.g. the pager).

    Called from here, the path is the same for every plugin, so CKAN lists it once.
    """
    tk.add_template_directory(config, "templates")


def declare_feature_options(declaration: Declaration, plugin_file: str) -> None:
    """Load the plugin's options from one YAML file per feature under its ``config/``."""
    for path in sorted((pathlib.Path(plugin_file).parent / "config").glob("*.yaml")):
        declaration.load_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
