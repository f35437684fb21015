"""Tests for engine.index_documents, engine.delete_by_query and the row a document becomes."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from ckan.lib.search.common import SearchIndexError, SearchQueryError

from ckanext.postgres_search import ddl, document, engine

from .conftest import OTHER_SITE_ID, SITE_ID, make_doc


def count(conn: Any, where: str = "TRUE", **params: Any) -> int:
    return conn.execute(sa.text(f"SELECT count(*) FROM {ddl.TABLE} WHERE {where}"), params).scalar()


def core_delete_query(package_id: str, site_id: str = SITE_ID) -> str:
    # Exactly what PackageSearchIndex.delete_package sends.
    return '+%s:%s AND +(id:"%s" OR name:"%s") AND +site_id:"%s"' % (
        "entity_type", "package", package_id, package_id, site_id)


def test_delete_by_core_query_by_id(conn, doc_named):
    """Core's delete query removes the dataset with that id on this site only."""
    package_id = doc_named("equipements-sportifs")["id"]
    assert engine.delete_by_query(conn, core_delete_query(package_id)) == 1
    assert count(conn, "id = :id", id=package_id) == 1  # the other site's copy stays


def test_delete_by_core_query_by_name(conn):
    """The same query also matches a dataset by name."""
    assert engine.delete_by_query(conn, core_delete_query("dechetteries")) == 1
    assert count(conn, "name = 'dechetteries'") == 0


def test_delete_unknown_dataset_deletes_nothing(conn):
    """Deleting a dataset that is not indexed is a no-op."""
    assert engine.delete_by_query(conn, core_delete_query("inconnu")) == 0


def test_clear_index_query_keeps_other_sites(conn):
    """Core's clear_index query deletes this site's documents only."""
    assert engine.delete_by_query(conn, f'+site_id:"{SITE_ID}"') == 8
    assert count(conn) == 1 and count(conn, "site_id = :site", site=OTHER_SITE_ID) == 1


def test_delete_match_all(conn):
    """*:* deletes every document."""
    engine.delete_by_query(conn, "*:*")
    assert count(conn) == 0


def test_delete_uses_default_operator_or(conn):
    """Solr's update handler has no q.op, so juxtaposed clauses are alternatives."""
    assert engine.delete_by_query(conn, "name:dechetteries name:stationnement-velo") == 2


def test_delete_rejects_unsupported_syntax(conn):
    """A delete query outside the supported syntax raises SearchQueryError."""
    with pytest.raises(SearchQueryError):
        engine.delete_by_query(conn, "name:dechet~")


def test_upsert_replaces_the_document(conn, doc_named):
    """Indexing a document again replaces it instead of adding a second row."""
    doc = dict(doc_named("dechetteries"), title="Points d'apport volontaire", tags=["tri"])
    engine.index_documents(conn, [doc])
    assert count(conn, "index_id = :id", id=doc["index_id"]) == 1
    result = engine.search(conn, q="tags:tri", fl="title")
    assert result.docs == [{"title": "Points d'apport volontaire"}]
    assert engine.search(conn, q="tags:déchets").hits == 0


def test_upsert_replaces_the_search_vector(conn, doc_named):
    """Words of the old version no longer match after an update."""
    doc = dict(doc_named("dechetteries"), title="Points d'apport volontaire", notes="")
    engine.index_documents(conn, [doc])
    assert engine.search(conn, q="ouverture", defType="dismax").hits == 0
    assert engine.search(conn, q="volontaire", defType="dismax").hits == 1


def test_batch_with_duplicates_keeps_the_last_version(conn):
    """A batch holding the same document twice stores its last version."""
    first = make_doc("doublon", "Première version")
    second = make_doc("doublon", "Seconde version")
    engine.index_documents(conn, [first, second])
    assert engine.search(conn, q="name:doublon", fl="title").docs == [{"title": "Seconde version"}]


def test_large_batch_is_indexed(conn):
    """A batch larger than one statement's worth is fully indexed."""
    docs = [make_doc(f"lot-{i}", f"Jeu {i}", tags=["lot"]) for i in range(engine.BATCH_SIZE + 20)]
    engine.index_documents(conn, docs)
    assert engine.search(conn, q="tags:lot", rows=0).hits == engine.BATCH_SIZE + 20


def test_empty_batch_is_a_no_op(conn):
    """Indexing no documents changes nothing."""
    engine.index_documents(conn, [])
    assert count(conn) == 9


def test_missing_required_field_is_rejected(conn):
    """A document without id, index_id or site_id raises SearchIndexError like Solr."""
    doc = make_doc("sans-id", "Sans identifiant")
    del doc["index_id"]
    with pytest.raises(SearchIndexError):
        engine.index_documents(conn, [doc])


