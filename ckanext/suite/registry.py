"""How a plugin names what it registers: each feature module lists its public names in
``__all__``, and the plugin's ``logic/action.py``, ``auth.py``, ``views.py``... import those
modules by name and hand them here, so a reader follows any action to its module."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import click

__all__ = ["public_members", "add_commands"]


def public_members(*modules: ModuleType) -> dict[str, Any]:
    """Each module's ``__all__`` names and values, in one mapping (the form CKAN's
    ``tk.blanket`` decorators take). Two modules may not define the same name: one
    feature would silently replace the other's action."""
    members: dict[str, Any] = {}
    for module in modules:
        for name in module.__all__:
            if name in members:
                raise RuntimeError(f"{name} is registered by two modules, the second "
                                   f"being {module.__name__}")
            members[name] = getattr(module, name)
    return members


def add_commands(group: click.Group, *modules: ModuleType) -> click.Group:
    """``group`` with the click commands of each module's ``COMMANDS`` list added."""
    for module in modules:
        for command in module.COMMANDS:
            group.add_command(command)
    return group
