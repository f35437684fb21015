"""What every suite plugin's shell does alike: served directories, per-feature option files."""
from __future__ import annotations

import copy
import functools
import pathlib
from typing import Any

import yaml

from ckan.common import CKANConfig
from ckan.config.declaration import Declaration

__all__ = ["serve_directories", "declare_feature_options", "declare_plugin_options",
           "declare_mail_options"]

_SUITE_TEMPLATES = pathlib.Path(__file__).parent / "templates"


def _prepend(config: CKANConfig, key: str, path: pathlib.Path) -> None:
    # As the toolkit's add_template_directory does, without its inspect.stack(): that
    # reads the source of every frame, a twentieth of a second per call, and CKAN
    # reloads the plugins (so calls this) several times per test.
    value = str(path)
    paths = config.get(key) or []
    if value not in paths:
        config[key] = [value] + list(paths)


def serve_directories(config: CKANConfig, plugin_file: str, public: bool = False) -> None:
    """Serve the plugin's ``templates`` (and ``public``) folder, then the templates shared
    by every suite plugin (``ckanext/suite/templates``: snippets such as the pager), the
    same for every plugin, so CKAN lists it once."""
    folder = pathlib.Path(plugin_file).parent
    _prepend(config, "plugin_template_paths", folder / "templates")
    if public:
        _prepend(config, "plugin_public_paths", folder / "public")
    _prepend(config, "plugin_template_paths", _SUITE_TEMPLATES)


@functools.lru_cache(maxsize=None)
def _options(path: pathlib.Path) -> dict[str, Any]:
    # Parsed once per process: plugins declare their options at every reload.
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def declare_feature_options(declaration: Declaration, plugin_file: str) -> None:
    """Load the plugin's options from one YAML file per feature under its ``config/``."""
    for path in sorted((pathlib.Path(plugin_file).parent / "config").glob("*.yaml")):
        declaration.load_dict(copy.deepcopy(_options(path)))


def declare_plugin_options(declaration: Declaration, plugin_file: str) -> None:
    """Load the plugin's ``config_declaration.yaml``, as CKAN's blanket does."""
    path = pathlib.Path(plugin_file).parent / "config_declaration.yaml"
    declaration.load_dict(copy.deepcopy(_options(path)))


_MAIL_OPTIONS = pathlib.Path(__file__).parent / "config" / "mail.yaml"


def declare_mail_options(declaration: Declaration) -> None:
    """Declare the mail outbox's options (``ckanext/suite/config/mail.yaml``) once, whichever
    of the plugins that send mail are loaded."""
    data = copy.deepcopy(_options(_MAIL_OPTIONS))
    keys = [option["key"] for group in data["groups"] for option in group["options"]]
    if not any(key in declaration for key in keys):
        declaration.load_dict(data)