def test_invalid_date_is_rejected(conn):
    """An unparseable value in a *_date field raises SearchIndexError."""
    with pytest.raises(SearchIndexError):
        engine.index_documents(conn, [make_doc("date", "Date", temporal_end_date="bientôt")])


def test_invalid_int_is_rejected(conn):
    """A non-integer value in an int field raises SearchIndexError."""
    with pytest.raises(SearchIndexError):
        engine.index_documents(conn, [make_doc("vues", "Vues", views_total="beaucoup")])


def test_nul_characters_are_dropped(conn):
    """NUL characters, which PostgreSQL cannot store, are removed."""
    engine.index_documents(conn, [make_doc("nul", "Avec\x00nul", notes="a\x00b")])
    assert engine.search(conn, q="name:nul", fl="title").docs == [{"title": "Avecnul"}]


def test_datetime_values_are_accepted(conn):
    """datetime values (from plugins) are indexed as Solr dates."""
    doc = make_doc("datetime", "Datetime", temporal_end_date=dt.datetime(2030, 1, 1, 12, 0))
    engine.index_documents(conn, [doc])
    assert engine.search(conn, q="temporal_end_date:[2030-01-01T00:00:00Z TO *]", fl="name").docs == [
        {"name": "datetime"}]


def test_row_terms_are_lists_of_strings():
    """Every indexed field becomes a list of strings; booleans and numbers are stringified."""
    row = document.to_row(make_doc("termes", "Termes", views_total=12, private=True, score_ratio=0.5))
    assert row["terms"]["private"] == ["true"]
    assert row["terms"]["views_total"] == ["12"]
    assert row["terms"]["score_ratio"] == ["0.5"]


def test_row_dates_are_normalised():
    """Date fields are stored as YYYY-MM-DDTHH:MM:SSZ in UTC."""
    row = document.to_row(make_doc("dates", "Dates", temporal_start_date="2024-03-01T10:00:00+02:00"))
    assert row["terms"]["temporal_start_date"] == ["2024-03-01T08:00:00Z"]
    assert row["terms"]["metadata_created"] == ["2024-01-15T09:30:00Z"]


def test_row_multivalued_terms_are_distinct():
    """Repeated values of a multi-valued field are stored once."""
    doc = make_doc("formats", "Formats", res_format=["CSV", "CSV", "PDF"])
    assert document.to_row(doc)["terms"]["res_format"] == ["CSV", "PDF"]


def test_row_skips_empty_and_null_values():
    """None values and empty lists leave the field out, as pysolr does."""
    row = document.to_row(make_doc("vide", "Vide", organization=None, groups=[]))
    assert "organization" not in row["terms"] and "groups" not in row["terms"]


def test_row_stringifies_nested_values():
    """Nested structures are indexed as JSON strings."""
    row = document.to_row(make_doc("imbrique", "Imbriqué", custom={"b": 1, "a": [2]}))
    assert row["terms"]["custom"] == ['{"a": [2], "b": 1}']


def test_row_keeps_data_dicts_out_of_terms_and_stored():
    """data_dict and validated_data_dict only go to their own columns."""
    row = document.to_row(make_doc("blobs", "Blobs"))
    assert "data_dict" not in row["terms"] and "data_dict" not in row["stored"]
    assert json.loads(row["validated_data_dict"])["name"] == "blobs"


def test_row_weights_follow_the_copy_fields():
    """Title and name weigh A; tags and notes B; extras and resources C; the rest of text D."""
    row = document.to_row(make_doc(
        "poids", "Titre", notes="Notes", tags=["étiquette"], extras_theme="Thème", author="Auteur",
        res_name=["Ressource"]))
    assert sorted(row["weight_a"]) == ["Titre", "poids"]
    assert {"Notes", "étiquette"} <= set(row["weight_b"])
    assert {"Thème", "Ressource"} <= set(row["weight_c"])
    assert "Auteur" in row["weight_d"]


def test_row_facet_values_hold_the_default_facets():
    """facet_values lists field/value pairs of the default facet fields and vocabularies."""
    row = document.to_row(make_doc("facettes", "Facettes", tags=["a"], vocab_x=["v"], theme="t"))
    assert "tags\x1fa" in row["facet_values"] and "vocab_x\x1fv" in row["facet_values"]
    assert not any(entry.startswith("theme\x1f") for entry in row["facet_values"])


def test_stored_document_is_returned_as_sent(conn):
    """Stored fields come back with the values the document was sent with."""
    doc = make_doc("tel-quel", "Tel quel", extras_source="https://example.org/a b")
    engine.index_documents(conn, [doc])
    result = engine.search(conn, q="name:tel-quel", fl="extras_source metadata_created")
    assert result.docs == [{"extras_source": "https://example.org/a b",
                            "metadata_created": doc["metadata_created"]}]
