"""Template helpers for reuse statistics."""
from __future__ import annotations

__all__: list[str] = []
