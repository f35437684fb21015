"""Auth functions of territorial consolidation, one per action, gathered from each feature's module."""
from __future__ import annotations

import importlib

__all__: list[str] = []

# Each feature keeps its own module; this one gathers their public names.
for _name in (
        "ckanext.territorial_consolidation.logic.territory_auth",
        "ckanext.territorial_consolidation.logic.harvest_auth",
        "ckanext.territorial_consolidation.logic.consolidation_auth",
):
    _module = importlib.import_module(_name)
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
