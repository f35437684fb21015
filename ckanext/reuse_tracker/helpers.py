"""Template helpers of the reuse tracker, gathered from each feature's module."""
from __future__ import annotations

import importlib

__all__: list[str] = []

# Each feature keeps its own module; this one gathers their public names.
for _name in (
        "ckanext.reuse_tracker.reuse_helpers",
        "ckanext.reuse_tracker.stats_helpers",
        "ckanext.reuse_tracker.feedback_helpers",
        "ckanext.reuse_tracker.datarequest_helpers",
        # Dates and numbers in the page's language, shared by the suite's plugins.
        "ckanext.suite.formats",
):
    _module = importlib.import_module(_name)
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += _module.__all__
