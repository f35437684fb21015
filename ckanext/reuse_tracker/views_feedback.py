"""Feedback pages: inbox, forms."""
from __future__ import annotations

__all__: list[str] = []
