"""The DataStore's single-statement check, remembered per SQL text.

Core's ``datastore_search`` checks that the SQL it generates is one statement
(``ckanext.datastore.helpers.is_single_statement``, ``sqlparse.split``) twice per
call: the query and its count. On a 16-column table the two parses took about half
of a call that finds one row (cProfile, bench/datastore.py's query). The check is a pure function of
the text, and the text of a search depends on its shape only (fields, filter names,
sort, limit, offset; the filter values are bind parameters), so the answers for the
last texts are kept: a new text is still parsed, and no text skips the check.
"""
from __future__ import annotations

import functools
from typing import Callable

__all__ = ["MAX_TEXTS", "MAX_LENGTH", "install"]

#: Distinct SQL texts whose answers are kept (a search's texts are a few hundred
#: characters; datastore_search_sql's are the user's).
MAX_TEXTS = 512
#: Longer texts are parsed every time, so that the kept texts stay small.
MAX_LENGTH = 8192


def _remembering(check: Callable[[str], bool]) -> Callable[[str], bool]:
    remembered = functools.lru_cache(maxsize=MAX_TEXTS)(check)

    @functools.wraps(check)
    def is_single_statement(sql: str) -> bool:
        if isinstance(sql, str) and len(sql) <= MAX_LENGTH:
            return remembered(sql)
        return check(sql)

    is_single_statement.remembered = remembered  # type: ignore[attr-defined]
    is_single_statement.original = check  # type: ignore[attr-defined]
    return is_single_statement


def install() -> None:
    """Put the remembering check where the DataStore's backend calls it (once)."""
    from ckanext.datastore import helpers
    from ckanext.datastore.backend import postgres

    current = getattr(helpers, "is_single_statement", None)
    if current is None or hasattr(current, "remembered"):
        return
    check = _remembering(current)
    helpers.is_single_statement = check
    # The backend keeps its own reference for datastore_search_sql's check.
    if getattr(postgres, "is_single_statement", None) is check.original:
        postgres.is_single_statement = check
