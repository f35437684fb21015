"""Read the tables of a Word document (DOCX) into Grids: cells spanning columns
(gridSpan) or rows (vMerge) become merged ranges, as in a spreadsheet."""
from __future__ import annotations

import zipfile
import zlib
from typing import IO, Any, Iterator, Optional
from xml.etree import ElementTree

from ckanext.opendata_governance.scan import formats as scan_formats

from . import N_, ExtractError, Grid
from .grid import Clock, build_grid
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
    """One table's merged ranges, found as its rows are read."""

    def __init__(self, number: int) -> None:
        self.name = "tableau {}".format(number)
        self.count = 0
        self.merges: list[Any] = []
        self.vertical: dict[int, list[int]] = {}  # column → the merge it goes on

    def row(self, row: ElementTree.Element, clock: Clock) -> tuple[int, list[str]]:
        self.count += 1
        number = self.count
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
        return number, values

    def rows(self, events: Iterator[tuple[str, Any]], clock: Clock,
             table: ElementTree.Element) -> Iterator[tuple[int, list[str]]]:
        """The rows up to the end of ``table``, whose start was just read; each row
        dropped from the tree once read, so memory stays flat."""
        nested = 0  # a table in a cell is read as that cell's text
        for event, element in events:
            if element.tag == _W + "tbl":
                if event == "start":
                    nested += 1
                elif nested:
                    nested -= 1
                else:
                    return
            elif event == "end" and element.tag == _W + "tr" and not nested:
                yield self.row(element, clock)
                element.clear()
                if element in table:
                    table.remove(element)


def _tables(part: IO[bytes], clock: Clock, sheets: Optional[list[str]]) -> Iterator[Grid]:
    """One grid per top-level table, its rows handed to the store as they are parsed."""
    events = ElementTree.iterparse(part, events=("start", "end"))
    count = 0
    for event, element in events:
        if event == "end" and element.tag == _W + "p":
            element.clear()  # a paragraph between tables: not data
        if event != "start" or element.tag != _W + "tbl":
            continue
        count += 1
        table = _Table(count)
        rows = table.rows(events, clock, element)
        if not sheets or table.name in sheets:
            # build_grid reads every row before it spreads the merges found meanwhile.
            yield build_grid(table.name, rows, table.merges, clock, kept=RowStore())
        else:
            for _row in rows:
                pass  # parse past the table
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
