"""What every suite plugin's shell does alike: served directories, declared options."""
from __future__ import annotations

import copy
import functools
import pathlib
from typing import Any

import yaml

from ckan.common import CKANConfig
from ckan.config.declaration import Declaration

__all__ = ["serve_directories", "declare_plugin_options", "declare_suite_options"]

_SUITE_TEMPLATES = pathlib.Path(__file__).parent / "templates"
_SUITE_CONFIG = pathlib.Path(__file__).parent / "config_declaration.yaml"


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


def declare_plugin_options(declaration: Declaration, plugin_file: str) -> None:
    """Load the plugin's ``config_declaration.yaml``, as CKAN's blanket does."""
    path = pathlib.Path(plugin_file).parent / "config_declaration.yaml"
    declaration.load_dict(copy.deepcopy(_options(path)))


def declare_suite_options(declaration: Declaration) -> None:
    """Declare the options of ``ckanext/suite/config_declaration.yaml`` (such as the
    proxy fix) that no other loaded suite plugin declared yet: every plugin applying
    them declares them, CKAN refuses a key declared twice."""
    data = copy.deepcopy(_options(_SUITE_CONFIG))
    for group in data.get("groups", []):
        group["options"] = [option for option in group.get("options", [])
                            if option["key"] not in declaration]
    data["groups"] = [group for group in data.get("groups", []) if group["options"]]
    if data["groups"]:
        declaration.load_dict(data)
