"""Template helpers for reuses."""
from __future__ import annotations

__all__: list[str] = []
