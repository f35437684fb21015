"""Solr-compatible indexing, deletion and search over the PostgreSQL document table."""
from __future__ import annotations

import concurrent.futures
import dataclasses
import fnmatch
import re
from typing import Any, Iterable, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ckan.lib.search.common import SearchQueryError

from . import compiler, counts, ddl, document, fields, lucene

__all__ = ["SearchResult", "index_documents", "delete_by_query", "search"]

Conn = Union[Connection, Session]

#: Documents per INSERT statement: large enough to amortise the round
#: trip, small enough to keep the JSON parameter to a few megabytes.
BATCH_SIZE = 250

# Core merges fq_list into fq itself and pops extras before searching; both
# can still reach the connection, and Solr ignores them.
_IGNORED_PARAMS = frozenset({"fq_list", "extras"})
_KNOWN_PARAMS = frozenset({
    "q", "fq", "rows", "start", "sort", "fl", "facet", "facet.field", "facet.limit",
    "facet.mincount", "defType", "qf", "mm", "tie", "df", "q.op", "wt", "bf", "boost",
}) | _IGNORED_PARAMS

#: A text search ranked by relevance ranks every match on the whole text up to this many
#: matches; beyond, only the ``RANK_POOL`` best by the head vector (title, name, tags,
#: groups, organization), so that a common word does not read every dataset's text.
EXACT_RANK_LIMIT = 1000
RANK_POOL = 500

#: Returned fields that come from their own columns rather than ``stored``.
_COLUMN_OUTPUTS = frozenset({"data_dict", "validated_data_dict", "indexed_ts"})

_QF_RE = re.compile(r"^\s*(?:[A-Za-z0-9_\-.*]+(?:\^\d+(?:\.\d+)?)?\s*)+$")
_FL_RE = re.compile(r"^[A-Za-z0-9_\-.*]+$")


@dataclasses.dataclass
class SearchResult:
    """What pysolr's ``Results`` offers CKAN: docs, hits and facets."""

    docs: list[dict[str, Any]]
    hits: int
    facets: dict[str, Any]

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Any:
        return iter(self.docs)


def index_documents(conn: Conn, docs: list[dict[str, Any]]) -> None:
    """Insert or replace (by ``index_id``) the given Solr documents."""
    # One INSERT ... ON CONFLICT cannot touch a row twice; the last version
    # of a document wins, as it would in Solr.
    unique = list({str(doc.get("index_id")): doc for doc in docs}.values())
    batches = [unique[start:start + BATCH_SIZE] for start in range(0, len(unique), BATCH_SIZE)]
    statement = sa.text(document.UPSERT_SQL)
    if len(batches) <= 1:
        for batch in batches:
            conn.execute(statement, {"rows": _payload(batch)})
        return
    # The driver releases the GIL while the database writes a batch, so the
    # next one is prepared meanwhile and both cores stay busy.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(_payload, batches[0])
        for following in batches[1:] + [None]:
            payload = upcoming.result()
            if following is not None:
                upcoming = pool.submit(_payload, following)
            conn.execute(statement, {"rows": payload})


def _payload(batch: list[dict[str, Any]]) -> str:
    return document.rows_payload(document.to_row(doc) for doc in batch)


def delete_by_query(conn: Conn, q: str) -> int:
    """Delete the documents matching a Lucene query (``*:*`` deletes all); returns how many."""
    # Solr's update handler parses with the default operator (OR) and df=text.
    node = lucene.parse(q)
    # Deletions name documents by id: no text match to steer the planner for.
    query_compiler = compiler.QueryCompiler(vector_hint=False)
    query_compiler.analyse(conn, query_compiler.text_atoms(node, "text"))
    where = query_compiler.compile(node, "text")
    # A DML result is a CursorResult, which is what carries rowcount.
    result: Any = conn.execute(sa.text(f"DELETE FROM {ddl.TABLE} AS d WHERE {where}"), query_compiler.params)
    return int(result.rowcount)


@dataclasses.dataclass
class _FieldList:
    names: list[str]
    patterns: list[str]
    wildcard: bool
    score: bool

    def wants(self, name: str) -> bool:
        return self.wildcard or name in self.names or any(
            fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)


@dataclasses.dataclass
class _Facets:
    fields: list[str]
    limit: int
    mincount: int


