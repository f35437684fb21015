"""Malformed input to any action of the suite gets a 4xx with a message, never a 500.

Bounded for CI by default; ``HYPOTHESIS_PROFILE=thorough`` sends many more examples.
"""
from __future__ import annotations

import os
import re
import urllib.parse
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ckan.plugins as p
from ckan.tests import factories, helpers

from tests.portal import plugins_loaded, reset_portal
from tests.suite import fuzz_objects

SUITE = ("opendata_governance", "reuse_tracker", "territorial_consolidation")
PLUGINS = ("postgres_search activity scheming_datasets scheming_organizations harvest "
           "opendata_governance reuse_tracker territorial_consolidation "
           "territorial_ckan_harvester")
OPTIONS = {"scheming.dataset_schemas": "ckanext.opendata_governance:schemas/dataset.yaml",
           "scheming.organization_schemas": "ckanext.scheming:org_with_dept_id.json"}
#: Core actions our plugins sit in the path of (chained, indexed or searched by them).
CORE = ("package_search", "package_show", "package_patch", "bulk_update_public", "tag_list")

settings.register_profile("ci", max_examples=6, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("thorough", max_examples=200, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    *[pytest.mark.ckan_config(key, value) for key, value in OPTIONS.items()],
    pytest.mark.usefixtures("with_plugins"),
]

#: The keys every action is tried with besides its documented ones.
COMMON_KEYS = ("id", "limit", "offset", "q", "include_private")


def _suite_actions() -> list[str]:
    with plugins_loaded(PLUGINS, OPTIONS):
        names = {name for plugin in SUITE for name in p.get_plugin(plugin).get_actions()}
    return sorted(names | set(CORE))


ACTIONS = _suite_actions()


def _known_keys(action: str) -> list[str]:
    """The keys the action's docstring documents, then the common ones."""
    import ckan.plugins.toolkit as tk
    documented = re.findall(r":param (\w+):", tk.get_action(action).__doc__ or "")
    return list(dict.fromkeys(documented + list(COMMON_KEYS)))


def _deep(depth: int, container: type) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if container is list else {"k": value}
    return value


#: Values of every malformed kind.
MALFORMED = [1, 0, True, False, None, 1.5, [], ["false"], {}, {"a": "b"}, "\x00", "a\x00b",
             "\ud800", "x\udfff", 10 ** 30, -1, 2 ** 63, -(2 ** 63) - 1, "maybe", "",
             _deep(1000, list), _deep(1000, dict), "é" * 20000]

malformed_values = st.one_of(
    st.sampled_from(MALFORMED),
    st.text(alphabet=st.characters(codec=None), max_size=30),
    st.integers(), st.floats(allow_nan=False),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=10),
)


@pytest.fixture(scope="module")
def portal(reset_db, migrate_db_for) -> Iterator[dict[str, Any]]:
    """A sysadmin with an API token, an organization, a private dataset under review, a
    public one, and one object of every kind the actions take an id of (a service,
    a reuse, feedback, a data request, a territory, a consolidation, a harvest source...),
    shared by the module."""
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)
        sysadmin = factories.Sysadmin()
        token = factories.APIToken(user=sysadmin["name"])["token"]
        org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
        # Public datasets (feedback and reuses need one) in an organization without
        # the publication gate.
        open_org = factories.Organization()
        helpers.call_action("governance_settings_update", {"user": sysadmin["name"]},
                            organization_id=open_org["id"], gate_enabled=False)
        public = factories.Dataset(owner_org=open_org["id"])
        service = helpers.call_action(
            "governance_service_create", {"user": sysadmin["name"]},
            organization_id=org["id"], name="direction-des-finances", title="Finances")
        dataset = factories.Dataset(owner_org=org["id"], private=True,
                                    owner_service=service["name"])
        objects = fuzz_objects.make_objects(sysadmin, org, dataset, public)
    yield {"token": token, "org": org, "dataset": dataset, "public": public,
           "sysadmin": sysadmin, "objects": objects}
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)


def _base(portal: dict[str, Any], action: str) -> dict[str, Any]:
    """Real ids, so that one malformed key reaches past "missing id" and "not found"."""
    dataset, org = portal["dataset"], portal["org"]
    return {"id": dataset["id"], "package_id": dataset["id"], "dataset_id": dataset["id"],
            "organization_id": org["id"], "owner_org": org["id"],
            **fuzz_objects.ids_for(action, portal["objects"])}


