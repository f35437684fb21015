"""Territory, organization territory and responsibility rule tables."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.suite.rows import new_id, utcnow

__all__ = ["LEVELS", "Territory", "OrganizationTerritory", "ResponsibilityRule",
           "territory_id", "normalise"]

#: Territorial levels, from the smallest to the largest.
LEVELS = ("commune", "epci", "departement", "region", "national")


def territory_id(level: str, code: str) -> str:
    """The id of a territory: its level and code, because a département and a région share codes."""
    return f"{level}:{code}"


def normalise(text: Any) -> str:
    """Lower case, no accents, words separated by one space: how names are searched and compared."""
    text = str(text or "").replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.replace("Æ", "Ae"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.lower()).split())


class Territory(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A commune, EPCI, département, région or the nation, with its parents and ancestors."""

    __tablename__ = "territorial_consolidation_territory"

    id = sa.Column(sa.UnicodeText, primary_key=True)
    code = sa.Column(sa.UnicodeText, nullable=False, index=True)
    level = sa.Column(sa.UnicodeText, nullable=False)
    name = sa.Column(sa.UnicodeText, nullable=False)
    # normalise(name): searched with LIKE, accents and case ignored.
    search_name = sa.Column(sa.UnicodeText, nullable=False)
    population = sa.Column(sa.Integer)
    # Direct parents (a commune: its EPCI and its département) and every territory above,
    # stored so that "every commune within this EPCI or région" is one indexed query.
    parent_ids = sa.Column(ARRAY(sa.UnicodeText), nullable=False, default=list)
    ancestor_ids = sa.Column(ARRAY(sa.UnicodeText), nullable=False, default=list)
    # official (the loader, from the INSEE and DGCL files) or manual (territory_create).
    origin = sa.Column(sa.UnicodeText, nullable=False, default="manual")
    # Set by a reload when the official files no longer list the territory: kept, so that
    # datasets and organizations linked to it keep their link, but flagged.
    obsolete = sa.Column(sa.Boolean, nullable=False, default=False)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, id_: str) -> "Territory | None":
        return model.Session.get(cls, id_)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "code": self.code,
            "level": self.level,
            "name": self.name,
            "parent_ids": list(self.parent_ids or []),
            "obsolete": bool(self.obsolete),
        }
        if self.population is not None:
            data["population"] = self.population
        return data


class OrganizationTerritory(tk.BaseModel):  # type: ignore[misc, valid-type]
    """The territory an organization (a local authority) stands for."""

    __tablename__ = "territorial_consolidation_organization_territory"

    # A core id, without a foreign key: core tables are not ours to constrain.
    organization_id = sa.Column(sa.UnicodeText, primary_key=True)
    territory_id = sa.Column(sa.UnicodeText, nullable=False, index=True)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @classmethod
    def get(cls, organization_id: str) -> "OrganizationTerritory | None":
        return model.Session.get(cls, organization_id)


class ResponsibilityRule(tk.BaseModel):  # type: ignore[misc, valid-type]
    """"Qui ouvre quoi": the level responsible for opening data of a schema, theme or keyword."""

    __tablename__ = "territorial_consolidation_responsibility_rule"
    __table_args__ = (
        sa.UniqueConstraint("kind", "value",
                            name="territorial_consolidation_responsibility_rule_kind_value_key"),
    )

    id = sa.Column(sa.UnicodeText, primary_key=True, default=new_id)
    kind = sa.Column(sa.UnicodeText, nullable=False)  # schema, theme, keyword
    value = sa.Column(sa.UnicodeText, nullable=False)
    level = sa.Column(sa.UnicodeText, nullable=False)
    note = sa.Column(sa.UnicodeText)
    created_by = sa.Column(sa.UnicodeText)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    @classmethod
    def get(cls, id_: str) -> "ResponsibilityRule | None":
        return model.Session.get(cls, id_)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "value": self.value, "level": self.level,
                "note": self.note, "created": self.created.isoformat()}
