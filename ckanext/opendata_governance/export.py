"""CSV export of the data inventory: Excel-friendly and safe against formula injection; with
``labelled``, headers and coded values in the reader's language instead of codes."""
from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterator

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import frequencies, freshness
from ckanext.opendata_governance.dashboard import INVENTORY_COLUMNS
from ckanext.suite import licences
from ckanext.suite.csv_safe import cell

__all__ = ["BOM", "SEPARATORS", "cell", "csv_chunks", "header_labels", "labelled_value"]

#: Excel opens a UTF-8 file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"
#: Values of the ``sep`` parameter; French Excel expects semicolons.
SEPARATORS = {"comma": ",", "semicolon": ";"}


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where the file is written."""
    return message


#: The inventory's columns as a reader names them.
_HEADERS = {
    "id": N_("Identifier"), "name": N_("Name in the address"), "title": N_("Title"),
    "organization": N_("Organization (name)"), "organization_title": N_("Organization"),
    "owner_service": N_("Owner service (name)"), "owner_service_title": N_("Owner service"),
    "private": N_("Private"), "update_frequency": N_("Update frequency"),
    "last_data_update": N_("Last data update"), "next_update_due": N_("Next update due"),
    "update_status": N_("Update status"), "contains_personal_data": N_("Personal data"),
    "license_id": N_("Licence"), "last_review_state": N_("Last sign-off"),
    "last_review_decided": N_("Sign-off decided on"),
    "last_review_decided_by": N_("Sign-off decided by"),
    "num_resources": N_("Resources"), "metadata_modified": N_("Metadata modified"),
    "planned_state": N_("Planning"), "planned_target_date": N_("Plan target date"),
    "planned_late": N_("Plan late"),
}
_REVIEW_STATES = {"submitted": N_("Pending"), "approved": N_("Approved"),
                  "rejected": N_("Rejected"), "withdrawn": N_("Withdrawn")}
_PLANNED_STATES = {"planned": N_("planned"), "in_progress": N_("in progress"),
                   "published": N_("published"), "dropped": N_("dropped")}
_YES_NO = ("private", "planned_late")


def header_labels() -> list[str]:
    """The inventory's column headers in the reader's language."""
    return [tk._(_HEADERS[column]) for column in INVENTORY_COLUMNS]


def _yes_no(value: Any) -> str:
    if value in (None, ""):
        return ""
    return tk._("Yes") if value in (True, "true", "True") else tk._("No")


def labelled_value(column: str, value: Any, lang: str) -> Any:
    """A coded value in words: statuses, states, frequencies, licences, yes or no."""
    if value in (None, ""):
        return value
    if column in _YES_NO or column == "contains_personal_data":
        return _yes_no(value)
    if column == "update_status":
        return freshness.status_label(value)
    if column == "last_review_state":
        return tk._(_REVIEW_STATES[value]) if value in _REVIEW_STATES else value
    if column == "planned_state":
        return tk._(_PLANNED_STATES[value]) if value in _PLANNED_STATES else value
    if column == "update_frequency":
        frequency = frequencies.get(value)
        return frequency.label(lang) if frequency else value
    if column == "license_id":
        return licences.title(value, lang) or value
    return value


def csv_chunks(first_page: list[dict[str, Any]],
               next_page: Callable[[int], list[dict[str, Any]]],
               page_size: int, delimiter: str, labelled: bool = False,
               lang: str = "fr") -> Iterator[str]:
    """The CSV text, a page of rows at a time: BOM, header, then every row.

    :param first_page: the rows of the first page, already fetched
    :param next_page: gives the rows from an offset
    :param labelled: headers and coded values in the reader's language (``lang``)
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header_labels() if labelled else INVENTORY_COLUMNS)
    page, offset = first_page, 0
    while True:
        for row in page:
            writer.writerow([cell(labelled_value(column, row.get(column), lang)
                                  if labelled else row.get(column))
                             for column in INVENTORY_COLUMNS])
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield (BOM + chunk) if offset == 0 else chunk
        offset += len(page)
        if len(page) < page_size:
            return
        page = next_page(offset)
