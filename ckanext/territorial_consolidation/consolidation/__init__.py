"""Consolidation engine: schema, reading, validation, merging, publication of same-schema files."""
