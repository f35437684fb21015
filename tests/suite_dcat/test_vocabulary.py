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


@pytest.mark.parametrize("function, value, uri", [
    (vocabulary.language_uri, "fr", "http://publications.europa.eu/resource/authority/language/FRA"),
    (vocabulary.language_uri, "en_GB", "http://publications.europa.eu/resource/authority/language/ENG"),
    (vocabulary.file_type_uri, "csv", "http://publications.europa.eu/resource/authority/file-type/CSV"),
    (vocabulary.file_type_uri, "GeoJSON", "http://publications.europa.eu/resource/authority/file-type/GEOJSON"),
    (vocabulary.media_type_uri, "text/csv; charset=utf-8", "https://www.iana.org/assignments/media-types/text/csv"),
])
def test_typed_uris(function, value, uri):
    """Locale, format and media type become the EU or IANA URIs DCAT-AP expects."""
    assert function(value) == uri


@pytest.mark.parametrize("function, value", [
    (vocabulary.language_uri, "xx"), (vocabulary.language_uri, None),
    (vocabulary.file_type_uri, "a/b"), (vocabulary.file_type_uri, ""),
    (vocabulary.file_type_uri, "<x>"), (vocabulary.media_type_uri, "csv"),
    (vocabulary.media_type_uri, "text/<x>"), (vocabulary.media_type_uri, 3),
])
def test_untyped_values_get_no_uri(function, value):
    """An unknown locale, a format or media type that is no token gets no URI."""
    assert function(value) is None
