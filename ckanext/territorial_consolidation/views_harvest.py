"""Harvest source report pages."""
from __future__ import annotations

__all__: list[str] = []
