"""Auth functions of the consolidation actions."""
from __future__ import annotations

__all__: list[str] = []
