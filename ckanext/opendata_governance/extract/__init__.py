"""Table extraction from closed documents (PDF, XLSX, ODS, XLS, DOCX, ODT) into open CSV."""
from __future__ import annotations

import dataclasses
from collections.abc import MutableMapping, Sequence
from typing import Optional

from ckanext.suite.file_limits import N_, FileError, LimitExceeded

__all__ = ["N_", "ExtractError", "ExtractLimitError", "ChoiceError", "ExtractLimits", "Table", "Grid",
           "extract_path", "preview_path", "FORMATS"]


class ExtractError(FileError):
    """A document the extractor refuses; the message is meant for the data producer."""


class ExtractLimitError(ExtractError, LimitExceeded):
    """The document goes past a reading limit (pages, rows, seconds): nothing is extracted."""


class ChoiceError(ExtractError):
    """The tables chosen cannot be extracted together (unknown numbers, other columns)."""


@dataclasses.dataclass(frozen=True)
class ExtractLimits:
    """Bounds of one extraction: past any of them the document is refused whole."""

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 500
    # Excel's own limit; a sheet of a million blank formatted rows is read, not kept.
    max_rows: int = 1048576
    max_cells: int = 5_000_000
    max_seconds: float = 120.0


@dataclasses.dataclass
class Grid:
    """The non-blank rows of one sheet or page, merged cells already spread.

    ``rows`` maps a row number to its cells; ``text_rows`` are rows that held a
    single value before merged cells were spread (titles, notes);
    ``merged_rows`` rows where a value spans several columns (group headers).
    """

    location: str
    rows: MutableMapping[int, list[str]]
    text_rows: set[int] = dataclasses.field(default_factory=set)
    merged_rows: set[int] = dataclasses.field(default_factory=set)
    page: Optional[int] = None


@dataclasses.dataclass
class Table:
    """One table found: where, its header, its rows and how sure the finder is."""

    location: str
    header: list[str]
    # A list, or rows read lazily from a sheet's store (extract.store).
    rows: Sequence[list[str]]
    confidence: float
    pages: list[int] = dataclasses.field(default_factory=list)

    def as_preview(self, first: int = 5) -> dict:
        return {"location": self.location, "header": self.header,
                "first_rows": self.rows[:first], "row_count": len(self.rows),
                "confidence": round(self.confidence, 2), "pages": self.pages}


FORMATS = ("xlsx", "ods", "xls", "pdf", "docx", "odt")

from .pipeline import extract_path, preview_path  # noqa: E402  (needs the names above)
