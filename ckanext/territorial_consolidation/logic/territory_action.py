"""Territory, responsibility rule and duplicate actions."""
from __future__ import annotations

__all__: list[str] = []
