"""Auth functions of the reuse tracker, one per action, gathered from each feature's module."""
from __future__ import annotations

import importlib

__all__: list[str] = []

# Each feature keeps its own module; this one gathers their public names.
for _name in (
        "ckanext.reuse_tracker.logic.reuse_auth",
        "ckanext.reuse_tracker.logic.stats_auth",
        "ckanext.reuse_tracker.logic.feedback_auth",
        "ckanext.reuse_tracker.logic.datarequest_auth",
):
    _module = importlib.import_module(_name)
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
