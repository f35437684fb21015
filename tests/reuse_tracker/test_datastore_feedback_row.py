"""Feedback quoting a row of a resource's DataStore table: validated with the author's
rights, its values kept, shown to the owner service (page and mail, escaped), never
quotable from a table the author cannot read."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import helpers

from ckanext.reuse_tracker.model.feedback import Feedback
from tests.reuse_tracker.datastore_refs_setup import MARKS, RECORDS, row_id, table
from tests.shared import as_user, csrf_token, login
from tests.reuse_tracker.feedback_setup import make_portal, post
from tests.smtp import SMTPTestServer, smtp_server  # noqa: F401  (fixture)

pytestmark = MARKS

#: A row whose values carry markup and line breaks.
TRICKY = {"commune": '<script>alert("x")</script>', "habitants": 1,
          "departement": "56\nBcc: intrus@example.org"}


def _errors(info: pytest.ExceptionInfo, field: str = "row_id") -> str:
    return " ".join(info.value.error_dict[field])


def test_a_quoted_row_is_kept_with_its_values():
    """The row's values (in the table's order) are stored; the dataset's editors see
    them, the author's public view only the row number."""
    portal = make_portal()
    resource = table(portal.dataset["id"])
    rennes = row_id(resource["id"], "Rennes")
    created = post(portal.plain, portal.dataset["id"], resource_id=resource["id"],
                   row_id=str(rennes), kind="problem", body="Population fausse")
    assert created["row_id"] == rennes
    assert "row" not in created
    shown = helpers.call_action("feedback_show", as_user(portal.editor), id=created["id"])
    assert shown["row"] == {"id": rennes, "values": [
        ["commune", "Rennes"], ["habitants", 222485], ["departement", "35"]]}
    stored = model.Session.get(Feedback, created["id"])
    assert (stored.row_id, stored.resource_id) == (rennes, resource["id"])
    # The quote is a snapshot: a later change of the table does not rewrite it.
    helpers.call_action("datastore_upsert", {"ignore_auth": True}, resource_id=resource["id"],
                        method="update", force=True,
                        records=[{"_id": rennes, "habitants": 1}])
    again = helpers.call_action("feedback_show", as_user(portal.editor), id=created["id"])
    assert again["row"]["values"][1] == ["habitants", 222485]


@pytest.mark.parametrize("data, message", [
    ({"row_id": "1"}, "Choose the resource the row belongs to"),
    ({"row_id": "999", "with_resource": True}, "Row 999 not found"),
    ({"row_id": "deux", "with_resource": True}, "integer"),
    ({"row_id": "0", "with_resource": True}, "positive integer"),
])
def test_bad_row_references_are_refused_naming_row_id(data, message):
    """Each bad reference is a ValidationError on row_id; nothing is recorded."""
    portal = make_portal()
    resource = table(portal.dataset["id"])
    data = dict(data)
    if data.pop("with_resource", False):
        data["resource_id"] = resource["id"]
    before = model.Session.query(Feedback).count()
    with pytest.raises(tk.ValidationError) as info:
        post(portal.plain, portal.dataset["id"], **data)
    assert message.lower() in _errors(info).lower()
    assert model.Session.query(Feedback).count() == before


def test_a_resource_without_a_table_has_no_rows():
    """A resource not loaded in the DataStore cannot be quoted from."""
    portal = make_portal()
    plain = portal.dataset["resources"][0]
    with pytest.raises(tk.ValidationError) as info:
        post(portal.plain, portal.dataset["id"], resource_id=plain["id"], row_id="1")
    assert "has no data table" in _errors(info)


def test_a_row_of_a_private_resource_needs_the_right_to_read_it():
    """An outsider can neither post on the private dataset nor pass its table off as the
    public dataset's; a member of the organization quotes its rows."""
    portal = make_portal()
    secret = table(portal.private["id"])
    brest = row_id(secret["id"], "Brest")
    with pytest.raises(tk.NotAuthorized):
        post(portal.plain, portal.private["id"], resource_id=secret["id"], row_id=str(brest))
    with pytest.raises(tk.ValidationError) as info:
        post(portal.plain, portal.dataset["id"], resource_id=secret["id"], row_id=str(brest))
    assert "does not belong to the dataset" in _errors(info, "resource_id")
    quoted = post(portal.member, portal.private["id"], resource_id=secret["id"],
                  row_id=str(brest))
    shown = helpers.call_action("feedback_show", as_user(portal.admin), id=quoted["id"])
    assert shown["row"]["values"][0] == ["commune", "Brest"]


