"""The DataStore's single-statement check answers as core's, and parses a search's SQL
once per shape of query instead of twice per call."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers
from ckanext.datastore import helpers as datastore_helpers

from ckanext.opendata_governance.datastore import statement_check
from tests.opendata_governance.datastore_setup import MARKS

# "app": a datastore resource's URL is built with url_for, in a request context.
pytestmark = MARKS + [pytest.mark.usefixtures("app")]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts sqlparse splits from now on (CKAN 2.11's check calls it)."""
    # CKAN 2.12 checks each search's SQL with pglast, through a connection and with its
    # parameters inlined: there is no per-text parse to remember, and no sqlparse.
    sqlparse = pytest.importorskip(
        "sqlparse", reason="CKAN 2.12 checks statements with pglast, not sqlparse")
    seen: list[str] = []
    split = sqlparse.split

    def counting(sql: str, *args, **kwargs):
        seen.append(sql)
        return split(sql, *args, **kwargs)

    monkeypatch.setattr(sqlparse, "split", counting)
    return seen


def test_the_check_answers_as_cores_first_and_second_time():
    """Remembered answers are the parser's: one statement, two, a quoted semicolon,
    and a text too long to be kept."""
    check = datastore_helpers.is_single_statement
    assert hasattr(check, "remembered")  # installed by the plugin
    long_two = "SELECT 1; " + "SELECT '" + "x" * statement_check.MAX_LENGTH + "'"
    for _ in range(2):
        assert check("SELECT 1")
        assert not check('SELECT 1; DROP TABLE "t"')
        assert check("SELECT ';' AS semicolon")
        assert not check(long_two)
        assert not check("SELECT 1 # comment")


def test_a_search_of_the_same_shape_is_parsed_once_and_finds_its_own_rows(parses):
    """Two searches differing in their filter values only: the second parses nothing,
    and each gets the rows its values select."""
    resource = factories.Resource(url_type="datastore", url="_datastore_only_resource")
    helpers.call_action("datastore_create", {"ignore_auth": True},
                        resource_id=resource["id"], force=True,
                        records=[{"commune": "Paris", "nature": "aide en nature"},
                                 {"commune": "Lyon", "nature": "aide en numéraire"}])

    def search(commune: str, nature: str) -> list[str]:
        return [row["commune"] for row in helpers.call_action(
            "datastore_search", {"ignore_auth": True}, resource_id=resource["id"],
            filters={"commune": commune, "nature": nature},
            sort="commune desc")["records"]]

    assert search("Paris", "aide en nature") == ["Paris"]
    first = len(parses)
    assert first >= 1
    assert search("Lyon", "aide en numéraire") == ["Lyon"]
    assert search("Lyon", "aide en nature") == []
    assert len(parses) == first


def test_a_new_shape_is_still_parsed(parses):
    """Another sort is another text: it is checked before it runs."""
    resource = factories.Resource(url_type="datastore", url="_datastore_only_resource")
    helpers.call_action("datastore_create", {"ignore_auth": True},
                        resource_id=resource["id"], force=True,
                        records=[{"commune": "Paris", "montant": 12}])
    for sort in ("commune", "montant desc"):
        before = len(parses)
        helpers.call_action("datastore_search", {"ignore_auth": True},
                            resource_id=resource["id"], sort=sort)
        assert len(parses) > before
