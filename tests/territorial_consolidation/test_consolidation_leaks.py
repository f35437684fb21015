"""What a consolidation shows visitors: no private ids, no server paths, honest outcomes."""
from __future__ import annotations

import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import uploader
from ckan.tests import factories, helpers

from tests.territorial_consolidation.consolidation_setup import (
    BRUZ, MARKS, RENNES, RENNES_METROPOLE, SUBVENTIONS_URL, as_user, make_consolidation,
    make_portal, publish, run_now, subventions_rows)

pytestmark = MARKS

UNREADABLE = "The file could not be read on the server"


def _lose_the_upload(resource: dict[str, Any]) -> str:
    """Remove an uploaded file from the storage behind CKAN's back; its path."""
    path = uploader.get_resource_uploader(resource).get_path(resource["id"])
    os.unlink(path)
    return path


def test_private_datasets_in_include_and_exclude_are_hidden_from_who_cannot_edit():
    """Anonymous visitors and other users see only the include/exclude entries naming
    datasets they may read; the consolidation's admins see them all."""
    portal = make_portal()
    secret, _r = publish(portal.communes[RENNES], subventions_rows(1).encode(), private=True,
                         name="subventions-secretes")
    public, public_resource = publish(portal.communes[BRUZ], subventions_rows(1).encode())
    consolidation = make_consolidation(
        portal, include=[secret["name"], public["id"]],
        exclude=[secret["id"], public_resource["id"]])

    for user in (None, portal.plain, factories.User()):
        shown = helpers.call_action("consolidation_show", as_user(user),
                                    id=consolidation["id"])
        listed = helpers.call_action("consolidation_list", as_user(user))["results"][0]
        for answer in (shown, listed):
            assert answer["include"] == [public["id"]]
            assert answer["exclude"] == [public_resource["id"]]
            assert secret["id"] not in str(answer) and secret["name"] not in str(answer)
    seen = helpers.call_action("consolidation_show", as_user(portal.admin),
                               id=consolidation["id"])
    assert seen["include"] == [secret["name"], public["id"]]
    assert seen["exclude"] == [secret["id"], public_resource["id"]]


def test_a_member_of_the_private_datasets_organization_sees_its_entries():
    """A user who may read the private dataset sees the entry naming it."""
    portal = make_portal()
    member = factories.User()
    helpers.call_action("member_create", {"ignore_auth": True},
                        id=portal.communes[RENNES]["id"], object=member["name"],
                        object_type="user", capacity="member")
    secret, _r = publish(portal.communes[RENNES], subventions_rows(1).encode(), private=True)
    consolidation = make_consolidation(portal, include=[secret["id"]])
    shown = helpers.call_action("consolidation_show", as_user(member), id=consolidation["id"])
    assert shown["include"] == [secret["id"]]


def test_an_unreadable_file_shows_a_clean_reason_and_no_server_path(app):
    """A source whose uploaded file is gone is unreachable with a translated reason; its
    path and the exception's text are shown to no one."""
    portal = make_portal()
    _p, lost = publish(portal.communes[RENNES], subventions_rows(1).encode())
    publish(portal.communes[BRUZ], subventions_rows(2).encode())
    path = _lose_the_upload(lost)
    consolidation = make_consolidation(portal)
    run_now(consolidation)

    shown = helpers.call_action("consolidation_show", as_user(None), id=consolidation["id"])
    (source,) = [source for source in shown["last_run"]["report"]["sources"]
                 if source["verdict"] == "unreachable"]
    assert source["reason"].startswith(UNREADABLE)
    body = app.get(f"/consolidation/{consolidation['name']}").get_data(as_text=True)
    for answer in (str(shown), body):
        assert path not in answer and "Errno" not in answer
        assert tk.config["ckan.storage_path"] not in answer
    assert UNREADABLE in body


def test_a_run_where_no_file_could_be_read_fails_and_keeps_the_previous_file(app):
    """When every source is unreachable, the run is failed, publishes nothing, and the
    page labels it failed rather than published."""
    portal = make_portal()
    _p, resource = publish(portal.communes[RENNES], subventions_rows(2).encode())
    consolidation = make_consolidation(portal)
    first = run_now(consolidation)
    assert first["state"] == "succeeded"
    published = helpers.call_action("resource_show", id=first["resource_id"])
    _lose_the_upload(resource)

    run = run_now(consolidation)

    assert run["state"] == "failed"
    assert run["resource_id"] is None
    assert "could be read" in run["error"]
    assert tk.config["ckan.storage_path"] not in run["error"]
    after = helpers.call_action("resource_show", id=first["resource_id"])
    assert after["hash"] == published["hash"]
    body = app.get(f"/consolidation/{consolidation['name']}").get_data(as_text=True)
    state = body.split('class="consolidation-state">')[1].split("</p>")[0]
    assert "failed" in state and "published" not in state
    assert tk.config["ckan.storage_path"] not in body


def test_a_failure_on_the_server_shows_no_exception_text(monkeypatch, caplog):
    """A run failing on an unexpected error stores a clean reason; the error's text is
    logged only."""
    from ckanext.territorial_consolidation.consolidation import engine

    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(1).encode())

    def broken(*args, **kwargs):
        raise OSError(2, "No such file or directory", "/srv/ckan/storage/secret")

    monkeypatch.setattr(engine, "_merge", broken)
    with caplog.at_level(logging.ERROR):
        run = run_now(make_consolidation(portal))
    assert run["state"] == "failed"
    assert "/srv/ckan/storage/secret" not in run["error"] and "Errno" not in run["error"]
    assert "/srv/ckan/storage/secret" in caplog.text


def test_coverage_calls_an_unreadable_file_unreachable(app):
    """A commune whose only file could not be read is ``unreachable``, not ``invalid``."""
    portal = make_portal()
    _p, resource = publish(portal.communes[RENNES], subventions_rows(1).encode())
    publish(portal.communes[BRUZ], subventions_rows(1).encode())
    _lose_the_upload(resource)
    run_now(make_consolidation(portal))

    coverage = helpers.call_action("territorial_coverage", schema=SUBVENTIONS_URL,
                                   territory=RENNES_METROPOLE)
    status = {row["id"]: row["status"] for row in coverage["results"]}
    assert (status[RENNES], status[BRUZ]) == ("unreachable", "valid")
    assert coverage["counts"]["unreachable"] == 1 and coverage["counts"]["invalid"] == 0
    body = app.get("/coverage/", query_string={"schema": SUBVENTIONS_URL,
                                               "territory": RENNES_METROPOLE}
                   ).get_data(as_text=True)
    assert 'class="coverage-unreachable"' in body
    assert "could not be read" in body
