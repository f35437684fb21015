"""Relevance ranking bounded for common words: past a number of matches, only the best
candidates by the head vector (title, name, tags, groups, organization) are ranked on
the whole text; below it every match is, as before."""
from __future__ import annotations

from typing import Any, Iterator, Optional

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ckanext.postgres_search import ddl, engine

from .conftest import make_doc, site_of_its_own

SITE_ID = "classement.ckan.net"


def _doc(name: str, title: str, notes: str = "", **fields: Any) -> dict[str, Any]:
    return make_doc(name, title, site_id=SITE_ID, notes=notes, **fields)


@pytest.fixture
def db(search_engine: Engine) -> Iterator[Engine]:
    docs = (
        # The word in the title: found first by the head vector.
        [_doc(f"titre-{n:02d}", f"Pistes cyclables {n}", "Réseau de la ville.") for n in range(12)]
        # The word in the tags.
        + [_doc(f"etiquette-{n:02d}", f"Aménagements {n}", "Réseau.", tags=["cyclables"])
           for n in range(4)]
        # The word only in the description, many times: a high score on the whole text.
        + [_doc("description", "Rapport annuel",
                " ".join(["Les pistes cyclables de la ville."] * 12))]
        + [_doc(f"autre-{n:02d}", f"Budget {n}", "Rien à voir.") for n in range(10)]
    )
    with site_of_its_own(search_engine, SITE_ID) as engine_:
        with engine_.begin() as connection:
            engine.index_documents(connection, docs)
        yield engine_


def _search(db: Engine, limits: Optional[tuple[int, int]], **params: Any) -> engine.SearchResult:
    with db.connect() as conn, conn.begin():
        return engine.search(
            conn, rank_limits=limits, q="cyclables", defType="dismax", fl="name score",
            sort="score desc, metadata_modified desc", rows=params.pop("rows", 5),
            fq=[f'+site_id:"{SITE_ID}"', "+state:active"], **params)


def _names(result: engine.SearchResult) -> list[str]:
    return [doc["name"] for doc in result.docs]


def test_below_the_limit_every_match_is_ranked_on_the_whole_text(db: Engine):
    """17 matches, limit 100: the description-only dataset, whose text says it twelve
    times, comes first, as with no limit at all."""
    bounded = _search(db, (100, 5))
    exact = _search(db, None)
    assert bounded.hits == exact.hits == 17
    assert _names(bounded) == _names(exact)
    assert _names(bounded)[0] == "description"


def test_past_the_limit_the_head_vector_picks_the_candidates(db: Engine):
    """17 matches, limit 10, pool 6: the candidates are the datasets with the word in
    their title or tags; they are then ranked on their whole text, in order of score."""
    bounded = _search(db, (10, 6))
    assert bounded.hits == 17
    names = _names(bounded)
    assert "description" not in names
    assert all(name.startswith(("titre-", "etiquette-")) for name in names)
    scores = [doc["score"] for doc in bounded.docs]
    assert scores == sorted(scores, reverse=True)
    # Titles outrank tags (weight A over B) in the first pass and on the whole text.
    assert names[0].startswith("titre-")


def test_pages_within_a_pool_follow_each_other(db: Engine):
    """Pages of one pool come from the same candidates: no dataset twice, none skipped;
    a page beyond the pool takes the next pool, never an empty page."""
    first, second = _search(db, (10, 12), rows=6), _search(db, (10, 12), rows=6, start=6)
    both = _search(db, (10, 12), rows=12)
    assert _names(first) + _names(second) == _names(both)
    beyond = _search(db, (10, 12), rows=5, start=12)
    assert len(beyond.docs) == 5
    assert not set(_names(beyond)) & set(_names(both))
    # Page after page across several pools: every match once.
    paged = [name for start in range(0, 20, 5)
             for name in _names(_search(db, (10, 6), rows=5, start=start))]
    assert len(paged) == len(set(paged)) == 17


def test_documents_indexed_before_the_head_vector_are_still_found(db: Engine):
    """A row written before the migration has no head vector: it comes last among the
    candidates, and is found."""
    with db.begin() as connection:
        connection.execute(sa.text(
            f"UPDATE {ddl.TABLE} SET head_vector = NULL WHERE site_id = :site"), {"site": SITE_ID})
    result = _search(db, (10, 6), rows=17)
    assert result.hits == 17
    assert len(result.docs) == 17


def test_the_migration_fills_the_head_vector_of_existing_rows(db: Engine):
    """The second revision computes the head vector of rows already indexed, as the
    indexing does for new ones."""
    backfill = next(statement for statement in ddl.SCALE_UPGRADE
                    if statement.lstrip().startswith("UPDATE") and "head_vector" in statement)
    with db.begin() as connection:
        written = dict(connection.execute(sa.text(
            f"SELECT index_id, head_vector::text FROM {ddl.TABLE} WHERE site_id = :site"),
            {"site": SITE_ID}).fetchall())
        connection.execute(sa.text(
            f"UPDATE {ddl.TABLE} SET head_vector = NULL WHERE site_id = :site"), {"site": SITE_ID})
        connection.execute(sa.text(backfill + " WHERE site_id = :site"), {"site": SITE_ID})
        filled = dict(connection.execute(sa.text(
            f"SELECT index_id, head_vector::text FROM {ddl.TABLE} WHERE site_id = :site"),
            {"site": SITE_ID}).fetchall())
    assert filled == written
    assert any("cyclabl" in vector for vector in filled.values())


@pytest.mark.parametrize("rank_query, ranks_some", [
    ("( 'cyclabl' )", True),
    ("( 'pist' & 'cyclabl' ) | ( 'budget' )", True),
    ("( 'pist' <-> 'cyclabl' )", True),
    # Both lexemes in the heads, never in this order: tested, then ranked 0.
    ("( 'cyclabl' <-> 'pist' )", False),
    ("( 'cycl':* ) | ( 'l''aire' )", True),
    ("( 'absent' )", False),
])
def test_the_head_rank_skips_only_heads_without_the_query(db: Engine, rank_query: str,
                                                          ranks_some: bool):
    """Ranking only the heads that hold a lexeme of the query gives every row the rank
    ``ts_rank_cd`` gives it (0 without the lexemes, NULL without a head vector)."""
    with db.begin() as connection:
        connection.execute(sa.text(
            f"UPDATE {ddl.TABLE} SET head_vector = NULL WHERE name = 'autre-00'"))
        params: dict[str, Any] = {}

        def bind(value: Any) -> str:
            params[f"p{len(params)}"] = value
            return f":p{len(params) - 1}"

        shortcut = engine._head_rank(rank_query, bind)
        plain = engine._rank("d.head_vector", rank_query, bind)
        rows = connection.execute(sa.text(
            f"SELECT d.name, {shortcut}, {plain} FROM {ddl.TABLE} AS d WHERE d.site_id = :site"),
            {**params, "site": SITE_ID}).fetchall()
    assert len(rows) == 27
    assert [(name, fast) for name, fast, _ in rows] == [(name, slow) for name, _, slow in rows]
    assert any(slow is None for _, _, slow in rows)
    assert any(slow == 0 for _, _, slow in rows)
    assert any(slow for _, _, slow in rows) == ranks_some
    assert "@@" in shortcut
