"""A throw-away schema holding the search table, and a corpus of documents shaped like core's."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import uuid
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ckanext.postgres_search import ddl, engine

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ckan_test_engine"
SITE_ID = "test.ckan.net"
OTHER_SITE_ID = "autre.ckan.net"
#: Advisory lock key serialising schema setup between concurrent sessions.
_SETUP_LOCK = 7_320_001

RENNES_ID = "9c8e3f43-0000-4000-8000-000000000001"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _ensure_database(url: sa.engine.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": url.database}).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def search_engine() -> Iterator[Engine]:
    """An engine whose connections see a fresh schema with the search table; dropped afterwards."""
    url = sa.engine.make_url(os.environ.get("CKAN_SQLALCHEMY_URL") or DEFAULT_URL)
    _ensure_database(url)
    schema = f"search_engine_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK})
        # unaccent goes to public so that a concurrent session dropping its
        # own schema cannot take the dictionary away from ours.
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(sa.text(f'SET LOCAL search_path TO "{schema}", public'))
        for statement in ddl.ALL_UPGRADES:
            conn.execute(sa.text(statement))
    db = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema},public"})
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_doc(name: str, title: str, **fields: Any) -> dict[str, Any]:
    """A document as ``PackageSearchIndex.index_package`` hands it to Solr."""
    package_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    site_id = fields.pop("site_id", SITE_ID)
    created = fields.pop("created", dt.datetime(2024, 1, 15, 9, 30))
    modified = fields.pop("modified", created)
    private = fields.pop("private", False)
    organization = fields.pop("organization", "ville-de-rennes")
    resources = fields.pop("resources", [])
    data_dict = {"id": package_id, "name": name, "title": title, "private": private,
                 "notes": fields.get("notes", ""), "resources": resources}
    doc: dict[str, Any] = {
        "id": package_id,
        "name": name,
        "title": title,
        "title_string": title,
        "notes": "",
        "tags": [],
        "groups": [],
        "organization": organization,
        "owner_org": RENNES_ID,
        "private": private,
        "capacity": "private" if private else "public",
        "state": "active",
        "type": "dataset",
        "dataset_type": "dataset",
        "entity_type": "package",
        "license_id": "cc-by",
        "num_resources": len(resources),
        "creator_user_id": "5ef2c43e-0000-4000-8000-00000000beef",
        "metadata_created": created.isoformat() + "Z",
        "metadata_modified": modified.isoformat() + "Z",
        "res_name": [res.get("name", "") for res in resources],
        "res_description": [res.get("description", "") for res in resources],
        "res_format": [res.get("format", "") for res in resources],
        "res_url": [res.get("url", "") for res in resources],
        "res_type": [res.get("resource_type") for res in resources],
        "site_id": site_id,
        "index_id": hashlib.md5(f"{package_id}{site_id}".encode()).hexdigest(),
        "permission_labels": [f"member-{RENNES_ID}"] if private else ["public"],
        "data_dict": json.dumps(data_dict),
        "validated_data_dict": json.dumps(dict(data_dict, validated=True)),
    }
    doc.update(fields)
    return doc


def _resource(fmt: str, name: str = "", description: str = "") -> dict[str, Any]:
    return {"format": fmt, "name": name, "description": description,
            "url": f"http://example.org/{name or fmt}.{fmt.lower()}"}


def corpus_docs() -> list[dict[str, Any]]:
    """Nine datasets: three organizations, accented tags and text, extras, vocabulary tags,
    a private and a draft dataset, and one dataset of another site."""
    return [
        make_doc(
            "equipements-sportifs", "Équipements sportifs",
            notes="Liste des gymnases, piscines et terrains de la ville.",
            tags=["sport", "équipements"], license_id="odc-odbl",
            resources=[_resource("CSV", "Gymnases", "Adresses des gymnases")],
            extras_theme="Sport et loisirs", theme="Sport et loisirs",
            vocab_themes=["sport", "loisirs"], views_total=120,
            created=dt.datetime(2024, 1, 10, 8, 0), modified=dt.datetime(2024, 6, 1, 12, 0)),
        make_doc(
            "budget-primitif-2024", "Budget primitif 2024",
            notes="Budget voté par le conseil municipal.",
            tags=["finances", "budget"], groups=["finances-publiques"],
            resources=[_resource("CSV", "Budget"), _resource("JSON", "Budget API")],
            extras_theme="Finances", theme="Finances", views_total=45,
            temporal_start_date="2024-01-01T00:00:00Z",
            created=dt.datetime(2024, 2, 1, 8, 0), modified=dt.datetime(2024, 5, 1, 12, 0)),
        make_doc(
            "deliberations-conseil", "Délibérations du conseil municipal",
            organization="ville-de-bruz",
            notes="Délibérations publiées après chaque séance du conseil.",
            tags=["conseil", "finances"], groups=["finances-publiques"],
            resources=[_resource("PDF", "Séance de janvier"), _resource("PDF", "Séance de février")],
            views_total=8, temporal_start_date="2022-09-01T00:00:00Z",
            created=dt.datetime(2024, 3, 1, 8, 0), modified=dt.datetime(2024, 3, 2, 12, 0)),
        make_doc(
            "qualite-de-l-air", "Qualité de l'air", organization="rennes-metropole",
            notes="Mesures horaires du dioxyde d'azote aux stations de la métropole.",
            tags=["environnement", "air"], groups=["environnement"],
            resources=[_resource("CSV", "Mesures", "Mesures horaires")],
            extras_theme="Environnement", theme="Environnement", vocab_themes=["environnement"],
            created=dt.datetime(2023, 11, 20, 8, 0),
            modified=(NOW - dt.timedelta(days=2)).replace(tzinfo=None)),
        make_doc(
            "stationnement-velo", "Stationnement vélo", organization="rennes-metropole",
            notes="Arceaux et abris à vélos.", tags=["mobilité", "vélo"], groups=["environnement"],
            resources=[_resource("GeoJSON", "Arceaux")], views_total=300,
            created=dt.datetime(2023, 5, 5, 8, 0), modified=dt.datetime(2023, 5, 6, 12, 0)),
        make_doc(
            "dechetteries", "Horaires des déchetteries", organization="rennes-metropole",
            notes="Horaires d'ouverture des déchetteries de la métropole.",
            tags=["environnement", "déchets"],
            created=dt.datetime(2022, 7, 1, 8, 0), modified=dt.datetime(2022, 7, 1, 8, 0)),
        make_doc(
            "effectifs-agents", "Effectifs des agents", private=True,
            notes="Données internes sur les agents.", tags=["ressources-humaines"],
            created=dt.datetime(2024, 4, 1, 8, 0)),
        make_doc(
            "brouillon-marches", "Marchés publics (brouillon)", state="draft",
            tags=["marchés"], permission_labels=["creator-5ef2c43e-0000-4000-8000-00000000beef"],
            created=dt.datetime(2024, 4, 2, 8, 0)),
        make_doc(
            "equipements-sportifs", "Équipements sportifs d'une autre ville", site_id=OTHER_SITE_ID,
            tags=["sport"], created=dt.datetime(2024, 1, 10, 8, 0)),
    ]


@contextlib.contextmanager
def site_of_its_own(search_engine: Engine, site_id: str) -> Iterator[Engine]:
    """The test schema without documents of ``site_id`` before and after: a module that
    writes documents of its own site neither counts nor touches the session's corpus."""
    def clear() -> None:
        with search_engine.begin() as connection:
            connection.execute(sa.text(f"DELETE FROM {ddl.TABLE} WHERE site_id = :site"),
                               {"site": site_id})
    clear()
    try:
        yield search_engine
    finally:
        clear()


