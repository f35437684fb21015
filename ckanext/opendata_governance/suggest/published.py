"""Which reference entries a set of public datasets covers, read in two grouped queries."""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ckan import model

from ckanext.opendata_governance.suggest.reference import Entry

__all__ = ["Hit", "datasets", "hits"]

_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyo"


@dataclasses.dataclass(frozen=True)
class Hit:
    """A territory (its code; "" for none) publishing an entry, and one dataset showing it."""

    code: str
    key: str
    name: str


def _territory_columns() -> tuple[sa.FromClause, sa.ColumnElement, sa.ColumnElement]:
    """The package table joined to its territory fields, wherever this CKAN keeps extras."""
    package = model.Package.__table__
    if "extras" in package.c:  # CKAN 2.12 keeps extras in a JSONB column
        return (package, package.c.extras["territory_code"].astext,
                package.c.extras["territorial_level"].astext)
    extra = model.PackageExtra.__table__
    code, level = extra.alias("territory_code"), extra.alias("territorial_level")
    joined = package.outerjoin(code, sa.and_(
        code.c.package_id == package.c.id, code.c.key == "territory_code",
        code.c.state == "active")).outerjoin(level, sa.and_(
            level.c.package_id == package.c.id, level.c.key == "territorial_level",
            level.c.state == "active"))
    return joined, code.c.value, level.c.value


def datasets(level: Optional[str] = None, peers: Optional[dict[str, Any]] = None,
             organization_id: Optional[str] = None,
             names: Optional[Iterable[str]] = None) -> sa.Subquery:
    """Active public datasets with their territory code: those of one organization, or
    those of the peer territories of one level (``peers``: territories by code) —
    harvested ones by their territory fields, local ones by their organization's
    territory. Private datasets never count nor show as evidence."""
    table, code, territorial_level = _territory_columns()
    package = model.Package.__table__
    territory = sa.func.coalesce(code, "")
    conditions = []
    if level is not None:
        codes = list(peers or {})
        conditions.append(sa.and_(territorial_level == level, code.in_(codes)))
        local = [(organization, territory_code)
                 for territory_code, item in (peers or {}).items()
                 for organization in item.get("organization_ids") or []]
        if local:
            owners = _pairs(local, "peer_organizations")
            table = table.outerjoin(owners, owners.c.text == package.c.owner_org)
            territory = sa.func.coalesce(code, owners.c.key, "")
            conditions.append(sa.and_(owners.c.key.isnot(None), code.is_(None)))
    query = sa.select(package.c.id, package.c.name, territory.label("code")).select_from(
        table).where(package.c.state == "active", package.c.private.is_(False),
                     package.c.type == "dataset")
    if conditions:
        query = query.where(sa.or_(*conditions))
    if organization_id is not None:
        query = query.where(package.c.owner_org == organization_id)
    if names is not None:
        query = query.where(package.c.name.in_(list(names)))
    return query.subquery()


def _normal_tag(column: sa.ColumnElement) -> sa.ColumnElement:
    plain = sa.func.translate(sa.func.lower(column), _ACCENTED, _PLAIN)
    return sa.func.btrim(sa.func.regexp_replace(plain, "[^0-9a-z]+", " ", "g"))


def _pairs(pairs: list[tuple[str, str]], name: str) -> sa.FromClause:
    """A VALUES table of (text, key) pairs (a schema fragment or a keyword and its entry,
    an organization and its territory code), so that matching happens in the database."""
    return sa.values(sa.column("text", sa.UnicodeText), sa.column("key", sa.UnicodeText),
                     name=name).data(pairs)


def _by_schema(scope: sa.Subquery, entries: list[Entry]) -> list[tuple[str, str, str]]:
    fragments = [(fragment, entry.key) for entry in entries
                 for fragment in entry.match or (entry.schema_url.lower().rstrip("/"),)]
    if not fragments:
        return []
    resource = model.Resource.__table__
    declared = sa.func.lower(sa.cast(resource.c.extras, JSONB)["conforms_to"].astext)
    # Each territory's distinct schema URLs first: few, so matching them costs little.
    urls = (sa.select(scope.c.code, declared.label("url"), sa.func.min(scope.c.name).label("name"))
            .join(resource, resource.c.package_id == scope.c.id)
            .where(resource.c.state == "active", resource.c.extras.like('%"conforms_to"%'))
            .group_by(scope.c.code, declared).subquery())
    wanted = _pairs(fragments, "schema_fragments")
    query = (sa.select(urls.c.code, wanted.c.key, sa.func.min(urls.c.name))
             .join(wanted, sa.func.strpos(urls.c.url, wanted.c.text) > 0)
             .group_by(urls.c.code, wanted.c.key))
    return [tuple(row) for row in model.Session.execute(query)]


def _by_keyword(scope: sa.Subquery, entries: list[Entry]) -> list[tuple[str, str, str]]:
    keywords = [(keyword, entry.key) for entry in entries for keyword in entry.keywords]
    if not keywords:
        return []
    package_tag, tag = model.PackageTag.__table__, model.Tag.__table__
    wanted = _pairs(keywords, "keywords")
    # The portal's tags that name an entry first: the tag table is small beside package_tag.
    naming = (sa.select(tag.c.id, wanted.c.key)
              .join(wanted, _normal_tag(tag.c.name) == wanted.c.text).subquery())
    query = (sa.select(scope.c.code, naming.c.key, sa.func.min(scope.c.name))
             .join(package_tag, package_tag.c.package_id == scope.c.id)
             .join(naming, naming.c.id == package_tag.c.tag_id)
             .where(package_tag.c.state == "active")
             .group_by(scope.c.code, naming.c.key))
    return [tuple(row) for row in model.Session.execute(query)]


def hits(scope: sa.Subquery, entries: list[Entry]) -> list[Hit]:
    """Each (territory, entry) the scope's datasets cover, with one dataset showing it:
    by ``conforms_to`` first, then, for pairs no schema declares, by their tags."""
    best: dict[tuple[str, str], Hit] = {}
    for code, key, name in _by_schema(scope, entries) + _by_keyword(scope, entries):
        best.setdefault((code, key), Hit(code, key, name))
    return list(best.values())
