"""Template helpers for territories."""
from __future__ import annotations

__all__: list[str] = []
