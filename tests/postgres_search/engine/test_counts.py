"""Hits and facet counts kept per index generation: reused while nothing was written,
recounted after any write, never shared from an uncommitted one."""
from __future__ import annotations

import random
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ckanext.postgres_search import counts, ddl, engine

from .conftest import make_doc, site_of_its_own

#: A site of its own, so that the session's corpus is neither counted nor touched.
SITE_ID = "comptes.ckan.net"

FACETS = ["organization", "tags", "res_format", "license_id", "groups"]
LABEL_SETS = [["public"], ["public", "member-org-a"], ["public", "member-org-a", "member-org-b"],
              ["member-org-b"]]
ORGS = ["org-a", "org-b", "org-c"]
TAGS = ["budget", "vélo", "écoles", "air", "eau"]
FORMATS = ["CSV", "JSON", "PDF", "GeoJSON"]
LICENCES = ["cc-by", "odc-odbl", "cc-zero"]
GROUPS = ["environnement", "finances"]


def _random_doc(rng: random.Random, number: int) -> dict[str, Any]:
    org = rng.choice(ORGS)
    private = rng.random() < 0.3
    return _doc(
        f"jeu-{number:04d}", f"Jeu {number} {rng.choice(TAGS)}", organization=org,
        tags=rng.sample(TAGS, rng.randint(0, 3)), groups=rng.sample(GROUPS, rng.randint(0, 2)),
        license_id=rng.choice(LICENCES), private=private,
        permission_labels=[f"member-{org}"] if private else ["public"],
        resources=[{"format": rng.choice(FORMATS), "url": "http://example.org/f"}
                   for _ in range(rng.randint(0, 3))])


def _doc(name: str, title: str, **fields: Any) -> dict[str, Any]:
    return make_doc(name, title, site_id=SITE_ID, **fields)


@pytest.fixture
def db(search_engine: Engine) -> Iterator[Engine]:
    with site_of_its_own(search_engine, SITE_ID) as engine_:
        yield engine_


def _write(db: Engine, docs: list[dict[str, Any]]) -> None:
    with db.begin() as connection:
        engine.index_documents(connection, docs)


def _search(conn: Connection, store: Any, labels: list[str], fq: list[str],
            **params: Any) -> engine.SearchResult:
    label_filter = "+permission_labels:(" + " OR ".join(f'"{label}"' for label in labels) + ")"
    params.setdefault("facet.mincount", 1)
    params.setdefault("facet.limit", 50)
    return engine.search(
        conn, count_store=store, q="*:*", rows=5, fl="name", facet="true",
        fq=fq + [f'+site_id:"{SITE_ID}"', "+state:active", label_filter],
        **{"facet.field": FACETS}, **params)


def _read(db: Engine, store: Any, labels: list[str], fq: list[str],
          **params: Any) -> engine.SearchResult:
    """A search in a transaction of its own."""
    with db.connect() as conn, conn.begin():
        return _search(conn, store, labels, fq, **params)


def _generation(db: Engine) -> Any:
    with db.connect() as conn, conn.begin():
        return counts.current_generation(conn)


def _plain_counts(conn: Connection, labels: list[str], where: str = "TRUE",
                  values: dict[str, Any] | None = None) -> tuple[int, dict[str, dict[str, int]]]:
    """Hits and counts by COUNT(*) ... GROUP BY over the stored documents."""
    scope = (f"FROM {ddl.TABLE} AS d WHERE d.site_id = :site AND d.state = 'active'"
             f" AND d.permission_labels && CAST(:labels AS text[]) AND ({where})")
    bound = {"site": SITE_ID, "labels": labels, **(values or {})}
    hits = conn.execute(sa.text(f"SELECT count(*) {scope}"), bound).scalar()
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    rows = conn.execute(sa.text(
        f"SELECT f.field, v.value, count(*) FROM (SELECT d.terms {scope}) AS d"
        " CROSS JOIN unnest(CAST(:fields AS text[])) AS f(field)"
        " CROSS JOIN LATERAL jsonb_array_elements_text(d.terms -> f.field) AS v(value)"
        " GROUP BY f.field, v.value"), {**bound, "fields": FACETS})
    for field, value, number in rows:
        facets[field][value] = number
    return int(hits), facets


def _as_dicts(result: engine.SearchResult) -> dict[str, dict[str, int]]:
    return {name: dict(zip(flat[0::2], flat[1::2]))
            for name, flat in result.facets["facet_fields"].items()}


