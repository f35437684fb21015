"""SQL injection in DataStore queries is refused with a 409 (403 for forbidden tables),
never a 500, and leaves the table intact; writes by non-editors are refused with a 403."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories, helpers

from tests.opendata_governance.datastore_setup import MARKS, datastore_records
from tests.opendata_governance.gate_setup import switch_gate

pytestmark = MARKS + [pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", True)]

TABLE = "{rid}"

#: (parameters of datastore_search, expected status)
SEARCHES = [
    ({"filters": {'commune" = \'\' OR 1=1; DROP TABLE "{rid}"; --': "x"}}, 409),
    ({"filters": {"commune": ["Paris'); DROP TABLE \"{rid}\"; --"]}}, 200),
    ({"sort": 'commune; DROP TABLE "{rid}"'}, 409),
    ({"sort": "commune desc, (SELECT 1 FROM pg_sleep(0))"}, 409),
    ({"sort": '"commune" asc nulls first; --'}, 409),
    ({"fields": ['commune", (SELECT usename FROM pg_user) AS "u']}, 409),
    ({"fields": "commune, (SELECT 1)"}, 409),
    ({"q": {'commune" OR 1=1 --': "Paris"}}, 409),
    ({"q": "Paris' OR '1'='1"}, 200),
    ({"q": "Paris & | !!", "plain": False}, 409),
    ({"q": "Paris", "language": "english'); DROP TABLE \"{rid}\"; --"}, 409),
    ({"distinct": "true; DROP TABLE x"}, 200),
    ({"limit": "1; DROP TABLE x"}, 409),
    ({"offset": -1}, 409),
    ({"records_format": "sql"}, 409),
]

SQLS = [
    ('SELECT * FROM "{rid}"; DROP TABLE "{rid}"', 409),
    ('SELECT * FROM "{rid}" WHERE 1 = (SELECT 1/0)', 409),
    ('SELECT commune FROM "{rid}" UNION SELECT usename FROM pg_user', 403),
    ("SELECT * FROM pg_roles", 403),
    ('DELETE FROM "{rid}"', 409),
    ("SELECT pg_read_file('/etc/passwd')", 403),
    ('SELECT * FROM "{rid}" WHERE commune = \'x\'\' OR 1=1', 409),
    ("SELECT 1 FROM", 409),
    ("SELECT 'x'::int", 409),
]


@pytest.fixture
def table() -> dict[str, Any]:
    """A public dataset's resource with a two-row DataStore table; a sysadmin's token
    (so that a refusal is the query's, not the caller's) and other users'."""
    org_editor, member, outsider = factories.User(), factories.User(), factories.User()
    org = factories.Organization(users=[{"name": org_editor["name"], "capacity": "editor"},
                                        {"name": member["name"], "capacity": "member"}])
    switch_gate(org["id"], False)
    dataset = factories.Dataset(owner_org=org["id"])
    resource = factories.Resource(package_id=dataset["id"], url_type="datastore",
                                  url="_datastore_only_resource", format="CSV")
    helpers.call_action("datastore_create", {"ignore_auth": True},
                        resource_id=resource["id"], force=True, primary_key=["commune"],
                        records=[{"commune": "Paris", "montant": 12},
                                 {"commune": "Lyon", "montant": 8}])
    sysadmin = factories.Sysadmin()
    tokens = {name: helpers.call_action("api_token_create", {"user": user["name"]},
                                        user=user["name"], name="t")["token"]
              for name, user in (("sysadmin", sysadmin), ("editor", org_editor),
                                 ("member", member), ("outsider", outsider))}
    return {"rid": resource["id"], "tokens": tokens}


def _fill(value: Any, rid: str) -> Any:
    if isinstance(value, str):
        return value.replace("{rid}", rid)
    if isinstance(value, list):
        return [_fill(item, rid) for item in value]
    if isinstance(value, dict):
        return {_fill(key, rid): _fill(item, rid) for key, item in value.items()}
    return value


@pytest.mark.parametrize("params,status", SEARCHES)
def test_injection_in_a_search_is_refused(app, table, params, status):
    """datastore_search with injected filters, sort, fields, q or options: 409 (or
    the rows asked for, when the text is only a value), the table intact."""
    response = app.post("/api/3/action/datastore_search",
                        headers={"Authorization": table["tokens"]["sysadmin"]},
                        json={"resource_id": table["rid"], **_fill(params, table["rid"])})
    assert response.status_code == status, response.body
    assert datastore_records(table["rid"])["total"] == 2


@pytest.mark.parametrize("sql,status", SQLS)
def test_injection_in_sql_is_refused(app, table, sql, status):
    """datastore_search_sql: a second statement, an error, a write or a forbidden table
    is refused with 409 or 403, the table intact."""
    response = app.post("/api/3/action/datastore_search_sql",
                        headers={"Authorization": table["tokens"]["sysadmin"]},
                        json={"sql": _fill(sql, table["rid"])})
    assert response.status_code == status, response.body
    assert datastore_records(table["rid"])["total"] == 2


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize("sql", ["SELECT * FROM _table_metadata", "SELECT * FROM pg_roles",
                                 "SELECT * FROM pg_stat_activity"])
def test_system_tables_are_refused_to_users(app, table, role, sql):
    """The DataStore's own catalogue and PostgreSQL's (which name every table, private
    datasets' included) are refused to visitors and users: 403 (CKAN 2.12 answers 404
    for ``_table_metadata``, a table no resource owns)."""
    headers = {"Authorization": table["tokens"][role]} if role != "anonymous" else {}
    response = app.post("/api/3/action/datastore_search_sql", headers=headers,
                        json={"sql": sql})
    assert response.status_code in (403, 404), response.body
    assert '"records"' not in response.body


WRITES = [
    ("datastore_create", {"records": [{"commune": "Nice", "montant": 1}], "force": True}),
    ("datastore_upsert", {"records": [{"commune": "Nice", "montant": 1}],
                          "method": "insert", "force": True}),
    ("datastore_delete", {"filters": {"commune": "Paris"}, "force": True}),
    ("datastore_delete", {"force": True}),
]


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member"])
@pytest.mark.parametrize("action,params", WRITES)
def test_a_write_by_a_non_editor_is_refused(app, table, role, action, params):
    """datastore_create, upsert and delete by a visitor, an outsider or a mere member:
    403, the table unchanged."""
    headers = {"Authorization": table["tokens"][role]} if role != "anonymous" else {}
    response = app.post(f"/api/3/action/{action}", headers=headers,
                        json={"resource_id": table["rid"], **params})
    assert response.status_code == 403, response.body
    assert datastore_records(table["rid"])["total"] == 2


@pytest.mark.parametrize("action,params", WRITES[:2])
def test_a_write_by_the_editor_is_accepted(app, table, action, params):
    """The dataset's editor writes to its table (the refusals above are about roles)."""
    response = app.post(f"/api/3/action/{action}",
                        headers={"Authorization": table["tokens"]["editor"]},
                        json={"resource_id": table["rid"], **params})
    assert response.status_code == 200, response.body
    assert datastore_records(table["rid"])["total"] == 3
