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

DOWNGRADE: list[str] = [
    f"DROP TABLE IF EXISTS {TABLE}",
    # The configuration and extension may be shared with other users of the
    # database, so they are left in place on downgrade.
]
