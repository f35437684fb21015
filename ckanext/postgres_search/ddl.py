"""SQL that creates the search schema; shared by the migration and the test setup."""
from __future__ import annotations

#: Text search configuration: French stemming with accent folding.
TS_CONFIG = "ckan_fr"

TABLE = "postgres_search_document"

UPGRADE: list[str] = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""
    DO $$
    BEGIN
        -- Only a configuration visible on the search path can be used by
        -- name, so one left in another schema does not count.
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config
                       WHERE cfgname = '{TS_CONFIG}' AND pg_ts_config_is_visible(oid)) THEN
            CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG}
                ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart
                WITH unaccent, french_stem;
        END IF;
    END
    $$
    """,
    f"""
    CREATE TABLE {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        site_id text NOT NULL,
        entity_type text NOT NULL DEFAULT 'package',
        name text,
        state text,
        capacity text,
        dataset_type text,
        permission_labels text[] NOT NULL DEFAULT '{{}}',
        terms jsonb NOT NULL,
        facet_values text[] NOT NULL DEFAULT '{{}}',
        filter_terms text[] NOT NULL DEFAULT '{{}}',
        stored jsonb NOT NULL,
        data_dict text,
        validated_data_dict text,
        search_vector tsvector NOT NULL,
        title_string text,
        metadata_created timestamptz,
        metadata_modified timestamptz,
        indexed_ts timestamptz NOT NULL DEFAULT now()
    )
    -- Rows are moved to TOAST down to 1 kB instead of 2 kB, which keeps the
    -- heap that every filter scans small; the large columns (data dicts,
    -- stored document, terms, search vector) are only read for a page of
    -- results or a text match.
    WITH (toast_tuple_target = 1024)
    """,
    # Facets read facet_values for every matched row: keep it inline and
    # uncompressed unless the row cannot fit otherwise.
    f"ALTER TABLE {TABLE} ALTER COLUMN facet_values SET STORAGE MAIN",
    f"""
    DO $$
    BEGIN
        -- lz4 compresses and decompresses the large columns several times
        -- faster than pglz; it needs PostgreSQL 14+ built with lz4.
        EXECUTE 'ALTER TABLE {TABLE}
            ALTER COLUMN terms SET COMPRESSION lz4,
            ALTER COLUMN stored SET COMPRESSION lz4,
            ALTER COLUMN data_dict SET COMPRESSION lz4,
            ALTER COLUMN validated_data_dict SET COMPRESSION lz4,
            ALTER COLUMN search_vector SET COMPRESSION lz4';
    EXCEPTION WHEN feature_not_supported OR syntax_error THEN
        NULL;
    END
    $$
    """,
    f"CREATE INDEX {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE INDEX {TABLE}_name_idx ON {TABLE} (name)",
    # Exact-value filters (fq) go through this index on every search. Array
    # containment is exact in GIN, so matched rows are not rechecked and the
    # (toasted) values are never read back; jsonb_path_ops on ``terms``
    # hashes its keys and made every match detoast the whole document.
    # Without a pending list the cost does not depend on how recently
    # documents were indexed, for a small price at insert time.
    f"CREATE INDEX {TABLE}_filter_idx ON {TABLE} USING gin (filter_terms) WITH (fastupdate = off)",
    f"CREATE INDEX {TABLE}_vector_idx ON {TABLE} USING gin (search_vector)",
    f"CREATE INDEX {TABLE}_labels_idx ON {TABLE} USING gin (permission_labels)",
    f"CREATE INDEX {TABLE}_modified_idx ON {TABLE} (metadata_modified)",
]

def head_vector_sql(terms: str) -> str:
    """The head vector of a document from its ``terms`` (an SQL expression): title and name
    (weight A), tags, groups and organization (weight B)."""
    def words(*names: str) -> str:
        return " || ".join(f"coalesce({terms} -> '{name}', '[]')" for name in names)
    return (f"setweight(to_tsvector('{TS_CONFIG}'::regconfig, {words('title', 'name')}), 'A')"
            f" || setweight(to_tsvector('{TS_CONFIG}'::regconfig,"
            f" {words('tags', 'groups', 'organization')}), 'B')")


#: Holds one token, changed by every transaction that writes to the document table:
#: counts cached under a token are exact for as long as it is current.
GENERATION_TABLE = "postgres_search_generation"

#: Runs of the rebuild (``rebuild.py``).
REBUILD_TABLE = "postgres_search_rebuild"

#: A planner hint for text matches, see SCALE_UPGRADE.
VECTOR_READ = f"{TABLE}_vector_read"

#: Second revision: the head vector (ranked first when a query matches many datasets),
#: the generation token and its trigger, an index matching the default order of a
#: search without text (newest first, ties by ``index_id``), the text match's cost, and
#: the record of rebuild runs. Functions are replaced, not created: resetting a database by dropping
#: its tables (as CKAN's test reset does) leaves them behind.
SCALE_UPGRADE: list[str] = [
    # Title and name (weight A), tags, groups and organization (weight B): a few words
    # per dataset, kept inline, ranked first when a query matches many datasets.
    f"ALTER TABLE {TABLE} ADD COLUMN head_vector tsvector",
    f"ALTER TABLE {TABLE} ALTER COLUMN head_vector SET STORAGE MAIN",
    f"UPDATE {TABLE} SET head_vector = {head_vector_sql('terms')}",
    f"""
    CREATE TABLE {GENERATION_TABLE} (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        token text NOT NULL
    )
    """,
    f"INSERT INTO {GENERATION_TABLE} (token) VALUES (txid_current()::text)",
    # The writer's transaction id: never reused, so a rolled-back write can never
    # bring back a token whose cached counts described its uncommitted rows. The
    # row lock it takes lasts until the writer's commit, which keeps two writers
    # from committing under one token.
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_bump_generation() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        UPDATE {GENERATION_TABLE} SET token = txid_current()::text;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_bump_generation()
    """,
    # Runs of ``ckan search-index rebuild-fast``: an unfinished one is resumed.
    f"""
    CREATE TABLE {REBUILD_TABLE} (
        started timestamptz PRIMARY KEY,
        finished timestamptz,
        indexed integer,
        failed integer
    )
    """,
    f'CREATE INDEX {TABLE}_recent_idx ON {TABLE} (metadata_modified DESC NULLS LAST, index_id COLLATE "C")',
    # Always true. PostgreSQL prices ``vector @@ query`` like any operator, but testing a
    # stored vector means reading it from TOAST and decompressing it: scanning the table
    # to test every vector is many times slower than the text index, which the planner
    # picked too rarely (45 ms instead of 7 ms on 10,000 datasets). Added to each text
    # match, this function's declared cost tells the planner so; the compiler puts it
    # where the executor never calls it (``compiler._VECTOR_HINT``).
    f"""
    CREATE OR REPLACE FUNCTION {VECTOR_READ}(tsvector) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE COST 1000 AS $$
    BEGIN
        RETURN true;
    END
    $$
    """,
]