@pytest.fixture(scope="session")
def indexed_corpus(search_engine: Engine) -> list[dict[str, Any]]:
    """The corpus, indexed and committed once for the whole session."""
    docs = corpus_docs()
    with search_engine.begin() as connection:
        engine.index_documents(connection, docs)
    return docs


@pytest.fixture
def conn(search_engine: Engine, indexed_corpus: list[dict[str, Any]]) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    connection = search_engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def doc_named(indexed_corpus: list[dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    """Look a corpus document of this site up by name."""
    def lookup(name: str) -> dict[str, Any]:
        return next(doc for doc in indexed_corpus if doc["name"] == name and doc["site_id"] == SITE_ID)
    return lookup


@pytest.fixture
def search(conn: Connection) -> Callable[..., engine.SearchResult]:
    """Search this site's active public datasets (the filters core always adds) plus any params."""
    def run(**params: Any) -> engine.SearchResult:
        fq = params.pop("fq", [])
        fq = [fq] if isinstance(fq, str) else list(fq)
        params.setdefault("fl", "name")
        params.setdefault("rows", 100)
        # Solr's default is 0; core always sends 1.
        params.setdefault("facet.mincount", 1)
        return engine.search(conn, fq=fq + [f'+site_id:"{SITE_ID}"', "+state:active"], **params)
    return run


@pytest.fixture
def names(search: Callable[..., engine.SearchResult]) -> Callable[..., list[str]]:
    """Names of the matching datasets, in result order."""
    def run(**params: Any) -> list[str]:
        return [doc["name"] for doc in search(**params).docs]
    return run
