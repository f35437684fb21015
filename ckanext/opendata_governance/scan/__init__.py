"""Streaming personal-data scanner for tabular files (CSV/TSV, XLSX, ODS, JSON arrays)."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

__all__ = ["ScanLimits", "ScanError", "scan_stream", "scan_path"]


@dataclasses.dataclass(frozen=True)
class ScanLimits:
    """Bounds of one scan; past max_bytes/seconds/rows/cells the report is truncated.

    A max_seconds, max_rows or max_cells of 0 or None means no such bound.
    """

    max_bytes: int = 500 * 1024 * 1024
    max_seconds: float = 120.0
    max_line_bytes: int = 1024 * 1024
    max_rows: Optional[int] = None
    max_cells: Optional[int] = None


def N_(message: str) -> str:
    """Mark a message for extraction (scripts/i18n-extract.sh) without translating it."""
    return message


class ScanError(Exception):
    """Malformed input; the message is meant for the data producer.

    Built from a message template marked with N_ and its keyword parameters:
    ``ScanError(N_("The {kind} file is encrypted: remove its password first."), kind=kind)``.
    ``str(error)`` is the English text; ``error.translated(gettext)`` the translated one.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message translated by gettext (e.g. ckan's toolkit._)."""
        return gettext(self.template).format(**self.params)

    def __reduce__(self) -> Any:
        return _rebuild, (type(self), self.template, self.params)


def _rebuild(cls: type, template: str, params: dict[str, Any]) -> "ScanError":
    return cls(template, **params)


from .scanner import scan_path, scan_stream  # noqa: E402  (needs the names above)
