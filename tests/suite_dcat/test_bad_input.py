"""Bad catalogue requests get a 4xx naming what is wrong, never a 500."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from tests.postgres_search.test_bad_input import HOSTILE
from tests.suite_dcat.dcat_setup import MARKS

pytestmark = MARKS


@pytest.mark.parametrize("query, words", [
    ({"page": "-1"}, "page"), ({"page": "0"}, "page"), ({"page": "abc"}, "page"),
    ({"page": str(10 ** 9)}, "last page"), ({"page": "1.5"}, "page"),
    ({"page": str(10 ** 30)}, "page"),
    ({"modified_since": "yesterday"}, "ISO 8601"), ({"modified_since": "2024-13-45"}, "ISO 8601"),
    ({"modified_since": "9" * 40}, "ISO 8601"), ({"profiles": "no_such_profile"}, "profile"),
    ({"q": "title:("}, "q"),
])
def test_bad_parameter_is_a_409_naming_it(app, query, words):
    """Each bad page, date, profile or query gets a 409 whose message names the problem."""
    factories.Dataset()
    response = app.get("/catalog.ttl", query_string=query)
    assert response.status_code == 409, response.body[:300]
    assert words in response.body


@pytest.mark.parametrize("url", ["/catalog.csv", "/catalog.exe", "/dataset/{name}.csv",
                                 "/dataset/{name}.pdf"])
def test_unknown_format_is_refused(app, url):
    """An unknown serialisation is refused with the list of known ones, not a 500."""
    dataset = factories.Dataset()
    response = app.get(url.format(name=dataset["name"]))
    assert response.status_code in (404, 409), response.body[:300]
    if response.status_code == 409:
        assert "ttl" in response.body


def test_missing_dataset_record_is_a_404(app):
    """A dataset that does not exist is a 404."""
    assert app.get("/dataset/no-such-dataset.ttl").status_code == 404


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_never_crashes(app, value):
    """Each hostile q the search tests know gets a 200 or a 409 with a message."""
    response = app.get("/catalog.ttl", query_string={"q": value})
    assert response.status_code in (200, 409), response.body[:300]


def test_modified_since_filters_with_a_time_zone(app):
    """A date-time with a time zone is understood, not turned into a broken query."""
    factories.Dataset(title="Récent")
    response = app.get("/catalog.ttl", query_string={"modified_since": "2000-01-01T00:00:00+02:00"})
    assert response.status_code == 200
    assert "Récent" in response.body
