"""Dates, numbers and percentages in the request's language, through Babel."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional, Union

import babel.numbers
import flask_babel

import ckan.plugins.toolkit as tk

__all__ = ["render_datetime", "suite_date", "suite_number", "suite_decimal",
           "suite_percent", "suite_month"]

Number = Union[int, float]


def _locale() -> Any:
    return flask_babel.get_locale() or tk.config["ckan.locale_default"]


def _datetime(value: Any) -> Optional[dt.datetime]:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@tk.chained_helper
def render_datetime(next_helper: Callable[..., str], datetime_: Any,
                    date_format: Optional[str] = None, with_hours: bool = False,
                    with_seconds: bool = False) -> str:
    """Core's ``h.render_datetime``, with hours in the language's own order: core writes
    every language's date and time as "December 6, 2026, 07:18 (UTC)"; this gives
    "6 décembre 2026 à 07:18" in French (in the display time zone)."""
    value = _datetime(datetime_)
    if not with_hours or with_seconds or date_format or value is None:
        return next_helper(datetime_, date_format=date_format, with_hours=with_hours,
                           with_seconds=with_seconds)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return tk._("{date} at {time}").format(date=flask_babel.format_date(value, "long"),
                                           time=flask_babel.format_time(value, "short"))


def suite_date(value: Any) -> str:
    """A day in the language's long form ("7 décembre 2026" in French) from a date or an
    ISO 8601 text (its time, if any, dropped); text that is not a date is given back."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    return flask_babel.format_date(value, "long")


def suite_number(value: Optional[Number]) -> str:
    """A whole number with the language's digit grouping ("12 345" in French)."""
    if value is None:
        return ""
    return babel.numbers.format_decimal(value, locale=_locale())


def suite_decimal(value: Optional[Number], digits: int = 1) -> str:
    """A number with at most ``digits`` decimals and the language's separator ("4,5")."""
    if value is None:
        return ""
    return babel.numbers.format_decimal(value, format="#,##0." + "#" * digits,
                                        locale=_locale())


def suite_percent(share: Optional[Number], digits: int = 0) -> str:
    """A share of 1 as a percentage, with at most ``digits`` decimals ("100 %",
    "12,3 %" in French)."""
    if share is None:
        return ""
    return babel.numbers.format_percent(round(float(share), digits + 2), locale=_locale(),
                                        decimal_quantization=False)


def suite_month(value: dt.date, short: bool = False) -> str:
    """A month of a year, "mars 2026" (or "mars" with ``short``) in French."""
    return flask_babel.format_date(value, "LLL" if short else "LLLL y")