def _filter(rng: random.Random) -> tuple[list[str], str, dict[str, Any]]:
    """A random filter, and the same filter as SQL over ``d.terms``."""
    choice = rng.randrange(4)
    if choice == 0:
        return [], "TRUE", {}
    if choice == 1:
        org = rng.choice(ORGS)
        return [f'organization:"{org}"'], "d.terms -> 'organization' ? :v", {"v": org}
    if choice == 2:
        tag = rng.choice(TAGS)
        return [f'tags:"{tag}"'], "d.terms -> 'tags' ? :v", {"v": tag}
    fmt, licence = rng.choice(FORMATS), rng.choice(LICENCES)
    return ([f'+res_format:"{fmt}" +license_id:"{licence}"'],
            "d.terms -> 'res_format' ? :v AND d.terms -> 'license_id' ? :w",
            {"v": fmt, "w": licence})


def _check_random_searches(db: Engine, store: Any, rng: random.Random, times: int = 12) -> None:
    for _ in range(times):
        labels = rng.choice(LABEL_SETS)
        fq, where, values = _filter(rng)
        # Twice: the second is served from the store when the first kept its counts.
        for _attempt in range(2):
            with db.connect() as conn, conn.begin():
                result = _search(conn, store, labels, fq)
                hits, facets = _plain_counts(conn, labels, where, values)
            assert result.hits == hits, (labels, fq)
            assert _as_dicts(result) == facets, (labels, fq)


def test_counts_equal_a_plain_group_by_before_and_after_writes(db: Engine):
    """Random filters and permission label sets give the counts of a plain GROUP BY,
    through writes, deletions and privacy changes, with the counts reused in between."""
    rng = random.Random(2026)
    store = counts.DictCountStore()
    docs = [_random_doc(rng, number) for number in range(60)]
    _write(db, docs)
    _check_random_searches(db, store, rng)
    assert store.entries, "the counts were never kept"

    changed = [dict(doc, tags=rng.sample(TAGS, 2)) for doc in rng.sample(docs, 10)]
    _write(db, changed)
    _check_random_searches(db, store, rng)

    gone = rng.choice(docs)
    with db.begin() as connection:
        engine.delete_by_query(connection, f'id:"{gone["id"]}"')
    _check_random_searches(db, store, rng)

    public = next(doc for doc in docs if doc["private"] and doc is not gone)
    _write(db, [dict(public, private=False, capacity="public", permission_labels=["public"])])
    _check_random_searches(db, store, rng)


def test_a_second_search_reads_its_counts_from_the_store(db: Engine):
    """What the store holds is what the next search returns, while the index is unchanged."""
    rng = random.Random(1)
    _write(db, [_random_doc(rng, number) for number in range(20)])
    store = counts.DictCountStore()
    first = _read(db, store, ["public"], [])
    (key, _raw), = store.entries.items()
    store.put(key, (999, {"organization": ["kept", 7]}))
    second = _read(db, store, ["public"], [])
    assert second.hits == 999
    assert second.facets["facet_fields"]["organization"] == ["kept", 7]
    assert second.facets["facet_fields"]["tags"] == []
    # The page itself is always read from the table.
    assert [doc["name"] for doc in second.docs] == [doc["name"] for doc in first.docs]


def test_a_write_makes_the_next_search_count_again(db: Engine):
    rng = random.Random(2)
    docs = [_random_doc(rng, number) for number in range(20)]
    _write(db, docs)
    store = counts.DictCountStore()
    before = _read(db, store, ["public"], [])
    _write(db, [_doc("nouveau-jeu", "Nouveau jeu", organization="org-new")])
    after = _read(db, store, ["public"], [])
    assert after.hits == before.hits + 1
    assert _as_dicts(after)["organization"]["org-new"] == 1
    assert len(store.entries) == 2


def test_uncommitted_writes_are_neither_shared_nor_kept(db: Engine):
    """A transaction sees its own writes in its counts and keeps none of them; another
    transaction's counts meanwhile exclude them; after the rollback nothing is left."""
    rng = random.Random(3)
    _write(db, [_random_doc(rng, number) for number in range(20)])
    store = counts.DictCountStore()
    committed = _read(db, store, ["public"], [])
    kept = dict(store.entries)
    with db.connect() as writer:
        transaction = writer.begin()
        engine.index_documents(writer, [_doc("brouillon", "Brouillon", organization="org-x")])
        own = _search(writer, store, ["public"], [])
        assert own.hits == committed.hits + 1
        assert store.entries == kept, "counts of an uncommitted write were kept"

        other = _read(db, store, ["public"], [])
        assert other.hits == committed.hits
        transaction.rollback()

    again = _read(db, store, ["public"], [])
    assert again.hits == committed.hits
    assert "org-x" not in _as_dicts(again)["organization"]


