"""Auth functions of the feedback actions."""
from __future__ import annotations

__all__: list[str] = []
