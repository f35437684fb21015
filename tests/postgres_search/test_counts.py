"""package_search's hits and facet counts, kept between requests, equal a plain COUNT(*)
... GROUP BY over CKAN's own tables, for each user and filter, through every kind of write."""
from __future__ import annotations

import random
from typing import Any, Optional

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import logic, model
from ckan.lib.redis import connect_to_redis
from ckan.lib.search import index_for
from ckan.tests import factories, helpers

from ckanext.postgres_search import backend

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

FACETS = ["organization", "tags", "res_format", "license_id", "groups"]
TAGS = ["budget", "vélo", "écoles", "air", "eau", "voirie"]
FORMATS = ["CSV", "JSON", "PDF", "GeoJSON"]
LICENCES = ["cc-by", "odc-odbl", "cc-zero"]

#: The datasets a user may see: public ones, and private ones of an organization the
#: user belongs to (all of them for a sysadmin).
_VISIBLE = """
    p.state = 'active' AND p.type = 'dataset' AND (
        NOT p.private OR :sysadmin OR p.owner_org IN (
            SELECT m.group_id FROM member AS m
            WHERE m.table_name = 'user' AND m.table_id = :user AND m.state = 'active'))
"""

#: Per facet, the (package id, value) pairs of CKAN's tables.
_VALUES = {
    "organization": """SELECT p.id, o.name FROM package AS p JOIN "group" AS o
                       ON o.id = p.owner_org""",
    "tags": """SELECT pt.package_id, t.name FROM package_tag AS pt JOIN tag AS t ON t.id = pt.tag_id
               WHERE pt.state = 'active' AND t.vocabulary_id IS NULL""",
    "res_format": """SELECT DISTINCT r.package_id, r.format FROM resource AS r
                     WHERE r.state = 'active' AND r.format <> ''""",
    "license_id": "SELECT p.id, p.license_id FROM package AS p WHERE p.license_id IS NOT NULL",
    "groups": """SELECT m.table_id, g.name FROM member AS m JOIN "group" AS g ON g.id = m.group_id
                 WHERE m.table_name = 'package' AND m.state = 'active' AND NOT g.is_organization
                 AND g.state = 'active'""",
}


class Portal:
    """Three organizations, two groups, four users, forty datasets of which some private."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.users = {"anonyme": None, "membre": factories.User(), "deux": factories.User(),
                      "admin": factories.Sysadmin()}
        members = [{"name": self.users["membre"]["name"], "capacity": "editor"},
                   {"name": self.users["deux"]["name"], "capacity": "member"}]
        self.orgs = [factories.Organization(name="ville-a", users=members),
                     factories.Organization(name="ville-b",
                                            users=[{"name": self.users["deux"]["name"],
                                                    "capacity": "editor"}]),
                     factories.Organization(name="ville-c")]
        self.groups = [factories.Group(name="environnement"), factories.Group(name="finances")]
        self.datasets = [self.new_dataset(number) for number in range(40)]

    def new_dataset(self, number: int) -> dict[str, Any]:
        rng = self.rng
        return factories.Dataset(
            name=f"jeu-{number:03d}", title=f"Jeu {number}", owner_org=rng.choice(self.orgs)["id"],
            private=rng.random() < 0.3, license_id=rng.choice(LICENCES),
            tags=[{"name": tag} for tag in rng.sample(TAGS, rng.randint(0, 3))],
            groups=[{"name": group["name"]} for group in rng.sample(self.groups, rng.randint(0, 2))],
            resources=[{"url": "http://example.org/f", "format": rng.choice(FORMATS)}
                       for _ in range(rng.randint(0, 3))])

    def context(self, who: str) -> dict[str, Any]:
        user = self.users[who]
        return {"user": user["name"] if user else "", "ignore_auth": False}


def _search(portal: Portal, who: str, fq: str) -> dict[str, Any]:
    return tk.get_action("package_search")(portal.context(who), {
        "q": "*:*", "fq": fq, "rows": 3, "include_private": True,
        "facet.field": FACETS, "facet.limit": -1})


def _plain_counts(portal: Portal, who: str, facet: Optional[str],
                  value: Optional[str]) -> tuple[int, dict[str, dict[str, int]]]:
    """Hits and facet counts by COUNT(*) ... GROUP BY over CKAN's tables."""
    user = portal.users[who]
    bound = {"user": user["id"] if user else "", "sysadmin": bool(user and user["sysadmin"]),
             "value": value}
    visible = f"SELECT p.id FROM package AS p WHERE {_VISIBLE}"
    if facet is not None:
        visible += f" AND p.id IN (SELECT v.id FROM ({_VALUES[facet]}) AS v(id, value) WHERE v.value = :value)"
    hits = model.Session.execute(sa.text(f"SELECT count(*) FROM ({visible}) AS s"), bound).scalar()
    counts: dict[str, dict[str, int]] = {}
    for name, values in _VALUES.items():
        rows = model.Session.execute(sa.text(
            f"SELECT v.value, count(*) FROM ({values}) AS v(id, value)"
            f" WHERE v.id IN ({visible}) GROUP BY v.value"), bound)
        counts[name] = {found: int(number) for found, number in rows}
    return int(hits), counts


