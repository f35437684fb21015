"""ckanext-xloader's error messages (English, technical) told in plain words."""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance.datastore import N_

__all__ = ["explain", "raw_message"]

_Explainer = Callable[["re.Match[str]"], str]


def _too_large(match: re.Match[str]) -> str:
    return tk._("The file is too large to be loaded into the DataStore ({size}; the "
                "portal loads files up to {limit}).").format(
        size=tk.h.localised_filesize(int(match.group(1))),
        limit=tk.h.localised_filesize(int(match.group(2))))


def _http_status(match: re.Match[str]) -> str:
    code = match.group(1)
    if code == "None":
        return tk._("The file could not be downloaded: its server could not be reached.")
    if code == "404" or code == "410":
        return tk._("The file could not be downloaded: there is no file at its address "
                    "(HTTP error {code}).").format(code=code)
    if code in ("401", "403"):
        return tk._("The file could not be downloaded: its server refused access "
                    "(HTTP error {code}).").format(code=code)
    return tk._("The file could not be downloaded: its server answered with an error "
                "(HTTP error {code}).").format(code=code)


def _fixed(message: str) -> _Explainer:
    return lambda match: tk._(message)


# Most specific first: the loader wraps some errors in others ("Loading file raised an
# error: ..."), so a message can match several lines.
_PATTERNS: list[tuple[str, _Explainer]] = [
    (r"Data too large to load into Datastore: (\d+) bytes > max (\d+) bytes", _too_large),
    (r"status=(\w+) url=", _http_status),
    (r"bad HTTP response",
     _fixed(N_("The file could not be downloaded: its server answered with an error."))),
    (r"Connection timed out|Read timed out|timed out after \d+s.*download",
     _fixed(N_("The file could not be downloaded: its server did not answer in time."))),
    (r"Only http, https, and ftp resources may be fetched",
     _fixed(N_("Only files at an http, https or ftp address can be loaded."))),
    (r"Job timed out after",
     _fixed(N_("Loading took too long and was stopped."))),
    (r"at most 1600 columns|too many columns",
     _fixed(N_("The file has too many columns to be loaded (PostgreSQL accepts at most "
               "1,600)."))),
    (r"more values than the \d+ column|extra data after last expected column"
     r"|missing data for column",
     _fixed(N_("Some rows do not have as many values as the header has columns: check the "
               "separators and the quotes around values containing them."))),
    (r"codec can't decode|invalid byte sequence|character with byte sequence"
     r"|[Ee]ncoding|UnicodeDecodeError",
     _fixed(N_("The file's characters could not be read: save it in UTF-8 and upload it "
               "again."))),
    (r"could not be read as a table|Loading file raised an error|doesn't have a sheet"
     r"|[Ff]ormat .*not supported|zip|BadZipFile",
     _fixed(N_("The file could not be read as a table: it may not really be in the format "
               "its name suggests, or it may be empty or damaged."))),
    # xloader finds no output file when the file had no row to copy.
    (r"No entries found - nothing to load|No such file or directory: '/tmp/output_",
     _fixed(N_("The file contains no rows to load."))),
    (r"Error with field definition|not a valid field name",
     _fixed(N_("A column name of the header cannot be used in the DataStore: check that "
               "every column has a short name, different from the others."))),
    (r"invalid input syntax|out of range|Validation error writing rows",
     _fixed(N_("A value of the file could not be stored in its column: check that each "
               "column holds one kind of value."))),
]
_COMPILED = [(re.compile(pattern), explainer) for pattern, explainer in _PATTERNS]


def raw_message(error: Any) -> Optional[str]:
    """The technical message of a load error as xloader_status gives it (a dict with a
    ``message``, or a plain string), or None when the load did not fail."""
    if isinstance(error, dict):
        error = error.get("message")
    if not error:
        return None
    return str(error)


def explain(raw: Optional[str]) -> Optional[str]:
    """A plain, translated sentence for xloader's technical message, or a general one
    when the message is not a known kind (the technical text is for sysadmins)."""
    if not raw:
        return None
    for pattern, explainer in _COMPILED:
        match = pattern.search(raw)
        if match:
            return explainer(match)
    return tk._("The file could not be loaded into the DataStore.")