def _fresh(portal: dict[str, Any], action: str) -> dict[str, Any]:
    """Objects of its own for an action that deletes or closes the one it is given
    (called in a test: its plugins are loaded)."""
    return fuzz_objects.fresh_ids(action, portal["sysadmin"], portal["org"],
                                  portal["dataset"], portal["public"])


def _post(app: Any, portal: dict[str, Any], action: str, payload: Any, sysadmin: bool) -> Any:
    headers = {"Authorization": portal["token"]} if sysadmin else {}
    return app.post(f"/api/3/action/{action}", json=payload, headers=headers)


def _assert_refused_or_answered(response: Any, action: str, payload: Any) -> None:
    shown = repr(payload)[:300]
    assert response.status_code < 500, (action, shown, response.body[:800])
    if response.status_code >= 400:
        assert response.json["error"], (action, shown)


@pytest.mark.parametrize("action", ACTIONS)
def test_malformed_keys_never_give_a_500(app, portal, action):
    """One to three documented or common keys malformed, the others real ids of existing
    objects, as sysadmin and as anonymous."""
    keys = _known_keys(action) + ["unknown_key"]
    base = {**_base(portal, action), **_fresh(portal, action)}

    @given(malformed=st.dictionaries(st.sampled_from(keys), malformed_values,
                                     min_size=1, max_size=3),
           sysadmin=st.booleans())
    def run(malformed: dict[str, Any], sysadmin: bool) -> None:
        payload = {k: v for k, v in base.items() if k in keys}
        payload.update(malformed)
        _assert_refused_or_answered(_post(app, portal, action, payload, sysadmin),
                                    action, payload)

    run()


SHOWN = ["governance_service_show", "governance_review_show", "reuse_show", "feedback_show",
         "datarequest_show", "territory_show", "consolidation_show",
         "territorial_harvest_report", "planned_dataset_show", "governance_checklist_show"]


@pytest.mark.parametrize("action", SHOWN)
def test_the_fuzzed_ids_name_existing_objects(app, portal, action):
    """The ids the fuzzing keeps real find their object, so malformed keys reach past
    "not found"."""
    payload = {key: value for key, value in _base(portal, action).items()
               if key in ("id", "organization_id")}
    response = _post(app, portal, action, payload, True)
    assert response.status_code == 200, (action, response.body[:400])
    assert response.json["success"] is True


NAMED = [
    (action, key, value)
    for action in ACTIONS
    for key, value in (("id", "a\x00b"), ("id", 12), ("limit", "abc"), ("offset", 10 ** 30))
] + [
    ("package_show", "id", "\ud800"),
    ("package_search", "q", "\ud800"),
    ("package_search", "fq", "(" * 500 + "x" + ")" * 500),
    ("package_search", "extras", {"ext_x": "1"}),
    ("package_search", "extras", "ext_x"),
    ("package_search", "extras", ["ext_x"]),
    ("package_search", "include_private", "maybe"),
    ("bulk_update_public", "datasets", "abc"),
    ("package_patch", "private", ["false"]),
]


@pytest.mark.parametrize("action, key, value", NAMED)
def test_named_malformed_cases_never_give_a_500(app, portal, action, key, value):
    """The probe's cases: NUL, surrogates, typed ids, bad paging, deep fq, odd flags."""
    # package_search refuses an "id" before reading anything else: send the key alone.
    base = {**_base(portal, action), **_fresh(portal, action)}
    payload = {} if action == "package_search" else {"id": base["id"]}
    payload[key] = value
    _assert_refused_or_answered(_post(app, portal, action, payload, True), action, payload)


SEARCHES = [("q", "%ED%A0%80"), ("fq", "(" * 500 + "x" + ")" * 500), ("q", "(" * 500 + "x"),
            ("extras", "ext_x"), ("include_private", "maybe"), ("rows", "abc"),
            ("start", str(10 ** 30)), ("fq", "tags:\x00")]


@pytest.mark.parametrize("key, value", SEARCHES)
def test_malformed_searches_in_a_query_string_never_give_a_500(app, portal, key, value):
    """The same cases sent as a GET query string, as the search page and most clients do."""
    query = urllib.parse.urlencode({key: value}, safe="%") if key == "q" and "%" in value \
        else urllib.parse.urlencode({key: value})
    response = app.get(f"/api/3/action/package_search?{query}")
    _assert_refused_or_answered(response, "package_search", {key: value})
