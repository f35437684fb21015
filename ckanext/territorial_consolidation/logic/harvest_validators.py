"""Validators of harvest source configuration."""
from __future__ import annotations

__all__: list[str] = []
