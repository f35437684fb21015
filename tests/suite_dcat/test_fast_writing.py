"""The fast date path of the catalogue's profiles writes the triple ckanext-dcat's own
``_add_date_triple`` writes, for every value."""
from __future__ import annotations

from typing import Any

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.namespace import DCTERMS

from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.suite_dcat import fast_writing
from ckanext.suite_dcat.profile import SuiteDcatProfile

DATASET = rdflib.URIRef("https://portail.example/dataset/budget")


def _written(profile_class: type, value: Any) -> set[tuple[Any, ...]]:
    graph = rdflib.Graph()
    profile_class(graph)._add_date_triple(DATASET, DCTERMS.modified, value)
    return set(graph)


def _same_as_ckanext_dcat(value: Any) -> None:
    fast = fast_writing.faster(EuropeanDCATAP3Profile)
    assert _written(fast, value) == _written(EuropeanDCATAP3Profile, value), value


@pytest.mark.parametrize("value", [
    "2024-05-02T10:00:00", "2024-05-02T10:00:00.123456", "0001-01-01T00:00:00",
    # Not the fast path's: ckanext-dcat's own way.
    "2024-13-02T10:00:00", "2024-02-30T10:00:00", "2024-05-02T24:00:00",
    "2024-05-02T10:00:00Z", "2024-05-02T10:00:00+02:00", "2024-05-02 10:00:00",
    "2024-05-02T10:00", "2024-05-02T10:00:00.5", "2024", "2024-05", "2024-05-02",
    "2 mai 2024", "pas une date", "", None,
])
def test_each_kind_of_value_gives_ckanext_dcat_s_triple(value: Any) -> None:
    _same_as_ckanext_dcat(value)


def test_an_iso_date_time_is_typed_as_ckanext_dcat_types_it() -> None:
    fast = fast_writing.faster(EuropeanDCATAP3Profile)
    assert _written(fast, "2024-05-02T10:00:00.123456") == {(
        DATASET, DCTERMS.modified,
        rdflib.Literal("2024-05-02T10:00:00.123456", datatype=rdflib.XSD.dateTime))}


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\d(\.\d{6})?\Z"))
def test_any_date_time_shaped_text_gives_ckanext_dcat_s_triple(value: str) -> None:
    """Valid or not (a 31st of April, a 60th second), the same triple."""
    _same_as_ckanext_dcat(value)


def test_the_class_keeps_its_name_and_is_made_once() -> None:
    fast = fast_writing.faster(SuiteDcatProfile)
    assert fast is fast_writing.faster(SuiteDcatProfile)
    assert fast.__name__ == "SuiteDcatProfile" and issubclass(fast, SuiteDcatProfile)
