"""Duplicates across levels and sources: group the copies of one dataset, keep one canonical."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.territorial_consolidation.model import (
    LEVELS, OrganizationTerritory, Provenance, ResponsibilityRule, Territory, normalise)

__all__ = ["REASONS", "INDEX_FIELD", "detect", "index_mirror_flag", "hide_mirrors",
           "rules_for", "rules_for_package"]

log = logging.getLogger(__name__)

#: Why two datasets are the same, strongest first (the stored ``duplicate_reason``).
REASONS = ("identifier", "resource_url", "resource_hash", "schema_title")

#: Search field set on mirrors; default searches filter them out.
INDEX_FIELD = "territorial_mirror"
#: A search extra (``ext_territorial_mirrors=1`` in a search URL) that keeps mirrors.
SEARCH_EXTRA = "ext_territorial_mirrors"

#: Dataset fields (extras) that carry a URI or dct:identifier.
IDENTIFIER_FIELDS = ("identifier", "uri", "dct_identifier", "guid")
#: Candidate discovery stops after this many rounds (groups are small and shallow).
ROUNDS = 3


@dataclasses.dataclass
class Profile:
    """What detection needs to know about one dataset."""

    id: str
    title: str
    owner_org: Optional[str]
    created: Any
    extras: dict[str, str]
    provenance: Optional[Provenance]
    resource_urls: set[str] = dataclasses.field(default_factory=set)
    resource_hashes: set[str] = dataclasses.field(default_factory=set)
    schemas: set[str] = dataclasses.field(default_factory=set)
    tags: set[str] = dataclasses.field(default_factory=set)
    themes: set[str] = dataclasses.field(default_factory=set)
    publisher: Optional[tuple[str, str]] = None  # (level, code) of who published it

    @property
    def territory(self) -> Optional[tuple[str, str]]:
        level = self.extras.get("territorial_level")
        code = self.extras.get("territory_code")
        if level and code:
            return level, code
        prov = self.provenance
        if prov is not None and prov.territorial_level and prov.territory_code:
            return prov.territorial_level, prov.territory_code
        return None

    def keys(self) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        identifiers = [self.extras.get(field) for field in IDENTIFIER_FIELDS]
        if self.provenance is not None:
            identifiers.append(self.provenance.identifier)
        for value in identifiers:
            if value and _clean(value):
                found.add(("identifier", _clean(value)))
        found.update(("resource_url", url) for url in self.resource_urls)
        found.update(("resource_hash", value) for value in self.resource_hashes)
        territory = self.territory
        title = normalise(self.title)
        if territory and title:
            found.update(("schema_title", schema, ":".join(territory), title)
                         for schema in self.schemas)
        return found


def _clean(value: Any) -> str:
    return str(value or "").strip().rstrip("/")


def _clean_url(value: Any) -> str:
    url = _clean(value)
    return url if url.startswith(("http://", "https://")) else ""


def _schemas(value: Any) -> set[str]:
    if isinstance(value, dict):
        value = value.get("url") or value.get("name") or value.get("id")
    if isinstance(value, (list, tuple)):
        return set().union(*[_schemas(item) for item in value]) if value else set()
    cleaned = _clean(value)
    return {cleaned} if cleaned else set()


def _extras(ids: list[str]) -> dict[str, dict[str, str]]:
    columns = model.Package.__table__.c
    result: dict[str, dict[str, str]] = {id_: {} for id_ in ids}
    if "extras" in columns:  # CKAN 2.12: one JSONB column
        for id_, extras in model.Session.query(model.Package.id, columns.extras).filter(
                model.Package.id.in_(ids)):
            result[id_] = dict(extras or {})
        return result
    query = model.Session.query(model.PackageExtra.package_id, model.PackageExtra.key,
                                model.PackageExtra.value).filter(
        model.PackageExtra.package_id.in_(ids))
    for id_, key, value in query:
        result[id_][key] = value
    return result


def _packages_with_extra(keys: Iterable[str], values: set[str]) -> set[str]:
    """Ids of active datasets where one of these extras has one of these values."""
    if not values:
        return set()
    columns = model.Package.__table__.c
    if "extras" in columns:
        condition = sa.or_(*[columns.extras[key].astext.in_(values) for key in keys])
        query = model.Session.query(model.Package.id).filter(condition)
    else:
        query = model.Session.query(model.PackageExtra.package_id).filter(
            model.PackageExtra.key.in_(list(keys)), model.PackageExtra.value.in_(values))
    return {row[0] for row in query}


_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy"


def _sql_normal(column: Any) -> Any:
    """normalise() in SQL, for the letters of French titles (others only lower recall)."""
    lowered = sa.func.replace(sa.func.replace(sa.func.lower(column), "œ", "oe"), "æ", "ae")
    plain = sa.func.translate(lowered, _ACCENTED, _PLAIN)
    return sa.func.btrim(sa.func.regexp_replace(plain, "[^0-9a-z]+", " ", "g"))


def _same_territory_and_title(codes: set[str], titles: set[str]) -> set[str]:
    """Ids of active datasets of these territory codes and normalised titles (one query).

    A superset of the datasets sharing a schema key: the keys themselves are compared later.
    """
    columns = model.Package.__table__.c
    by_provenance = sa.select(Provenance.package_id).where(Provenance.territory_code.in_(codes))
    if "extras" in columns:
        by_field = sa.select(model.Package.id).where(
            columns.extras["territory_code"].astext.in_(codes))
    else:
        by_field = sa.select(model.PackageExtra.package_id).where(
            model.PackageExtra.key == "territory_code", model.PackageExtra.value.in_(codes))
    query = model.Session.query(model.Package.id).filter(
        model.Package.state == "active", _sql_normal(model.Package.title).in_(titles),
        sa.or_(model.Package.id.in_(by_provenance), model.Package.id.in_(by_field)))
    return {row[0] for row in query}


def _profiles(ids: set[str], rule_kinds: Optional[set[str]] = None) -> dict[str, Profile]:
    """Profiles of the active datasets among ``ids``, read in a few bulk queries.

    Tags and groups are only read when rules of kind ``keyword`` or ``theme`` exist
    (``rule_kinds``; None reads both).
    """
    ids_list = sorted(ids)
    if not ids_list:
        return {}
    packages = model.Session.query(
        model.Package.id, model.Package.title, model.Package.owner_org,
        model.Package.metadata_created).filter(
        model.Package.id.in_(ids_list), model.Package.state == "active",
        model.Package.type == "dataset").all()
    if not packages:
        return {}
    ids_list = [row.id for row in packages]
    extras = _extras(ids_list)
    provenance = {row.package_id: row for row in model.Session.query(Provenance).filter(
        Provenance.package_id.in_(ids_list))}
    profiles = {row.id: Profile(id=row.id, title=row.title or "", owner_org=row.owner_org,
                                created=row.metadata_created, extras=extras[row.id],
                                provenance=provenance.get(row.id))
                for row in packages}
    resources = model.Session.query(
        model.Resource.package_id, model.Resource.url, model.Resource.hash,
        model.Resource.extras).filter(
        model.Resource.package_id.in_(ids_list), model.Resource.state == "active")
    for package_id, url, hash_, resource_extras in resources:
        profile = profiles[package_id]
        if _clean_url(url):
            profile.resource_urls.add(_clean_url(url))
        if hash_:
            profile.resource_hashes.add(str(hash_).strip().lower())
        profile.schemas |= _schemas((resource_extras or {}).get("conforms_to"))
    for profile in profiles.values():
        profile.schemas |= _schemas(profile.extras.get("conforms_to"))
        prov = profile.provenance
        if prov is not None:
            profile.resource_urls |= {_clean_url(url) for url in prov.resource_urls or []
                                      if _clean_url(url)}
            if prov.territorial_level and prov.territory_code:
                profile.publisher = (prov.territorial_level, prov.territory_code)
        profile.themes |= {normalise(theme) for theme in
                           str(profile.extras.get("theme") or "").split(",") if theme.strip()}
    if rule_kinds is None or "keyword" in rule_kinds:
        _read_tags(profiles, ids_list)
    if rule_kinds is None or "theme" in rule_kinds:
        _read_groups(profiles, ids_list)
    _read_publishers(profiles)
    return profiles


def _read_tags(profiles: dict[str, Profile], ids_list: list[str]) -> None:
    tags = model.Session.query(model.PackageTag.package_id, model.Tag.name).join(
        model.Tag, model.Tag.id == model.PackageTag.tag_id).filter(
        model.PackageTag.package_id.in_(ids_list), model.PackageTag.state == "active")
    for id_, name in tags:
        profiles[id_].tags.add(normalise(name))


def _read_groups(profiles: dict[str, Profile], ids_list: list[str]) -> None:
    groups = model.Session.query(model.Member.table_id, model.Group.name).join(
        model.Group, model.Group.id == model.Member.group_id).filter(
        model.Member.table_name == "package", model.Member.state == "active",
        model.Member.table_id.in_(ids_list), model.Group.is_organization.is_(False),
        model.Group.state == "active")
    for id_, name in groups:
        profiles[id_].themes.add(normalise(name))


def _read_publishers(profiles: dict[str, Profile]) -> None:
    # A local dataset is published by its organization, standing for its territory.
    local_orgs = {profile.owner_org for profile in profiles.values()
                  if profile.provenance is None and profile.owner_org}
    if local_orgs:
        links = model.Session.query(OrganizationTerritory.organization_id, Territory.level,
                                    Territory.code).join(
            Territory, Territory.id == OrganizationTerritory.territory_id).filter(
            OrganizationTerritory.organization_id.in_(local_orgs))
        territory_of = {org: (level, code) for org, level, code in links}
        for profile in profiles.values():
            if profile.provenance is None and profile.owner_org in territory_of:
                profile.publisher = territory_of[profile.owner_org]


def _candidates(profiles: dict[str, Profile], ids: set[str]) -> set[str]:
    """Ids of datasets that may share a key with these profiles, or were grouped with them.

    ``ids`` are the datasets looked at, deleted ones included: their former mirrors are found.
    """
    identifiers: set[str] = set()
    urls: set[str] = set()
    hashes: set[str] = set()
    territories: set[tuple[str, str]] = set()
    schemas: set[str] = set()
    titles: set[str] = set()
    for profile in profiles.values():
        for key in profile.keys():
            if key[0] == "identifier":
                identifiers.add(key[1])
            elif key[0] == "schema_title" and profile.territory:
                territories.add(profile.territory)
                schemas.add(key[1])
                titles.add(key[3])
        urls |= profile.resource_urls
        hashes |= profile.resource_hashes
    # Earlier groups count too: mirrors of these datasets (and, below, their canonical).
    by_provenance = [Provenance.canonical_package_id.in_(sorted(ids))]
    by_resource = []
    found: set[str] = set()
    if identifiers:
        # Stored values may differ by a trailing slash.
        variants = identifiers | {value + "/" for value in identifiers}
        by_provenance.append(Provenance.identifier.in_(variants))
        found |= _packages_with_extra(IDENTIFIER_FIELDS, variants)
    if urls:
        variants = urls | {url + "/" for url in urls}
        by_resource.append(model.Resource.url.in_(variants))
        by_provenance.append(Provenance.resource_urls.op("?|")(
            sa.cast(sorted(variants), ARRAY(sa.UnicodeText))))
    if hashes:
        by_resource.append(model.Resource.hash.in_(hashes))
    found |= {row[0] for row in model.Session.query(Provenance.package_id).filter(
        sa.or_(*by_provenance))}
    if by_resource:
        found |= {row[0] for row in model.Session.query(model.Resource.package_id).filter(
            sa.or_(*by_resource), model.Resource.state == "active")}
    if territories and schemas:
        found |= _same_territory_and_title({code for _level, code in territories}, titles)
    found |= {profile.provenance.canonical_package_id for profile in profiles.values()
              if profile.provenance is not None and profile.provenance.canonical_package_id}
    return found


def _group(profiles: dict[str, Profile]) -> list[list[str]]:
    """Datasets sharing a key, transitively (union-find); groups of two or more."""
    parent = {id_: id_ for id_ in profiles}

    def find(id_: str) -> str:
        while parent[id_] != id_:
            parent[id_] = parent[parent[id_]]
            id_ = parent[id_]
        return id_

    owner: dict[tuple[str, ...], str] = {}
    for id_ in sorted(profiles):
        for key in profiles[id_].keys():
            if key in owner:
                parent[find(id_)] = find(owner[key])
            else:
                owner[key] = id_
    groups: dict[str, list[str]] = {}
    for id_ in profiles:
        groups.setdefault(find(id_), []).append(id_)
    return [sorted(members) for members in groups.values() if len(members) > 1]


def rules_for(profile_or_fields: Any, rules: Optional[list[ResponsibilityRule]] = None
              ) -> list[ResponsibilityRule]:
    """The responsibility rules that apply to a dataset (a Profile), schema rules first."""
    if rules is None:
        rules = model.Session.query(ResponsibilityRule).all()
    profile = profile_or_fields
    matched = []
    for rule in rules:
        if rule.kind == "schema" and _clean(rule.value) in profile.schemas:
            matched.append(rule)
        elif rule.kind == "theme" and normalise(rule.value) in profile.themes:
            matched.append(rule)
        elif rule.kind == "keyword" and normalise(rule.value) in profile.tags:
            matched.append(rule)
    order = {"schema": 0, "theme": 1, "keyword": 2}
    return sorted(matched, key=lambda rule: (order.get(rule.kind, 3), rule.value))


def rules_for_package(package_id: str) -> list[ResponsibilityRule]:
    """The responsibility rules that apply to one dataset (none when it is not active)."""
    profile = _profiles({package_id}).get(package_id)
    return rules_for(profile) if profile is not None else []


def _rank(profile: Profile, responsible: Optional[str]) -> tuple[Any, ...]:
    """Sort key of the precedence policy: the smallest is the canonical copy."""
    publisher = profile.publisher
    level = publisher[0] if publisher else None
    local = profile.provenance is None
    if responsible is not None:
        by_rule = 0 if level == responsible else 1
    else:
        by_rule = 0
    # The producer's own portal: its publisher stands for the dataset's own territory (a
    # local dataset of an organization without a territory is taken as its producer's).
    territory = profile.territory
    if publisher is None or territory is None:
        producer = local
    else:
        producer = publisher == territory
    level_rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
    return (by_rule, 0 if producer else 1, level_rank, 0 if local else 1,
            str(profile.created or ""), profile.id)


def _reason(profile: Profile, canonical: Profile, group: list[Profile]) -> str:
    """The strongest key the dataset shares with the canonical one, else with the group."""
    shared = profile.keys() & canonical.keys()
    if not shared:
        for other in group:
            if other is not profile:
                shared |= profile.keys() & other.keys()
    kinds = {key[0] for key in shared}
    return next((reason for reason in REASONS if reason in kinds), REASONS[-1])


def detect(package_ids: Optional[Iterable[str]] = None, reindex: bool = True) -> dict[str, Any]:
    """Group the copies of the datasets given (every dataset when None) and mark the mirrors.

    Safe with ids of local datasets (no provenance) and of unknown or deleted datasets.
    Writes ``canonical_package_id`` and ``duplicate_reason`` of the harvested copies and
    reindexes the datasets whose mirror status changed.

    :returns: ``{"groups": N, "mirrors": N, "changed": [package ids]}``
    """
    if package_ids is None:
        seeds = {row[0] for row in model.Session.query(model.Package.id).filter(
            model.Package.state == "active", model.Package.type == "dataset")}
        seeds |= {row[0] for row in model.Session.query(Provenance.package_id)}
    else:
        seeds = {str(id_) for id_ in package_ids if id_}
    rules = model.Session.query(ResponsibilityRule).all()
    kinds = {rule.kind for rule in rules}
    profiles = _profiles(seeds, kinds)
    considered = set(seeds)
    if package_ids is not None:
        frontier, frontier_ids = dict(profiles), set(seeds)
        for _round in range(ROUNDS):
            new = _candidates(frontier, frontier_ids) - considered
            if not new:
                break
            considered |= new
            frontier, frontier_ids = _profiles(new, kinds), new
            profiles.update(frontier)
    wanted: dict[str, tuple[Optional[str], Optional[str]]] = {}
    groups = _group(profiles)
    mirrors = 0
    for group_ids in groups:
        members = [profiles[id_] for id_ in group_ids]
        responsible = None
        for member in members:
            matched = rules_for(member, rules)
            if matched:
                responsible = matched[0].level
                break
        ranked = sorted(members, key=lambda member: _rank(member, responsible))
        canonical = ranked[0]
        wanted[canonical.id] = (None, None)
        for member in ranked[1:]:
            wanted[member.id] = (canonical.id, _reason(member, canonical, members))
            mirrors += member.provenance is not None
    # Considered datasets outside any group, and deleted or withdrawn ones, mirror nothing.
    changed: list[str] = []
    rows = model.Session.query(Provenance).filter(Provenance.package_id.in_(considered))
    for row in rows:
        canonical_id, reason = wanted.get(row.package_id, (None, None))
        if (row.canonical_package_id, row.duplicate_reason) != (canonical_id, reason):
            row.canonical_package_id = canonical_id
            row.duplicate_reason = reason
            changed.append(row.package_id)
    model.Session.commit()
    if reindex and changed:
        _reindex(changed)
    return {"groups": len(groups), "mirrors": mirrors, "changed": sorted(changed)}


def _reindex(package_ids: list[str]) -> None:
    from ckan.lib import search

    for package_id in package_ids:
        package = model.Package.get(package_id)
        if package is None or package.state != "active":
            continue
        try:
            search.rebuild(package_id)
        except search.SearchError:  # the flag is stored; a later rebuild indexes it
            log.exception("could not reindex %s after duplicate detection", package_id)


def index_mirror_flag(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Index whether a dataset mirrors another (``territorial_mirror``: true/false)."""
    row = model.Session.query(Provenance.canonical_package_id).filter(
        Provenance.package_id == pkg_dict.get("id")).first()
    pkg_dict[INDEX_FIELD] = "true" if row is not None and row[0] else "false"
    return pkg_dict


def hide_mirrors(search_params: dict[str, Any]) -> dict[str, Any]:
    """Keep mirrors out of a search unless it asks for them.

    A search asks for them through its ``fq`` naming ``territorial_mirror`` (e.g.
    ``territorial_mirror:true`` for mirrors only) or the ``ext_territorial_mirrors``
    extra (``?ext_territorial_mirrors=1`` on the search page).
    """
    fq = search_params.get("fq") or ""
    extras = search_params.get("extras")
    # A search sent through the API may carry anything as its extras.
    if not isinstance(extras, dict):
        extras = {}
    if not tk.config["ckanext.territorial_consolidation.hide_mirrors"] or \
            INDEX_FIELD in fq or extras.get(SEARCH_EXTRA):
        return search_params
    search_params["fq"] = f"{fq} -{INDEX_FIELD}:true".strip()
    return search_params
