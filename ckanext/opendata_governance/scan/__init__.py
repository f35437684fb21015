"""Streaming personal-data scanner for tabular files (CSV/TSV, XLSX, ODS, JSON arrays)."""
from __future__ import annotations

import dataclasses
from typing import Optional

from ckanext.suite import file_limits
from ckanext.suite.file_limits import N_, FileError, LimitExceeded

__all__ = ["ScanLimits", "ScanError", "ScanLimitError", "N_", "scan_stream", "scan_path"]


@dataclasses.dataclass(frozen=True)
class ScanLimits:
    """Bounds of one scan; past max_bytes/seconds/rows/cells the report is truncated,
    past max_depth/columns/cell_bytes the file is refused.

    A max_seconds, max_rows or max_cells of 0 or None means no such bound.
    """

    max_bytes: int = 500 * 1024 * 1024
    max_seconds: float = 120.0
    max_line_bytes: int = 1024 * 1024
    max_rows: Optional[int] = None
    max_cells: Optional[int] = None
    # Past these the file is not scanned at all (ScanLimitError): reading on would
    # let one file take the process's memory.
    max_depth: int = file_limits.MAX_DEPTH
    max_columns: int = file_limits.MAX_COLUMNS
    max_cell_bytes: int = file_limits.MAX_CELL_BYTES


class ScanError(FileError):
    """Malformed input; the message is meant for the data producer.

    Built from a message template marked with N_ and its keyword parameters:
    ``ScanError(N_("The {kind} file is encrypted: remove its password first."), kind=kind)``.
    ``str(error)`` is the English text; ``error.translated(gettext)`` the translated one.
    A file past one of the reading limits raises ScanLimitError, a ScanError too.
    """


class ScanLimitError(ScanError, LimitExceeded):
    """The file goes past a reading limit (depth, width, cell size, expansion): not scanned."""


from .scanner import scan_path, scan_stream  # noqa: E402  (needs the names above)
