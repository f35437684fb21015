"""Auth functions of the statistics and link health actions."""
from __future__ import annotations

__all__: list[str] = []
