"""Blueprints of the reuse tracker, gathered from each feature's module."""
from __future__ import annotations

import importlib

__all__: list[str] = []

# Each feature keeps its own module; this one gathers their public names.
for _name in (
        "ckanext.reuse_tracker.views_reuse",
        "ckanext.reuse_tracker.views_stats",
        "ckanext.reuse_tracker.views_feedback",
        "ckanext.reuse_tracker.views_datarequest",
):
    _module = importlib.import_module(_name)
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
