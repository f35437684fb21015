"""The one CSV formula guard: formulas after leading whitespace, numbers kept as data."""
from __future__ import annotations

import pytest

from ckanext.suite.csv_safe import cell, neutralise


@pytest.mark.parametrize("text", [
    "=1+1", "  =1+1", "\t=cmd", "\r=cmd", "\n=cmd", "\u00a0@SUM(A1)", "\u202f+1",
    "\u200b=1", " \u3000-2+3", "-12.5", "@x"])
def test_formula_like_text_gets_a_leading_quote(text):
    """Text a spreadsheet would run, also after spaces, tabs or no-break spaces, is quoted."""
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "plain", " a = b", "12.5", "x-1", "'=already"])
def test_plain_text_is_unchanged(text):
    """Text that does not start with a formula character stays as it is."""
    assert neutralise(text) == text


def test_numbers_stay_data_and_text_numbers_are_neutralised():
    """``-12.5`` as a number is data; the same characters as text are quoted."""
    assert (cell(-12.5), cell(-3), cell("-12.5")) == ("-12.5", "-3", "'-12.5")
    assert (cell(None), cell(True), cell(False)) == ("", "true", "false")
