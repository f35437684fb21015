"""Partner vocabularies mapped to ours: EU frequency codes and the portal's licence ids."""
from __future__ import annotations

import pytest

from ckanext.territorial_consolidation.harvesters.mapping import (frequency_codes, map_frequency,
                                                                  map_licence)


def test_frequency_list_is_the_eu_authority_list():
    """The codes come from the EU file copied with the plugin (31 concepts)."""
    codes = frequency_codes()
    assert len(codes) == 31
    assert {"MONTHLY", "ANNUAL_2", "UNKNOWN", "OP_DATPRO"} <= codes


@pytest.mark.parametrize("value, code", [
    ("MONTHLY", "MONTHLY"),
    ("monthly", "MONTHLY"),
    ("http://publications.europa.eu/resource/authority/frequency/QUARTERLY", "QUARTERLY"),
    ("https://publications.europa.eu/resource/authority/frequency/WEEKLY", "WEEKLY"),
    ("http://purl.org/cld/freq/semiannual", "ANNUAL_2"),
    ("Mensuelle", "MONTHLY"),
    ("quotidien", "DAILY"),
    ("Irrégulière", "IRREG"),
    ("semiannual", "ANNUAL_2"),
])
def test_known_frequency_values_map_to_eu_codes(value, code):
    """Codes, EU and Dublin Core URIs and French or English labels of the list map to the code."""
    assert map_frequency(value) == code


@pytest.mark.parametrize("value", [None, "", "  ", "tous les mardis", "sometimes", 12,
                                   "http://example.org/frequency/monthly"])
def test_unknown_frequency_stays_unknown(value):
    """A value the list does not name is UNKNOWN, never a guess."""
    assert map_frequency(value) == "UNKNOWN"


def test_portal_table_adds_its_own_words():
    """A portal's own vocabulary table maps its words, compared like labels."""
    table = {"Au fil de l'eau": "CONT", "punctual": "IRREG"}
    assert map_frequency("au fil de l’eau", table) == "CONT"
    assert map_frequency("Punctual", table) == "IRREG"


def test_portal_table_cannot_invent_codes():
    """A table entry pointing at a code outside the EU list is ignored."""
    assert map_frequency("weird", {"weird": "FORTNIGHTLY"}) == "UNKNOWN"


@pytest.mark.parametrize("values, licence", [
    (("etalab-2.0",), "etalab-2.0"),
    (("lov2",), "etalab-2.0"),
    (("Licence Ouverte / Open Licence version 2.0",), "etalab-2.0"),
    (("https://www.etalab.gouv.fr/licence-ouverte-open-licence/",), "etalab-2.0"),
    (("Licence Ouverte / Open Licence 2.0",), "etalab-2.0"),
    (("http://publications.europa.eu/resource/authority/licence/ETALAB_2_0",), "etalab-2.0"),
    (("fr-lo",), "etalab-1.0"),
    (("Licence Ouverte",), "etalab-1.0"),
    (("ODbL",), "odc-odbl"),
    (("Open Data Commons Open Database License (ODbL)",), "odc-odbl"),
    (("https://publications.europa.eu/resource/authority/licence/ODC_BL",), "odc-odbl"),
    (("cc-by",), "cc-by-4.0"),
    (("CC0 1.0 Universal",), "cc-zero"),
    (("cc-by-sa",), "cc-by-sa-4.0"),
    (("", None, "Creative Commons Attribution"), "cc-by-4.0"),
    (("cc-by-nc",), "other-closed"),
    (("Autre (non ouverte)",), "other-closed"),
])
def test_known_licences_map_to_register_ids(values, licence):
    """Licence ids, titles, URLs and EU URIs of partners map to the register's ids."""
    assert map_licence(*values) == licence


@pytest.mark.parametrize("value", ["other-at", "other-open", "odc-by", "odc-pddl", "other-pd",
                                   "uk-ogl", "gfdl", "CC_BY_3_0",
                                   "https://creativecommons.org/licenses/by/3.0/"])
def test_licences_outside_the_register_are_not_specified(value):
    """CKAN's other default licences and other versions map to notspecified, an id of the
    register, never to an id the register lacks."""
    assert map_licence(value) == "notspecified"


def test_unknown_licence_is_not_specified():
    """An unrecognised licence is notspecified, never guessed."""
    assert map_licence("Licence maison de la ville", "https://ville.example/licence") == \
        "notspecified"


def test_first_recognised_licence_value_wins():
    """With an unknown id and a known title, the title decides."""
    assert map_licence("xyz-unknown", "Licence Ouverte v2.0") == "etalab-2.0"