def search(conn: Conn, count_store: Optional[counts.CountStore] = None,
           second_revision: bool = True,
           rank_limits: Optional[tuple[int, int]] = (EXACT_RANK_LIMIT, RANK_POOL),
           **params: Any) -> SearchResult:
    """Run a Solr select with the parameters CKAN core hands to pysolr.

    With a ``count_store``, the hits and facet counts are read from it when the index
    has not changed since they were kept, and kept there otherwise (see ``counts``).
    ``second_revision``: whether the database has the second migration's objects (the
    generation token, the head vector, the text match hint); without them nothing is
    cached and every match is ranked. ``rank_limits``: see ``EXACT_RANK_LIMIT``.
    Raises SearchQueryError for unknown parameters and unsupported values.
    """
    unknown = sorted(set(params) - _KNOWN_PARAMS)
    if unknown:
        raise SearchQueryError(f"Unsupported search parameters: {', '.join(unknown)}")
    for unsupported in ("bf", "boost"):
        if params.get(unsupported):
            raise SearchQueryError(f"The {unsupported!r} search parameter is not supported")
    # Results are always Python objects, which is what pysolr makes of JSON.
    _choice(params, "wt", ("json",), "json")
    default_operator = _choice(params, "q.op", ("AND", "OR"), "OR")
    default_field = params.get("df") or "text"
    if not isinstance(default_field, str) or not fields.is_valid_name(default_field):
        raise SearchQueryError(f"Invalid df parameter: {default_field!r}")
    rows = _integer(params, "rows", 10, minimum=0)
    start = _integer(params, "start", 0, minimum=0)

    if not second_revision:
        count_store = None
    query_compiler = compiler.QueryCompiler(vector_hint=second_revision)
    queries = _parse_queries(params, default_operator, default_field)
    atoms = [atom for node, field in queries if node is not None
             for atom in query_compiler.text_atoms(node, field)]
    query_compiler.analyse(conn, atoms)
    conditions = [
        "FALSE" if node is None else query_compiler.compile(node, field) for node, field in queries]
    # The conditions' own values: with the conditions and facets, all the counts depend on.
    condition_values = list(query_compiler.params.values())
    sort_keys = query_compiler.sort_keys(params.get("sort"))
    field_list = _field_list(params.get("fl"))
    facets = _facets(params)

    def key_for(token: str) -> str:
        return counts.cache_key(token, conditions, condition_values,
                                dataclasses.asdict(facets) if facets else None)

    if query_compiler.uses_now:
        # Counts of a moving window would never be read again.
        count_store = None
    cached: Optional[counts.Counts] = None
    if count_store is not None:
        token = counts.current_generation(conn)
        cached = count_store.get(key_for(token)) if token is not None else None
    shape = _Shape(counted=cached is None, with_generation=cached is None and count_store is not None,
                   rank_limits=rank_limits if second_revision else None)
    sql = _search_sql(query_compiler, conditions, sort_keys, field_list, facets, rows, start, shape)
    result_rows = conn.execute(sa.text(sql), query_compiler.params).fetchall()
    result, generation = _result(result_rows, field_list, facets, cached)
    if count_store is not None and generation is not None:
        count_store.put(key_for(generation), (result.hits, result.facets.get("facet_fields", {})))
    return result


