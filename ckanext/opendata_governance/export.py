"""CSV export of the data inventory: Excel-friendly and safe against formula injection."""
from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterator

from ckanext.opendata_governance.dashboard import INVENTORY_COLUMNS
from ckanext.suite.csv_safe import cell

__all__ = ["BOM", "SEPARATORS", "cell", "csv_chunks"]

#: Excel opens a UTF-8 file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"
#: Values of the ``sep`` parameter; French Excel expects semicolons.
SEPARATORS = {"comma": ",", "semicolon": ";"}


def csv_chunks(first_page: list[dict[str, Any]],
               next_page: Callable[[int], list[dict[str, Any]]],
               page_size: int, delimiter: str) -> Iterator[str]:
    """The CSV text, a page of rows at a time: BOM, header, then every row.

    :param first_page: the rows of the first page, already fetched
    :param next_page: gives the rows from an offset
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(INVENTORY_COLUMNS)
    page, offset = first_page, 0
    while True:
        for row in page:
            writer.writerow([cell(row.get(column)) for column in INVENTORY_COLUMNS])
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield (BOM + chunk) if offset == 0 else chunk
        offset += len(page)
        if len(page) < page_size:
            return
        page = next_page(offset)
