"""Reuse statistics pages and CSV export."""
from __future__ import annotations

__all__: list[str] = []
