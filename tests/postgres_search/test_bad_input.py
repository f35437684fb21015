"""Malformed or hostile search input gets a clear error or a plain answer, never a 500."""
from __future__ import annotations

import random

import pytest

from ckan.tests import factories

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "postgres_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

HOSTILE = [
    "'; DROP TABLE package; --", '"', "\\", "((((", "))", "title:", ":", "*:", ":*", "AND", "OR OR",
    "NOT", "+", "-", "!", "&&", "||", "[* TO", "metadata_modified:[NOW-1FORTNIGHT TO *]",
    "metadata_modified:[2020-13-45 TO *]", "num_resources:[a TO b]", "tags:\x00", "\x00",
    "title:\"a\\\"b\"", "name:" + "a" * 5000, "é" * 3000, "{!", "}", "tags:{a TO b]",
    "d.name", "1=1) OR (1=1", "$$", "$1", "%s", "%(p0)s", ":p0", "title:*", "*", "?", "~",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("param", ["q", "fq"])
def test_hostile_query_text_never_crashes(app, param, value):
    """Each hostile q or fq gets a 200 or a 400/409 with an error message."""
    response = app.get("/api/3/action/package_search", query_string={param: value})
    assert response.status_code in (200, 400, 409), response.body[:500]
    if response.status_code != 200:
        assert response.json["error"]["message"]


@pytest.mark.parametrize("params", [
    {"sort": "name asc; DROP TABLE package"}, {"sort": "'name' asc"}, {"sort": ","},
    {"fl": "name; DROP"}, {"fl": "*,name"}, {"facet.field": '["tags; DROP"]'},
    {"facet.field": '["a\\"b"]'}, {"facet.limit": "-5"}, {"facet.mincount": "x"},
    {"rows": "-1"}, {"start": "-1"}, {"start": "999999999999"}, {"rows": "abc"},
])
def test_hostile_parameters_never_crash(app, params):
    """Malformed sort, fl, facet and paging parameters are refused or answered, never a 500."""
    factories.Dataset(tags=[{"name": "eau"}])
    response = app.get("/api/3/action/package_search", query_string=params)
    assert response.status_code in (200, 400, 409), response.body[:500]


@pytest.mark.parametrize("param", ["q", "fq"])
@pytest.mark.parametrize("depth", [500, 5000])
def test_deeply_nested_parentheses_are_refused(app, param, depth):
    """A query nested hundreds of levels deep is refused with a message, not a RecursionError."""
    query = "(" * depth + "title:eau" + ")" * depth
    response = app.get("/api/3/action/package_search", query_string={param: query})
    assert response.status_code in (400, 409), response.body[:500]
    assert "nested deeper" in response.json["error"]["message"] or \
        "nested deeper" in str(response.json["error"])


def test_random_query_soup_never_crashes(app):
    """Hundreds of random strings of query syntax characters never produce a 500."""
    factories.Dataset(title="Qualité de l'eau", tags=[{"name": "eau"}])
    rng = random.Random(2026)
    alphabet = 'ab eéT:*"()[]{}+-!~^?\\/&|OR AND NOT TO tags title name 1 2 ,'
    for _ in range(300):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        response = app.get("/api/3/action/package_search",
                           query_string={rng.choice(["q", "fq"]): query})
        assert response.status_code in (200, 400, 409), (query, response.body[:300])


def test_package_table_survives_injection_attempts(app):
    """After the hostile queries, the datasets are still there."""
    factories.Dataset(name="toujours-la")
    app.get("/api/3/action/package_search",
            query_string={"q": "'; DROP TABLE package; --", "fq": "name:x') OR 1=1 --"})
    result = app.get("/api/3/action/package_search").json["result"]
    assert [r["name"] for r in result["results"]] == ["toujours-la"]
