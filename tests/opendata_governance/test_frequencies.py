"""The EU frequency authority list as parsed from the shipped RDF file."""
from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from dateutil.relativedelta import relativedelta

from ckanext.opendata_governance import frequencies

SHIPPED = pathlib.Path(frequencies.__file__).parent / "data" / "eu-frequency-skos.rdf"

EXPECTED_PERIODS = {
    "CONT": relativedelta(days=1),
    "UPDATE_CONT": relativedelta(days=1),
    "HOURLY": relativedelta(days=1),
    "BIHOURLY": relativedelta(days=1),
    "TRIHOURLY": relativedelta(days=1),
    "DAILY_2": relativedelta(days=1),
    "DAILY": relativedelta(days=1),
    "WEEKLY_3": relativedelta(days=3),
    "WEEKLY_2": relativedelta(days=4),
    "WEEKLY": relativedelta(weeks=1),
    "MONTHLY_3": relativedelta(days=11),
    "BIWEEKLY": relativedelta(weeks=2),
    "MONTHLY_2": relativedelta(days=16),
    "MONTHLY": relativedelta(months=1),
    "BIMONTHLY": relativedelta(months=2),
    "QUARTERLY": relativedelta(months=3),
    "ANNUAL_3": relativedelta(months=4),
    "ANNUAL_2": relativedelta(months=6),
    "ANNUAL": relativedelta(years=1),
    "BIENNIAL": relativedelta(years=2),
    "TRIENNIAL": relativedelta(years=3),
    "QUADRENNIAL": relativedelta(years=4),
    "QUINQUENNIAL": relativedelta(years=5),
    "DECENNIAL": relativedelta(years=10),
    "BIDECENNIAL": relativedelta(years=20),
    "TRIDECENNIAL": relativedelta(years=30),
    "IRREG": None,
    "OP_DATPRO": None,
    "OTHER": None,
    "UNKNOWN": None,
    "NEVER": None,
}


def test_the_list_has_the_31_concepts_of_the_file() -> None:
    """Every concept of the 2019-06-19 list is loaded, once."""
    codes = [f.code for f in frequencies.all_frequencies()]
    assert len(codes) == 31
    assert sorted(codes) == sorted(EXPECTED_PERIODS)


def test_shipped_file_is_the_recorded_copy() -> None:
    """The RDF in the package is byte for byte the copy whose checksum SOURCES.md records."""
    import hashlib
    import re

    sources = (SHIPPED.parent / "SOURCES.md").read_text(encoding="utf-8")
    recorded = re.search(r"SHA-256 of eu-frequency-skos.rdf as copied: `([0-9a-f]{64})`", sources)
    assert recorded, "SOURCES.md must record the file's checksum"
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == recorded.group(1)


@pytest.mark.parametrize("code, period", sorted(EXPECTED_PERIODS.items()))
def test_period_of_each_code(code: str, period: relativedelta | None) -> None:
    """Each code has the documented period, or none when it is not periodic."""
    frequency = frequencies.get(code)
    assert frequency is not None
    assert frequency.period == period
    assert frequency.periodic is (period is not None)


def test_order_is_most_frequent_first_with_non_periodic_last() -> None:
    """Periodic codes come by increasing period, non-periodic ones after them."""
    listed = frequencies.all_frequencies()
    periodic = [f for f in listed if f.period is not None]
    assert listed[: len(periodic)] == periodic
    start = dt.date(2024, 1, 1)
    lengths = [(start + f.period - start).days for f in periodic]  # type: ignore[operator]
    assert lengths == sorted(lengths)
    assert listed[0].code == "CONT"
    assert {f.code for f in listed[len(periodic):]} == {
        "IRREG", "OP_DATPRO", "OTHER", "UNKNOWN", "NEVER"}


def test_french_and_english_labels_come_from_the_file() -> None:
    """Labels are the file's preferred labels in French and English."""
    monthly = frequencies.get("MONTHLY")
    assert monthly is not None
    assert (monthly.label_fr, monthly.label_en) == ("mensuel", "monthly")
    assert frequencies.get("UPDATE_CONT").label_fr == "mise à jour continuelle"  # type: ignore[union-attr]
    assert frequencies.get("OP_DATPRO").label_fr == "Données provisoires"  # type: ignore[union-attr]
    assert all(f.label_fr and f.label_en for f in frequencies.all_frequencies())


def test_biweekly_is_every_two_weeks_and_semimonthly_is_monthly_2() -> None:
    """BIWEEKLY follows the file ("tous les quinze jours"), not "twice a week"."""
    biweekly = frequencies.get("BIWEEKLY")
    semimonthly = frequencies.get("MONTHLY_2")
    assert biweekly is not None and semimonthly is not None
    assert biweekly.label_fr == "tous les quinze jours"
    assert biweekly.exact_match == "http://purl.org/cld/freq/biweekly"
    assert semimonthly.label_fr == "bimensuel"
    assert frequencies.get("BIMONTHLY").label_fr == "bimestriel"  # type: ignore[union-attr]


def test_lookup_by_code_and_by_uri() -> None:
    """The code, the EU URI and the Dublin Core URI all find the same frequency."""
    by_code = frequencies.get("QUARTERLY")
    assert by_code is not None
    assert by_code.uri == f"{frequencies.AUTHORITY_URI}/QUARTERLY"
    assert frequencies.get(by_code.uri) is by_code
    assert frequencies.get("https://publications.europa.eu/resource/authority/frequency/QUARTERLY") is by_code
    assert frequencies.get("http://purl.org/cld/freq/quarterly") is by_code
    assert frequencies.get(" quarterly ") is by_code


@pytest.mark.parametrize("value", [None, "", "AS_NEEDED", "BIDAILY", "monthly-ish", 42])
def test_unknown_codes_give_none(value: object) -> None:
    """Codes outside the list, and non-strings, are not found."""
    assert frequencies.get(value) is None  # type: ignore[arg-type]


def test_choices_for_scheming_in_french() -> None:
    """Choices carry the code as value and a capitalised French label."""
    options = frequencies.choices("fr")
    assert len(options) == 31
    assert {"value": "MONTHLY", "label": "Mensuel"} in options
    assert {"value": "IRREG", "label": "Irrégulier"} in options
    assert options[0]["value"] == "CONT"


@pytest.mark.parametrize("lang", ["en", "en_GB", None, "xx"])
def test_choices_fall_back_to_english(lang: str | None) -> None:
    """English, a regional English, no language or an unknown one give English labels."""
    assert {"value": "WEEKLY", "label": "Weekly"} in frequencies.choices(lang)


def test_choices_accept_a_regional_french_locale() -> None:
    """fr_FR and fr-FR select the French labels."""
    assert frequencies.choices("fr_FR") == frequencies.choices("fr-FR") == frequencies.choices("fr")


def test_loading_is_cached() -> None:
    """The file is parsed once; callers get copies of the list."""
    first = frequencies.all_frequencies()
    first.clear()
    assert len(frequencies.all_frequencies()) == 31
    assert frequencies.all_frequencies()[0] is frequencies.get("CONT")
