"""Frequency and territory URIs, written and read."""
from __future__ import annotations

import pytest

from ckanext.suite_dcat import vocabulary


@pytest.mark.parametrize("level, code, uri", [
    ("commune", "35238", "http://id.insee.fr/geo/commune/35238"),
    ("commune", "2A004", "http://id.insee.fr/geo/commune/2A004"),
    ("epci", "243500139", "http://id.insee.fr/geo/intercommunalite/243500139"),
    ("departement", "35", "http://id.insee.fr/geo/departement/35"),
    ("region", "53", "http://id.insee.fr/geo/region/53"),
    ("national", "FR", "http://publications.europa.eu/resource/authority/country/FRA"),
])
def test_territory_uri_round_trip(level, code, uri):
    """Each level's URI is written and read back to the same level and code."""
    assert vocabulary.territory_uri(level, code) == uri
    assert vocabulary.territory_of(uri) == (level, code)


@pytest.mark.parametrize("level, code", [
    ("canton", "3501"), ("commune", ""), ("commune", None), ("commune", "35 238"),
    ("commune", "../x"), (None, "35238"), ("commune", "<script>"),
])
def test_unknown_territory_has_no_uri(level, code):
    """An unknown level or a code that is not a COG/SIREN code gets no URI."""
    assert vocabulary.territory_uri(level, code) is None


@pytest.mark.parametrize("uri", ["http://id.insee.fr/geo/canton/3501",
                                 "http://id.insee.fr/geo/commune/35238/x",
                                 "https://example.org/commune/35238", None, 42])
def test_foreign_territory_uri_is_not_read(uri):
    """A URI outside the INSEE and EU lists reads as no territory."""
    assert vocabulary.territory_of(uri) is None


def test_frequency_round_trip():
    """MONTHLY is the EU URI …/frequency/MONTHLY and reads back as MONTHLY."""
    uri = vocabulary.frequency_uri("MONTHLY")
    assert uri == "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    assert vocabulary.frequency_code(uri) == "MONTHLY"
    assert vocabulary.frequency_code("annual") == "ANNUAL"


@pytest.mark.parametrize("value", ["http://purl.org/cld/freq/monthly", "", None, "a b",
                                   "MONTHLY/../x"])
def test_foreign_frequency_is_not_read(value):
    """Another vocabulary's URI or a malformed code reads as no frequency."""
    assert vocabulary.frequency_code(value) is None
