"""Template helpers of the reuse tracker: each feature's module, named here."""
from __future__ import annotations

from typing import Any

from ckanext.reuse_tracker import (
    datarequest_helpers, feedback_helpers, reuse_helpers, stats_helpers)
from ckanext.suite import formats
from ckanext.suite.registry import public_members

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    # formats: dates and numbers in the page's language, shared by the suite's plugins.
    return public_members(reuse_helpers, stats_helpers, feedback_helpers, datarequest_helpers,
                          formats)
