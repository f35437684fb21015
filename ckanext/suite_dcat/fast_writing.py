"""ckanext-dcat's profiles as the catalogue's fragments use them: the same classes, with
one helper given a fast path that writes the same triple.

``_add_date_triple`` parses every date that is not a bare year, month or day with
dateutil, a sixth of a fragment's time; the dates a dataset carries (``metadata_created``,
``metadata_modified``...) are ISO date-times without a time zone, which the standard
library reads in a fraction of that time into the same datetime. Anything else takes
ckanext-dcat's own path."""
from __future__ import annotations

import datetime
import re
from typing import Any

from rdflib import Literal
from rdflib.namespace import XSD

__all__ = ["faster"]

#: An ISO date-time without time zone, with no fraction of a second or a six-digit one:
#: what ``datetime.fromisoformat`` and dateutil both read to the same naive datetime.
_PLAIN_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?")


class _FastDates:
    """Put before a ckanext-dcat profile class among the bases."""

    def _add_date_triple(self, subject: Any, predicate: Any, value: Any,
                         _type: Any = Literal) -> None:
        if isinstance(value, str) and _PLAIN_DATETIME.fullmatch(value):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:  # a month 13...: ckanext-dcat's way decides
                pass
            else:
                self.g.add((subject, predicate,  # type: ignore[attr-defined]
                            _type(moment.isoformat(), datatype=XSD.dateTime)))
                return
        super()._add_date_triple(subject, predicate, value, _type)  # type: ignore[misc]


_MADE: dict[type, type] = {}


def faster(profile_class: type) -> type:
    """``profile_class`` with the fast path (made once per class)."""
    if profile_class not in _MADE:
        _MADE[profile_class] = type(profile_class.__name__, (_FastDates, profile_class),
                                    {"__module__": profile_class.__module__})
    return _MADE[profile_class]
