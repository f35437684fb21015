"""The planner hint of text matches (``ddl.VECTOR_READ``): it steers the planner to the
text index, is never called while a search runs, and keeps text searches serial."""
from __future__ import annotations

import random
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ckanext.postgres_search import ddl, engine

from .conftest import make_doc, site_of_its_own

SITE_ID = "indice.ckan.net"
WORDS = ["budget", "piscines", "vélo", "écoles", "marchés", "voirie", "musées", "déchets",
         "logement", "bruit"]


@pytest.fixture(scope="module")
def db(search_engine: Engine) -> Iterator[Engine]:
    """2,000 datasets, each with two of ten words in its title: one word matches a fifth."""
    rng = random.Random(11)
    docs = [make_doc(f"jeu-{n:05d}", " ".join(rng.sample(WORDS, 2)).capitalize(),
                     site_id=SITE_ID, notes="Données de la commune, mises à jour chaque mois.")
            for n in range(2000)]
    with site_of_its_own(search_engine, SITE_ID) as engine_:
        with engine_.begin() as connection:
            engine.index_documents(connection, docs)
            connection.execute(sa.text(f"ANALYZE {ddl.TABLE}"))
        yield engine_


def _search(conn: Connection, q: str) -> engine.SearchResult:
    """A free-text search as CKAN makes it (``*:*``: the whole site, without text)."""
    text = {"defType": "dismax", "mm": "2<-1 5<80%"} if q != "*:*" else {}
    return engine.search(conn, q=q, fl="name", rows=10, sort="score desc, metadata_modified desc",
                         fq=[f'+site_id:"{SITE_ID}"', "+state:active"], **text)


def test_the_hint_is_never_called(db: Engine):
    """The hint only prices the match: a hint that fails when called does not fail the
    search (it did when the hint stood beside the match, called once per matched row)."""
    with db.connect() as conn:
        transaction = conn.begin()
        expected = _search(conn, "budget vélo")
        conn.execute(sa.text(f"""
            CREATE OR REPLACE FUNCTION {ddl.VECTOR_READ}(tsvector) RETURNS boolean
            LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE COST 1000 AS $$
            BEGIN
                RAISE EXCEPTION 'the planner hint was called';
            END
            $$"""))
        try:
            result = _search(conn, "budget vélo")
            single = _search(conn, "budget")
        finally:
            transaction.rollback()
    assert result.hits == expected.hits > 0
    assert [doc["name"] for doc in result.docs] == [doc["name"] for doc in expected.docs]
    assert single.hits > result.hits


def _plan(db: Engine, q: str, *settings: str) -> str:
    """The plan of the search statement of ``q``, under the given planner settings."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().startswith("WITH"):
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    with db.connect() as conn, conn.begin():
        for setting in settings:
            conn.execute(sa.text(f"SET LOCAL {setting}"))
        sa.event.listen(conn, "before_cursor_execute", explain)
        _search(conn, q)
        sa.event.remove(conn, "before_cursor_execute", explain)
    assert len(plans) == 1, plans
    return plans[0]


@pytest.mark.parametrize("q", ["budget", "budget vélo"])
def test_a_text_search_reads_the_text_index(db: Engine, q: str):
    """Without the hint's price, PostgreSQL reads every vector of the table to match
    a common word (a sequential scan); with it, it takes the text index."""
    assert f"{ddl.TABLE}_vector_idx" in _plan(db, q)


def test_a_text_search_is_planned_serially(db: Engine):
    """Even where workers cost nothing to the planner, a text search is not split over
    parallel workers (the hint is not parallel safe)."""
    free = ("parallel_setup_cost = 0", "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0", "min_parallel_index_scan_size = 0")
    assert "Gather" in _plan(db, "*:*", *free)
    assert "Gather" not in _plan(db, "budget vélo", *free)