SCALE_DOWNGRADE: list[str] = [
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS head_vector",
    f"DROP TABLE IF EXISTS {REBUILD_TABLE}",
    f"DROP FUNCTION IF EXISTS {VECTOR_READ}(tsvector)",
    f"DROP INDEX IF EXISTS {TABLE}_recent_idx",
    f"DROP TRIGGER IF EXISTS {TABLE}_generation ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_bump_generation()",
    f"DROP TABLE IF EXISTS {GENERATION_TABLE}",
]

#: Third revision: no parallel plan for a text search. The hint is priced, never called
#: (``compiler._VECTOR_HINT``), so its cost, spread over workers, made PostgreSQL plan
#: two-word searches matching a tenth of 100,000 datasets in parallel (41 of 60 queries
#: of the benchmark, 4 before): starting workers for a 20 to 40 ms statement on a small
#: machine shared by the web workers costs more than it brings. A function that is not
#: parallel safe anywhere in a statement keeps the whole statement serial.
SERIAL_UPGRADE: list[str] = [f"ALTER FUNCTION {VECTOR_READ}(tsvector) PARALLEL UNSAFE"]
SERIAL_DOWNGRADE: list[str] = [f"ALTER FUNCTION {VECTOR_READ}(tsvector) PARALLEL SAFE"]

#: Every revision in order, for a schema built without alembic (the engine tests).
ALL_UPGRADES: list[str] = UPGRADE + SCALE_UPGRADE + SERIAL_UPGRADE

DOWNGRADE: list[str] = [
    f"DROP TABLE IF EXISTS {TABLE}",
    # The configuration and extension may be shared with other users of the
    # database, so they are left in place on downgrade.
]
