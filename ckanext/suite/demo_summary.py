"""What a demo loader tells at the end: the objects it created and those already there."""
from __future__ import annotations

__all__ = ["DemoSummary"]


class DemoSummary:
    """Names of the demo objects a run created and of those it found already there, by
    kind; a plugin's summary names its kinds, in the order its lines give them."""

    kinds: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.created: dict[str, list[str]] = {kind: [] for kind in self.kinds}
        self.kept: dict[str, list[str]] = {kind: [] for kind in self.kinds}

    def record(self, kind: str, name: str, created: bool) -> None:
        (self.created if created else self.kept)[kind].append(name)

    def lines(self) -> list[str]:
        """One line per kind of object: how many were created and kept."""
        return [f"{kind.capitalize()}: {len(self.created[kind])} created, "
                f"{len(self.kept[kind])} kept" for kind in self.kinds]