def test_a_rolled_back_write_never_brings_back_a_token(db: Engine):
    """The token a rolled-back transaction wrote is never current again."""
    _write(db, [_doc("un", "Un")])
    before = _generation(db)
    with db.connect() as conn:
        transaction = conn.begin()
        engine.index_documents(conn, [_doc("deux", "Deux")])
        uncommitted = conn.execute(sa.text(f"SELECT token FROM {ddl.GENERATION_TABLE}")).scalar()
        assert counts.current_generation(conn) is None
        transaction.rollback()
    assert _generation(db) == before
    _write(db, [_doc("trois", "Trois")])
    assert _generation(db) not in (before, uncommitted)


@pytest.mark.parametrize("params", [
    {"facet.limit": 2}, {"facet.mincount": 3}, {"facet.limit": -1}, {"facet.mincount": 0},
])
def test_facet_parameters_are_part_of_what_is_kept(db: Engine, params: dict[str, Any]):
    """facet.limit and facet.mincount give their own counts, kept apart from the defaults."""
    rng = random.Random(4)
    _write(db, [_random_doc(rng, number) for number in range(30)])
    store = counts.DictCountStore()
    plain = _read(db, None, ["public"], [], **params)
    _read(db, store, ["public"], [])
    first = _read(db, store, ["public"], [], **params)
    second = _read(db, store, ["public"], [], **params)
    assert first.facets == second.facets == plain.facets
    assert len(store.entries) == 2


def test_the_page_in_the_default_order_uses_the_recent_index(db: Engine):
    """With counts kept, a search without text reads its page through the index of the
    default order instead of sorting the catalogue."""
    rng = random.Random(5)
    _write(db, [_random_doc(rng, number) for number in range(300)])
    store = counts.DictCountStore()
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().startswith("WITH page"):
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    with db.begin() as conn:
        conn.execute(sa.text(f"ANALYZE {ddl.TABLE}"))
    with db.connect() as conn, conn.begin():
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        _search(conn, store, ["public"], [], sort="score desc, metadata_modified desc")
        sa.event.listen(conn, "before_cursor_execute", explain)
        _search(conn, store, ["public"], [], sort="score desc, metadata_modified desc")
        sa.event.remove(conn, "before_cursor_execute", explain)
    assert plans and f"{ddl.TABLE}_recent_idx" in plans[0], plans


def test_a_store_that_fails_costs_the_counts_not_the_search(db: Engine):
    class Broken:
        def get(self, key: str) -> Any:
            raise ConnectionError("down")

        def put(self, key: str, value: Any) -> None:
            raise ConnectionError("down")

    rng = random.Random(6)
    _write(db, [_random_doc(rng, number) for number in range(10)])
    store = counts.RedisCountStore("test:", 60, redis=Broken())
    with db.connect() as conn, conn.begin():
        result = _search(conn, store, ["public"], [])
        hits, _facets = _plain_counts(conn, ["public"])
    assert result.hits == hits


def test_counts_of_a_window_relative_to_now_are_not_kept(db: Engine):
    """``NOW`` moves with every request: such counts would never be read again."""
    rng = random.Random(7)
    _write(db, [_random_doc(rng, number) for number in range(10)])
    store = counts.DictCountStore()
    moving = _read(db, store, ["public"], ["metadata_modified:[NOW-10YEARS TO NOW]"])
    with db.connect() as conn, conn.begin():
        assert moving.hits == _plain_counts(conn, ["public"])[0] > 0
    assert store.entries == {}
    _read(db, store, ["public"], ["metadata_modified:[2020-01-01T00:00:00Z TO *]"])
    assert len(store.entries) == 1


def test_the_redis_store_reports_and_forgets_its_entries():
    """What the benchmark reports: entries and bytes under the store's prefix only."""
    store = counts.RedisCountStore("ckan:test:postgres_search:counts-test:", 60)
    other = counts.RedisCountStore("ckan:test:postgres_search:other-test:", 60)
    store.clear()
    other.put("x", (1, {}))
    store.put("a", (3, {"tags": ["eau", 2]}))
    store.put("b", (4, {}))
    entries, size = store.memory()
    assert entries == 2 and size > 0
    assert store.get("a") == (3, {"tags": ["eau", 2]})
    assert store.clear() == 2
    assert store.memory() == (0, 0)
    assert other.get("x") == (1, {})
    other.clear()
