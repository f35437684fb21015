"""What a failed consolidation tells visitors: a reason in words, never a path nor an error's text.

The detail (paths, exception texts) goes to the server's log only. A report stores the
code of a source's failure, put into words for each reader by :func:`source_reason`.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.suite import safe_http

__all__ = ["DOWNLOAD_FAILED", "NOT_A_TABLE", "SERVER_FILE", "NothingRead", "run_error",
           "source_code", "source_reason"]

#: Codes of a source's failure, stored in the run's report.
DOWNLOAD_FAILED = "download_failed"
SERVER_FILE = "server_file"
NOT_A_TABLE = "not_a_table"


class NothingRead(Exception):
    """Not one of the sources found could be read: publishing would empty the file."""


def source_code(error: BaseException) -> str:
    """The code of what kept a source from being read."""
    if isinstance(error, safe_http.FetchError):
        return DOWNLOAD_FAILED
    if isinstance(error, OSError):
        return SERVER_FILE
    return NOT_A_TABLE


def source_reason(code: Any) -> str:
    """A source's failure in words; any other stored value (a report written before the
    codes, with an error's text) gets the general reason."""
    return {
        DOWNLOAD_FAILED: tk._("The file could not be downloaded from its address."),
        SERVER_FILE: tk._("The file could not be read on the server."),
        NOT_A_TABLE: tk._("The file could not be read as a table."),
    }.get(code, tk._("The file could not be read."))


def run_error(error: BaseException, sources: int = 0) -> str:
    """A failed run's reason in words (the error's detail is logged by the caller)."""
    if isinstance(error, NothingRead):
        return tk._("None of the {n} files found could be read: nothing was published, "
                    "the previous file stays.").format(n=sources)
    return tk._("The consolidation failed on the server: nothing was published, the "
                "previous file stays.")