def _parse_queries(params: dict[str, Any], default_operator: str,
                   default_field: str) -> list[tuple[Optional[lucene.Node], str]]:
    """The main query then each filter query, with the default field to compile them with."""
    q = params.get("q")
    if q is not None and not isinstance(q, str):
        raise SearchQueryError("The q parameter must be a string")
    def_type = _choice(params, "defType", ("lucene", "dismax"), "lucene")
    main: Optional[lucene.Node] = None
    if q and q.strip():
        if def_type == "dismax":
            qf = params.get("qf")
            if qf is not None and not (isinstance(qf, str) and _QF_RE.match(qf)):
                raise SearchQueryError(f"Invalid qf parameter: {qf!r}")
            # tie only weighs scores between query fields; the single search
            # vector has no per-field scores, so it is validated and unused.
            try:
                float(params.get("tie") or 0)
            except (TypeError, ValueError):
                raise SearchQueryError(f"Invalid tie parameter: {params.get('tie')!r}")
            mm = params.get("mm")
            if mm is None:
                # Solr's default mm follows q.op.
                mm = "100%" if default_operator == "AND" else "0%"
            # DisMax searches the query fields, which all feed the search vector.
            main = lucene.parse_dismax(q, str(mm))
            default_field_for_q = "text"
        else:
            main = lucene.parse(q, default_operator)
            default_field_for_q = default_field
    else:
        # Solr returns nothing for an empty main query.
        default_field_for_q = default_field
    queries: list[tuple[Optional[lucene.Node], str]] = [(main, default_field_for_q)]
    for fq in _string_list(params.get("fq"), "fq"):
        if fq.strip():
            queries.append((lucene.parse(fq, default_operator), default_field))
    return queries


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What a search statement computes besides its page of results."""

    #: The hits and facet counts (False: they come from the count store).
    counted: bool
    #: The generation token read in the statement's own snapshot, to keep the counts under.
    with_generation: bool
    #: ``(exact, pool)``: beyond ``exact`` matches, only the ``pool`` best by the head
    #: vector are ranked on the whole text; None: every match is (no head vector).
    rank_limits: Optional[tuple[int, int]] = None


def _search_sql(query_compiler: compiler.QueryCompiler, conditions: list[str],
                sort_keys: list[compiler.SortKey], field_list: _FieldList,
                facets: Optional[_Facets], rows: int, start: int, shape: _Shape) -> str:
    bind = query_compiler.bind
    needs_score = field_list.score or any(key.expression == "score" for key in sort_keys)
    rank_query = query_compiler.rank_query
    where = " AND ".join(f"({condition})" for condition in conditions)
    # Ranked by relevance first, on text: the pool (see _Shape.rank_limits) applies.
    pooled = bool(shape.rank_limits and rank_query is not None and sort_keys
                  and sort_keys[0].expression == "score" and sort_keys[0].descending)
    score = None
    if needs_score:
        score = "1.0::float8" if rank_query is None else _rank("d.search_vector", rank_query, bind)
    # The sort keys as columns of the matched rows, and as expressions over ``d``.
    if pooled:
        columns = ["d.index_id", f"{_head_rank(rank_query, bind)} AS head"]
    else:
        columns = ["d.index_id", f"{score} AS score" if score else "NULL::float8 AS score"]
    by_column, by_expression = [], []
    for index, key in enumerate(sort_keys):
        direction = f"{'DESC' if key.descending else 'ASC'} NULLS LAST"
        if key.expression == "score":
            by_column.append(f"score {direction}")
            if rank_query is not None:
                by_expression.append(f"score {direction}")
            # Without text every score is equal: no key, so that an index can give the order.
            continue
        collate = ' COLLATE "C"' if key.is_text else ""
        columns.append(f"{key.expression} AS s{index}")
        # Like Solr's sortMissingLast, documents without the value come last in both directions.
        by_column.append(f"s{index}{collate} {direction}")
        by_expression.append(f"({key.expression}){collate} {direction}")
    # Solr breaks ties by index order; the unique key keeps paging stable.
    by_column.append('index_id COLLATE "C" ASC')
    by_expression.append('d.index_id COLLATE "C" ASC')
    page_columns = ["top.index_id", "top.score"]

    ctes = []
    if shape.counted or pooled:
        matched_columns = list(columns)
        if shape.counted and facets and facets.limit != 0 and facets.fields:
            if any(fields.is_fast_facet(name) for name in facets.fields):
                matched_columns.append("d.facet_values")
            if not all(fields.is_fast_facet(name) for name in facets.fields):
                matched_columns.append("d.terms")
        ctes.append(f"""m AS MATERIALIZED (
        SELECT {', '.join(matched_columns)}
        FROM {ddl.TABLE} AS d
        WHERE {where}
    )""")
        source = "m"
        if pooled:
            exact, pool = shape.rank_limits or (0, 0)
            # Past ``exact`` matches, the head vector (a few words a dataset, kept inline)
            # ranks the matches in blocks of ``pool``; only the blocks the page needs are
            # read and ranked on the whole text, block after block, so that every page
            # of a search follows the previous one.
            blocks = -(-(start + rows) // pool) if pool > 0 else 1
            head_order = ["head DESC NULLS LAST"] + by_column[1:]
            # A top-N sort keeps the blocks needed; numbering only those is cheap.
            ctes.append(f"""many AS (SELECT count(*) > {bind(exact)} AS many FROM m)""")
            ctes.append(f"""pool AS (
        SELECT h.*, CASE WHEN (SELECT many FROM many)
                         THEN (row_number() OVER (ORDER BY {', '.join(head_order)}) - 1)
                              / {bind(max(pool, 1))}
                         ELSE 0 END AS block
        FROM (SELECT * FROM m ORDER BY {', '.join(head_order)}
              LIMIT (SELECT CASE WHEN many THEN CAST({bind(blocks * max(pool, 1))} AS bigint) END
                     FROM many)) AS h
    )""")
            ctes.append(f"""ranked AS (
        SELECT pool.*, {score} AS score
        FROM pool JOIN {ddl.TABLE} AS d ON d.index_id = pool.index_id
    )""")
            source = "ranked"
            by_column.insert(0, "block ASC")
        top = (f"SELECT * FROM {source} ORDER BY {', '.join(by_column)}"
               f" LIMIT {bind(rows)} OFFSET {bind(start)}")
    else:
        # Only the page: a search in the default order walks the matching index and
        # stops after ``rows`` documents.
        top = (f"SELECT {', '.join(columns)} FROM {ddl.TABLE} AS d WHERE {where}"
               f" ORDER BY {', '.join(by_expression)} LIMIT {bind(rows)} OFFSET {bind(start)}")
    # Numbering only the page keeps the sort of the matched set a top-N sort.
    ctes.append(f"""page AS (
        SELECT {', '.join(page_columns)}, row_number() OVER (ORDER BY {', '.join(by_column)}) AS pos
        FROM ({top}) AS top
    )""")

    stored_names = [name for name in field_list.names if name not in _COLUMN_OUTPUTS]
    if field_list.wildcard or field_list.patterns:
        stored = "d.stored"
    elif stored_names:
        # Only the requested fields leave the database (fl=id for 1000 rows).
        stored = "jsonb_build_object(" + ", ".join(
            f"CAST({bind(name)} AS text), d.stored -> {bind(name)}" for name in stored_names) + ")"
    else:
        stored = "NULL::jsonb"
    data_dict = "d.data_dict" if field_list.wants("data_dict") else "NULL::text"
    validated = "d.validated_data_dict" if field_list.wants("validated_data_dict") else "NULL::text"
    selects = [
        "SELECT 1 AS kind, NULL::bigint AS n, page.pos, NULL::text AS field, NULL::text AS value,"
        f" page.score, {stored} AS stored, {data_dict} AS data_dict,"
        f" {validated} AS validated_data_dict, d.indexed_ts"
        f" FROM page JOIN {ddl.TABLE} AS d ON d.index_id = page.index_id",
    ]
    if shape.counted:
        selects.append("SELECT 0, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m")
    if shape.counted and facets and facets.limit != 0 and facets.fields:
        ctes.extend(_facet_ctes(facets, bind))
        limit = "" if facets.limit < 0 else f" WHERE facet_ranked.rank <= {bind(facets.limit)}"
        selects.append(
            "SELECT 2, facet_ranked.n, facet_ranked.rank, facet_ranked.field, facet_ranked.value,"
            f" NULL, NULL, NULL, NULL, NULL FROM facet_ranked{limit}")
    if shape.with_generation:
        # Read in the same snapshot as the counts; n = 1 when this transaction wrote it.
        selects.append(
            "SELECT 3, CASE WHEN g.token = coalesce(txid_current_if_assigned()::text, '')"
            " THEN 1 ELSE 0 END, NULL, NULL, g.token, NULL, NULL, NULL, NULL, NULL"
            f" FROM {ddl.GENERATION_TABLE} AS g")
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)


def _rank(vector: str, rank_query: str, bind: Any) -> str:
    return (f"ts_rank_cd(CAST('{compiler.RANK_WEIGHTS}' AS real[]), {vector},"
            f" CAST({bind(rank_query)} AS tsquery))::float8")


#: A lexeme of a tsquery as PostgreSQL writes it, quotes doubled, with its prefix and
#: weight marks.
_LEXEME_RE = re.compile(r"'(?:[^']|'')*'(?::[*A-D]+)?")


def _head_rank(rank_query: str, bind: Any) -> str:
    """The head vector's rank, computed only for the heads holding a lexeme of the query.

    A head without any of the query's lexemes ranks 0 (``ts_rank_cd`` finds nothing to
    cover), so testing for any of them first gives the same ranks; the test costs a
    fraction of the rank, which took 25 of the 45 ms of reading the 13,108 matches of a
    two-word query at 100,000 datasets (about half of whose heads hold neither word).
    A head vector that is NULL (a row indexed before it existed) stays NULL.
    """
    rank = _rank("d.head_vector", rank_query, bind)
    lexemes = _LEXEME_RE.findall(rank_query)
    if not lexemes:
        return rank
    any_lexeme = " | ".join(lexemes)
    return (f"CASE WHEN d.head_vector @@ CAST({bind(any_lexeme)} AS tsquery) THEN {rank}"
            " WHEN d.head_vector IS NOT NULL THEN 0::float8 END")


def _facet_ctes(facets: _Facets, bind: Any) -> list[str]:
    fast = [name for name in facets.fields if fields.is_fast_facet(name)]
    slow = [name for name in facets.fields if not fields.is_fast_facet(name)]
    counts = []
    if fast:
        # Count whole "field<US>value" entries first and split only the
        # distinct ones: unnesting a small array is the cheapest expansion.
        counts.append(f"""
        SELECT left(g.entry, strpos(g.entry, chr(31)) - 1) AS field,
            substr(g.entry, strpos(g.entry, chr(31)) + 1) AS value, g.n
        FROM (SELECT s.entry, count(*) AS n
              FROM (SELECT unnest(m.facet_values) AS entry FROM m) AS s
              GROUP BY s.entry
              -- Keeps the field filter after the grouping, on distinct entries.
              OFFSET 0) AS g
        WHERE left(g.entry, strpos(g.entry, chr(31)) - 1) = ANY(CAST({bind(fast)} AS text[]))""")
    if slow:
        # Other fields need each document's whole terms; values are distinct
        # per document (see document.to_row), so rows count documents.
        counts.append(f"""
        SELECT f.field, v.value, count(*) AS n
        FROM m CROSS JOIN unnest(CAST({bind(slow)} AS text[])) AS f(field)
            CROSS JOIN LATERAL jsonb_array_elements_text(m.terms -> f.field) AS v(value)
        GROUP BY f.field, v.value""")
    ctes = ["facet_counts AS (" + "\n        UNION ALL".join(counts) + "\n    )"]
    if facets.mincount <= 0:
        # facet.mincount=0 lists every indexed value, matched or not.
        ctes.append(f"""facet_all AS (
            SELECT a.field, a.value, coalesce(c.n, 0) AS n
            FROM (SELECT DISTINCT f.field, v.value
                  FROM {ddl.TABLE} AS d CROSS JOIN unnest(CAST({bind(facets.fields)} AS text[])) AS f(field)
                      CROSS JOIN LATERAL jsonb_array_elements_text(d.terms -> f.field) AS v(value)) AS a
            LEFT JOIN facet_counts AS c ON c.field = a.field AND c.value = a.value
        )""")
        source = "facet_all"
    else:
        source = f"(SELECT * FROM facet_counts WHERE n >= {bind(facets.mincount)}) AS c"
    ctes.append(f"""facet_ranked AS (
        SELECT field, value, n,
            row_number() OVER (PARTITION BY field ORDER BY n DESC, value COLLATE "C" ASC) AS rank
        FROM {source}
    )""")
    return ctes


def _result(rows: Iterable[Any], field_list: _FieldList, facets: Optional[_Facets],
            cached: Optional[counts.Counts]) -> tuple[SearchResult, Optional[str]]:
    """The search result, and the generation token its counts may be kept under (None
    when the statement did not read it or the current transaction wrote it)."""
    hits = 0
    generation: Optional[str] = None
    page: list[tuple[int, dict[str, Any]]] = []
    facet_values: dict[str, list[tuple[int, str, int]]] = {}
    for kind, n, pos, field, value, score, stored, data_dict, validated, indexed_ts in rows:
        if kind == 0:
            hits = int(n)
        elif kind == 1:
            page.append((pos, _output_doc(field_list, stored, data_dict, validated, indexed_ts, score)))
        elif kind == 2:
            facet_values.setdefault(field, []).append((pos, value, int(n)))
        elif not n:
            generation = value
    page.sort(key=lambda item: item[0])
    facet_output: dict[str, Any] = {}
    if facets is not None:
        facet_fields: dict[str, list[Any]] = {}
        for name in facets.fields:
            flat: list[Any] = []
            for _rank, value, count in sorted(facet_values.get(name, [])):
                flat.extend((value, count))
            facet_fields[name] = flat
        if cached is not None:
            facet_fields = {name: list(cached[1].get(name, [])) for name in facets.fields}
        facet_output = {
            "facet_queries": {}, "facet_fields": facet_fields, "facet_ranges": {},
            "facet_intervals": {}, "facet_heatmaps": {},
        }
    if cached is not None:
        hits = cached[0]
    docs = [doc for _pos, doc in page]
    return SearchResult(docs=docs, hits=hits, facets=facet_output), generation


def _output_doc(field_list: _FieldList, stored: Optional[dict[str, Any]], data_dict: Optional[str],
                validated: Optional[str], indexed_ts: Any, score: Optional[float]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in (stored or {}).items():
        # Solr only returns stored fields.
        if value is not None and field_list.wants(key) and fields.get_field(key).stored:
            doc[key] = value
    if data_dict is not None:
        doc["data_dict"] = data_dict
    if validated is not None:
        doc["validated_data_dict"] = validated
    if indexed_ts is not None and field_list.wants("indexed_ts"):
        doc["indexed_ts"] = compiler.format_solr_date(indexed_ts)
    if field_list.score:
        doc["score"] = float(score) if score is not None else 1.0
    return doc


def _field_list(fl: Any) -> _FieldList:
    if fl is None:
        items = ["*"]
    elif isinstance(fl, str):
        items = [item for item in re.split(r"[\s,]+", fl) if item]
    elif isinstance(fl, (list, tuple)) and all(isinstance(item, str) for item in fl):
        items = [part for item in fl for part in re.split(r"[\s,]+", item) if part]
    else:
        raise SearchQueryError(f"Invalid fl parameter: {fl!r}")
    if not items:
        items = ["*"]
    names, patterns = [], []
    wildcard = score = False
    for item in items:
        if item == "score":
            score = True
        elif item == "*":
            wildcard = True
        elif not _FL_RE.match(item):
            raise SearchQueryError(f"Unsupported fl entry: {item!r}")
        elif "*" in item:
            patterns.append(item)
        else:
            names.append(item)
    if score and not (names or patterns or wildcard):
        # Solr's "fl=score" alone still returns every stored field.
        wildcard = True
    return _FieldList(names, patterns, wildcard, score)


def _facets(params: dict[str, Any]) -> Optional[_Facets]:
    enabled = params.get("facet", False)
    if isinstance(enabled, str):
        if enabled.lower() not in ("true", "false", "on", "off"):
            raise SearchQueryError(f"Invalid facet parameter: {enabled!r}")
        enabled = enabled.lower() in ("true", "on")
    if not enabled:
        return None
    names = list(dict.fromkeys(_string_list(params.get("facet.field"), "facet.field")))
    for name in names:
        if not fields.is_valid_name(name):
            raise SearchQueryError(f"Unsupported facet.field: {name!r}")
        if not fields.get_field(name).indexed:
            raise SearchQueryError(f"Cannot facet on field {name!r}: it is not indexed")
    limit = _integer(params, "facet.limit", 100)
    mincount = _integer(params, "facet.mincount", 0)
    return _Facets(names, limit, mincount)


def _string_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise SearchQueryError(f"Invalid {name} parameter: {value!r}")


def _integer(params: dict[str, Any], name: str, default: int, minimum: Optional[int] = None) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f"Invalid {name} parameter: {value!r}")
    if isinstance(value, bool) or (minimum is not None and number < minimum):
        raise SearchQueryError(f"Invalid {name} parameter: {value!r}")
    return number


def _choice(params: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise SearchQueryError(f"Unsupported {name} value: {value!r}")
    return str(value)
