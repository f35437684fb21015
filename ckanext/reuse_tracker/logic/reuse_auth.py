"""Auth functions of the reuse actions."""
from __future__ import annotations

__all__: list[str] = []
