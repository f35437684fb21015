"""Validators of consolidation fields."""
from __future__ import annotations

__all__: list[str] = []
