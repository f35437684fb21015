"""Territory, responsibility rule and duplicate tables."""
from __future__ import annotations

__all__: list[str] = []
