"""Read the tables of a Word document (DOCX) into Grids: cells spanning columns
(gridSpan) or rows (vMerge) become merged ranges, as in a spreadsheet."""
from __future__ import annotations

import zipfile
import zlib
from typing import IO, Any, Iterator, Optional
from xml.etree import ElementTree

from ckanext.opendata_governance.scan import formats as scan_formats

from . import N_, ExtractError, Grid
from .grid import Clock, Merge, build_grid
from .store import RowStore

__all__ = ["read_docx"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCUMENT = "word/document.xml"
# More grid columns than this in one cell is not a table laid out for print.
_MAX_SPAN = 1024


def _number(element: Optional[ElementTree.Element], tag: str) -> int:
    found = element.find(_W + tag) if element is not None else None
    try:
        return max(0, min(_MAX_SPAN, int(found.get(_W + "val", "1")))) if found is not None \
            else 0
    except ValueError:
        return 1


def _text(cell: ElementTree.Element) -> str:
    """A cell's paragraphs, one line each (tabs and breaks inside one as blanks)."""
    lines = []
    for paragraph in cell.iter(_W + "p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == _W + "t":
                parts.append(node.text or "")
            elif node.tag in (_W + "tab", _W + "br"):
                parts.append(" ")
        lines.append("".join(parts))
    return "\n".join(line for line in lines if line.strip())


class _Table:
    """The rows and merged ranges of one table as its rows are read."""

    def __init__(self, number: int) -> None:
        self.name = "tableau {}".format(number)
        self.rows: list[tuple[int, list[str]]] = []
        self.merges: list[Any] = []
        self.vertical: dict[int, list[int]] = {}  # column → the merge it goes on

    def add_row(self, row: ElementTree.Element, clock: Clock) -> None:
        number = len(self.rows) + 1
        col = 1 + _number(row.find(_W + "trPr"), "gridBefore")
        values = [""] * (col - 1)
        for cell in row.findall(_W + "tc"):
            props = cell.find(_W + "tcPr")
            span = max(1, _number(props, "gridSpan"))
            merge = props.find(_W + "vMerge") if props is not None else None
            text = _text(cell)
            if merge is not None and merge.get(_W + "val") != "restart":
                if col in self.vertical:
                    self.vertical[col][2] = number  # the merge goes on down
                text = ""
            elif merge is not None:
                self.vertical[col] = [number, col, number, col + span - 1]
                self.merges.append(self.vertical[col])
            else:
                self.vertical.pop(col, None)
                if span > 1 and text:
                    self.merges.append((number, col, number, col + span - 1))
            scan_formats.file_limits.check_width(col + span)
            values.append(text)
            values.extend([""] * (span - 1))
            col += span
        clock.tick(sum(1 for value in values if value))
        self.rows.append((number, values))

    def grid(self, clock: Clock) -> Grid:
        merges: list[Merge] = [tuple(merge) for merge in self.merges]  # type: ignore[misc]
        return build_grid(self.name, self.rows, merges, clock, kept=RowStore())


def _tables(part: IO[bytes], clock: Clock, sheets: Optional[list[str]]) -> Iterator[Grid]:
    depth = 0
    count = 0
    table: Optional[_Table] = None
    for event, element in ElementTree.iterparse(part, events=("start", "end")):
        if element.tag == _W + "tbl":
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                count += 1
                table = _Table(count)
            elif event == "end" and depth == 0 and table is not None:
                element.clear()
                if not sheets or table.name in sheets:
                    yield table.grid(clock)
                table = None
        elif event == "end" and element.tag == _W + "tr" and depth == 1 and table:
            table.add_row(element, clock)
            element.clear()


def read_docx(path: str, clock: Clock, sheets: Optional[list[str]] = None) -> Iterator[Grid]:
    """Every table (or those named "tableau N") of a DOCX file, parsing its document part
    incrementally after the suite's zip checks (bombs, DTDs). A table inside a table's
    cell is read as that cell's text."""
    archive = scan_formats._open_zip(path, "DOCX")
    try:
        if _DOCUMENT not in archive.namelist():
            raise ExtractError(N_("The DOCX file is damaged: it has no {part}."),
                               part=_DOCUMENT)
        with archive.open(_DOCUMENT) as part:
            yield from _tables(part, clock, sheets)
    except ElementTree.ParseError as exc:
        raise ExtractError(N_("The DOCX file is damaged: {part} is not valid XML "
                              "({error})."), part=_DOCUMENT, error=str(exc))
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise ExtractError(N_("The DOCX file is damaged or truncated ({error})."),
                           error=str(exc))
    finally:
        archive.close()
