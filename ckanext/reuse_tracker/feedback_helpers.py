"""Template helpers for feedback."""
from __future__ import annotations

__all__: list[str] = []
