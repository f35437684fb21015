"""Reuse actions: create, update, delete, show, list, moderate."""
from __future__ import annotations

__all__: list[str] = []
