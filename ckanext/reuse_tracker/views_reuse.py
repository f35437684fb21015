"""Reuse pages: gallery, reuse page, forms, moderation queue."""
from __future__ import annotations

__all__: list[str] = []
