"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection")."""
from __future__ import annotations

import decimal
from typing import Any

__all__ = ["FORMULA_START", "neutralise", "cell"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Spreadsheets skip these before a formula too: Python's whitespace (which includes
#: no-break spaces) and the zero-width characters ``str.lstrip`` keeps.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def neutralise(text: str) -> str:
    """The text with a leading quote when a spreadsheet would run it as a formula, also
    after leading spaces, tabs, line breaks or no-break spaces (``"  =1+1"``)."""
    if not text:
        return text
    if text.startswith(FORMULA_START) or \
            text.lstrip().lstrip(_INVISIBLE).lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


def cell(value: Any) -> str:
    """One CSV cell: numbers stay data (``-12.5``), booleans ``true``/``false``, text
    is neutralised, ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    return neutralise(str(value))