def _random_filter(portal: Portal) -> tuple[str, Optional[str], Optional[str]]:
    rng = portal.rng
    facet = rng.choice([None, "organization", "tags", "res_format", "license_id", "groups"])
    if facet is None:
        return "", None, None
    value = rng.choice({"organization": [org["name"] for org in portal.orgs], "tags": TAGS,
                        "res_format": FORMATS, "license_id": LICENCES,
                        "groups": [group["name"] for group in portal.groups]}[facet])
    return f'{facet}:"{value}"', facet, value


def _check(portal: Portal, times: int = 10) -> None:
    for _ in range(times):
        who = portal.rng.choice(list(portal.users))
        fq, facet, value = _random_filter(portal)
        # Twice: the second is read from Redis when the first kept its counts.
        for _attempt in range(2):
            result = _search(portal, who, fq)
            hits, counts = _plain_counts(portal, who, facet, value)
            assert result["count"] == hits, (who, fq)
            assert result["facets"] == counts, (who, fq)


def test_counts_follow_every_write_for_every_user():
    """Random users and filters, after updates, deletions, privacy changes and new
    datasets; the counts are kept in Redis in between."""
    portal = Portal(random.Random(20261207))
    _check(portal)
    store = backend.count_store()
    assert store is not None and store.memory()[0] > 0, "no counts were kept"

    for dataset in portal.rng.sample(portal.datasets, 5):
        helpers.call_action("package_patch", id=dataset["id"],
                            tags=[{"name": tag} for tag in portal.rng.sample(TAGS, 2)])
    _check(portal)

    helpers.call_action("package_delete", id=portal.datasets[0]["id"])
    _check(portal)

    private = next(dataset for dataset in portal.datasets[1:] if dataset["private"])
    helpers.call_action("package_patch", id=private["id"], private=False)
    public = next(dataset for dataset in portal.datasets[1:] if not dataset["private"])
    helpers.call_action("package_patch", id=public["id"], private=True)
    _check(portal)

    helpers.call_action("member_create", id=portal.orgs[2]["id"], object=portal.users["membre"]["id"],
                        object_type="user", capacity="member")
    _check(portal)

    portal.new_dataset(99)
    grouped = next(dataset for dataset in portal.datasets[1:] if dataset["groups"])
    helpers.call_action("package_patch", id=grouped["id"], groups=[])
    _check(portal)


def test_a_rolled_back_index_write_leaves_the_counts_as_they_were():
    """An index write in a transaction that is rolled back: inside it the search counts
    the write and keeps nothing; after it, the counts are those of before."""
    portal = Portal(random.Random(7))
    before = _search(portal, "anonyme", "")
    model.Session.commit()
    public = next(dataset for dataset in portal.datasets if not dataset["private"])
    dataset = helpers.call_action("package_show", id=public["id"])
    changed = dict(dataset, organization=dict(dataset["organization"], name="ville-fantome"),
                   tags=[{"name": "fantome"}])
    if hasattr(logic, "index_update_package_dicts"):  # CKAN 2.12
        logic.index_update_package_dicts((changed, changed))
    else:
        index_for(model.Package).index_package(changed)
    inside = _search(portal, "anonyme", "")
    assert inside["facets"]["tags"].get("fantome") == 1
    model.Session.rollback()
    after = _search(portal, "anonyme", "")
    assert after["facets"] == before["facets"]
    assert after["count"] == before["count"]
    assert "fantome" not in after["facets"]["tags"]


@pytest.mark.ckan_config("ckanext.postgres_search.count_cache_seconds", 0)
def test_counts_can_be_kept_nowhere():
    """With the cache turned off every search counts, and Redis gets nothing of it."""
    portal = Portal(random.Random(3))
    assert backend.count_store() is None
    redis = connect_to_redis()
    pattern = f"ckan:{tk.config['ckan.site_id']}:postgres_search:counts:*"
    before = set(redis.scan_iter(match=pattern, count=1000))
    _check(portal, times=4)
    # No new entry (earlier runs' entries may expire meanwhile: compare names, not counts).
    assert set(redis.scan_iter(match=pattern, count=1000)) <= before
