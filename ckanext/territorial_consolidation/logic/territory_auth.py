"""Auth functions of the territory actions."""
from __future__ import annotations

__all__: list[str] = []