def test_the_owner_service_page_shows_the_row_escaped(app):
    """The handling page lists the quoted row's fields and values as text."""
    portal = make_portal()
    resource = table(portal.dataset["id"], records=[TRICKY])
    created = post(portal.plain, portal.dataset["id"], resource_id=resource["id"],
                   row_id=str(row_id(resource["id"], TRICKY["commune"])))
    page = login(app, portal.editor).get(f"/feedback/{created['id']}").body
    assert '<script>alert("x")</script>' not in page
    cells = BeautifulSoup(page, "html.parser").select("table.feedback-row td")
    assert [cell.get_text() for cell in cells] == [
        TRICKY["commune"], "1", TRICKY["departement"]]
    public = app.get(f"/dataset/{portal.dataset['name']}").body
    assert "Row quoted: " in public
    assert "alert" not in public


@pytest.fixture
def mail(smtp_server: SMTPTestServer, monkeypatch: pytest.MonkeyPatch) -> SMTPTestServer:
    smtp_server.ckan_config(monkeypatch)
    return smtp_server


def test_the_mail_to_the_owner_service_quotes_the_row_on_safe_lines(mail):
    """The mail to the dataset's handlers lists the row, each value on one line (a line
    break in the data cannot add a header or a fake paragraph)."""
    portal = make_portal()
    resource = table(portal.dataset["id"], records=[TRICKY, RECORDS[0]])
    mail.clear()
    post(portal.plain, portal.dataset["id"], resource_id=resource["id"],
         row_id=str(row_id(resource["id"], TRICKY["commune"])), body="Valeurs bizarres")
    bodies = [message.get_body(("plain",)).get_content() for message in mail.messages]
    assert len(bodies) == 1
    body = bodies[0]
    assert "Quoted row (_id 1) of the data table:" in body
    assert f'  commune: {TRICKY["commune"]}' in body
    assert "  departement: 56 Bcc: intrus@example.org" in body
    assert all(not line.startswith("Bcc") for line in body.splitlines())
    assert {rcpt for envelope in mail.envelopes for rcpt in envelope.rcpt_tos} == {
        portal.admin["email"]}


def _dataset_url(portal: Any) -> str:
    return f"/dataset/{portal.dataset['name']}"


def test_the_form_quotes_a_row(app):
    """The dataset page's form (session and CSRF token) offers the row field when a
    resource has a table, and records the quote."""
    portal = make_portal()
    resource = table(portal.dataset["id"])
    quimper = row_id(resource["id"], "Quimper")
    client = login(app, portal.plain)
    page = client.get(_dataset_url(portal)).body
    assert BeautifulSoup(page, "html.parser").select_one("input[name=row_id]") is not None
    response = client.post(f"{_dataset_url(portal)}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "problem", "body": "Quimper a grandi",
        "resource_id": resource["id"], "row_id": str(quimper), "website_confirm": ""},
        follow_redirects=False)
    assert response.status_code == 302
    item = model.Session.query(Feedback).filter_by(body="Quimper a grandi").one()
    assert (item.row_id, item.row_values[0]) == (quimper, ["commune", "Quimper"])


def test_the_form_flashes_a_bad_row_and_records_nothing(app):
    """A row that does not exist comes back to the dataset page with the error."""
    portal = make_portal()
    resource = table(portal.dataset["id"])
    client = login(app, portal.plain)
    page = client.get(_dataset_url(portal)).body
    response = client.post(f"{_dataset_url(portal)}/feedback", data={
        "_csrf_token": csrf_token(page), "kind": "problem", "body": "Ligne absente",
        "resource_id": resource["id"], "row_id": "4242"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Row 4242 not found" in response.body
    assert model.Session.query(Feedback).filter_by(body="Ligne absente").count() == 0


def test_the_form_without_csrf_token_is_refused(app):
    portal = make_portal()
    resource = table(portal.dataset["id"])
    response = login(app, portal.plain).post(f"{_dataset_url(portal)}/feedback", data={
        "kind": "problem", "body": "Sans jeton", "resource_id": resource["id"],
        "row_id": "1"})
    assert response.status_code in (400, 403)
    assert model.Session.query(Feedback).filter_by(body="Sans jeton").count() == 0


def test_the_form_has_no_row_field_without_a_table(app):
    """Without any resource in the DataStore, the form does not offer a row."""
    portal = make_portal()
    page = login(app, portal.plain).get(_dataset_url(portal)).body
    assert BeautifulSoup(page, "html.parser").select_one("input[name=row_id]") is None


def test_migration_adds_and_drops_the_row_columns(migrate_db_for):
    """Downgrading past the row revision drops row_id and row_values; upgrading adds them."""
    import sqlalchemy as sa

    def columns() -> set[str]:
        return {column["name"] for column in
                sa.inspect(model.meta.engine).get_columns("reuse_tracker_feedback")}

    assert {"row_id", "row_values"} <= columns()
    model.Session.remove()
    try:
        migrate_db_for("reuse_tracker", version="e1a3c5b7d9f2", forward=False)
        assert not {"row_id", "row_values"} & columns()
        assert "reference" in columns()
    finally:
        migrate_db_for("reuse_tracker")
    assert {"row_id", "row_values"} <= columns()
