"""Template helpers for harvested datasets."""
from __future__ import annotations

__all__: list[str] = []
