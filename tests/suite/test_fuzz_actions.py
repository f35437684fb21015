"""Malformed input to any action of the suite gets a 4xx with a message, never a 500.

Bounded for CI by default; ``HYPOTHESIS_PROFILE=thorough`` sends many more examples.
"""
from __future__ import annotations

import os
import re
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ckan.plugins as p
from ckan.tests import factories

from tests.portal import plugins_loaded, reset_portal

SUITE = ("opendata_governance", "reuse_tracker", "territorial_consolidation")
PLUGINS = ("postgres_search activity scheming_datasets scheming_organizations harvest "
           "opendata_governance reuse_tracker territorial_consolidation")
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
    """A sysadmin with an API token, an organization and a public dataset, shared by the module."""
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)
        sysadmin = factories.Sysadmin()
        token = factories.APIToken(user=sysadmin["name"])["token"]
        org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
        dataset = factories.Dataset(owner_org=org["id"], private=True)
    yield {"token": token, "org": org, "dataset": dataset}
    with plugins_loaded(PLUGINS, OPTIONS):
        reset_portal(reset_db, migrate_db_for)


def _base(portal: dict[str, Any]) -> dict[str, Any]:
    """Valid-looking values, so that one malformed key reaches past "missing id"."""
    dataset, org = portal["dataset"], portal["org"]
    return {"id": dataset["id"], "package_id": dataset["id"], "dataset_id": dataset["id"],
            "organization_id": org["id"], "owner_org": org["id"]}


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
    """One documented or common key at a time, malformed, as sysadmin and as anonymous."""
    keys = _known_keys(action) + ["unknown_key"]

    @given(key=st.sampled_from(keys), value=malformed_values, sysadmin=st.booleans())
    def run(key: str, value: Any, sysadmin: bool) -> None:
        payload = {k: v for k, v in _base(portal).items() if k in keys}
        payload[key] = value
        _assert_refused_or_answered(_post(app, portal, action, payload, sysadmin),
                                    action, payload)

    run()


NAMED = [
    (action, key, value)
    for action in ACTIONS
    for key, value in (("id", "a\x00b"), ("id", 12), ("limit", "abc"), ("offset", 10 ** 30))
] + [
    ("package_show", "id", "\ud800"),
    ("package_search", "q", "\ud800"),
    ("package_search", "fq", "(" * 500 + "x" + ")" * 500),
    ("package_search", "extras", {"ext_x": "1"}),
    ("package_search", "include_private", "maybe"),
    ("bulk_update_public", "datasets", "abc"),
    ("package_patch", "private", ["false"]),
]


@pytest.mark.parametrize("action, key, value", NAMED)
def test_named_malformed_cases_never_give_a_500(app, portal, action, key, value):
    """The probe's cases: NUL, surrogates, typed ids, bad paging, deep fq, odd flags."""
    payload = {k: v for k, v in _base(portal).items() if k in ("id",)}
    payload[key] = value
    _assert_refused_or_answered(_post(app, portal, action, payload, True), action, payload)
