"""Auth functions of the harvest actions."""
from __future__ import annotations

__all__: list[str] = []
