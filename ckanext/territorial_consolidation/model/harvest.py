"""Harvest provenance: where each harvested dataset comes from, and whether it mirrors another."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import utcnow

__all__ = ["HarvestRun", "Provenance"]


class Provenance(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One harvested local dataset and the remote dataset it copies.

    Written by the harvesters (source, remote and territory columns); the duplicate
    detection writes ``canonical_package_id`` and ``duplicate_reason``.
    """

    __tablename__ = "territorial_consolidation_provenance"

    # Core ids, without foreign keys: core tables are not ours to constrain.
    package_id = sa.Column(sa.UnicodeText, primary_key=True)
    harvest_source_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    portal_kind = sa.Column(sa.UnicodeText, nullable=False)  # ckan, udata, ods, dcat
    portal_url = sa.Column(sa.UnicodeText, nullable=False)
    remote_id = sa.Column(sa.UnicodeText, nullable=False)
    remote_url = sa.Column(sa.UnicodeText)
    # URI or dct:identifier declared by the source, used to recognise duplicates.
    identifier = sa.Column(sa.UnicodeText, index=True)
    remote_modified = sa.Column(sa.DateTime)
    territory_code = sa.Column(sa.UnicodeText, index=True)
    territorial_level = sa.Column(sa.UnicodeText)
    # Hash of the remote record as fetched: an unchanged record is not imported again.
    content_hash = sa.Column(sa.UnicodeText)
    # Resource URLs and content hashes known for the remote dataset, for duplicates.
    resource_urls = sa.Column(JSONB, nullable=False, default=list)
    harvested = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    # Set when the remote dataset was missing from a complete gather; withdrawn after
    # the grace period, cleared when it comes back.
    missing_since = sa.Column(sa.DateTime)
    withdrawn = sa.Column(sa.DateTime)
    canonical_package_id = sa.Column(sa.UnicodeText, index=True)
    duplicate_reason = sa.Column(sa.UnicodeText)

    __table_args__ = (
        sa.UniqueConstraint("harvest_source_id", "remote_id",
                            name="territorial_consolidation_provenance_source_remote_key"),
    )

    @classmethod
    def get(cls, package_id: str) -> "Provenance | None":
        return model.Session.get(cls, package_id)


class HarvestRun(tk.BaseModel):  # type: ignore[misc, valid-type]
    """What one harvest job's gather saw, beside ckanext-harvest's own job record.

    Unchanged records create no harvest object, so their count lives here, with
    whether the gather was complete (the only kind that may withdraw datasets).
    """

    __tablename__ = "territorial_consolidation_harvest_run"

    harvest_job_id = sa.Column(sa.UnicodeText, primary_key=True)
    harvest_source_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    started = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    # Incremental gathers ask only for records modified after ``since``.
    since = sa.Column(sa.DateTime)
    complete = sa.Column(sa.Boolean, nullable=False, default=False)
    gathered = sa.Column(sa.Integer, nullable=False, default=0)
    unchanged = sa.Column(sa.Integer, nullable=False, default=0)
    # Newly missing from a complete gather, still inside the grace period.
    missing = sa.Column(sa.Integer, nullable=False, default=0)

    @classmethod
    def get(cls, harvest_job_id: str) -> "HarvestRun | None":
        return model.Session.get(cls, harvest_job_id)
