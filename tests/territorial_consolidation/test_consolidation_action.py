"""consolidation_create|update|show|list|run: fields, validation errors, history."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.territorial_consolidation.consolidation_setup import (
    MARKS, RENNES, RENNES_METROPOLE, SUBVENTIONS_URL, as_user, make_consolidation,
    make_portal, publish, run_now, subventions_rows)

pytestmark = MARKS


def test_create_stores_the_settings_with_their_defaults():
    """A created consolidation keeps its fields; valid rows are kept and runs are manual."""
    portal = make_portal()
    created = make_consolidation(portal)
    assert created["scope_territory_id"] == RENNES_METROPOLE
    assert created["schema_url"] == SUBVENTIONS_URL
    assert created["schema_uploaded"] is True
    assert (created["keep_valid_rows"], created["schedule"]) == (True, "manual")
    assert created["last_run"] is None


@pytest.mark.parametrize("field,value", [
    ("name", "Pas Valide!"), ("schema_url", "ftp://x"), ("scope_territory_id", "commune:00000"),
    ("schedule", "hourly"), ("schema", {"title": "no fields"}), ("dedup_key", ["inconnu"]),
])
def test_bad_values_are_refused_naming_the_field(field, value):
    """Each invalid field gives a ValidationError naming it."""
    portal = make_portal()
    with pytest.raises(tk.ValidationError) as error:
        make_consolidation(portal, **{field: value})
    assert field in error.value.error_dict


def test_a_name_in_use_is_refused():
    """Two consolidations cannot share a name."""
    portal = make_portal()
    make_consolidation(portal)
    with pytest.raises(tk.ValidationError) as error:
        make_consolidation(portal)
    assert "name" in error.value.error_dict


def test_a_target_dataset_of_another_organization_is_refused():
    """The target dataset must belong to the consolidating organization."""
    portal = make_portal()
    foreign = factories.Dataset(owner_org=portal.communes[RENNES]["id"])
    with pytest.raises(tk.ValidationError) as error:
        make_consolidation(portal, package_id=foreign["id"])
    assert "package_id" in error.value.error_dict


def test_update_changes_only_the_fields_given():
    """An update of the schedule leaves the scope and the key alone."""
    portal = make_portal()
    created = make_consolidation(portal)
    updated = helpers.call_action("consolidation_update", as_user(portal.admin),
                                  id=created["name"], schedule="weekly")
    assert updated["schedule"] == "weekly"
    assert updated["dedup_key"] == created["dedup_key"]
    assert updated["scope_territory_id"] == created["scope_territory_id"]


def test_list_pages_and_filters_by_organization():
    """consolidation_list returns count and results, filtered by organization."""
    portal = make_portal()
    make_consolidation(portal)
    make_consolidation(portal, name="deux", title="Deux")
    page = helpers.call_action("consolidation_list", organization_id=portal.org["name"],
                               limit=1)
    assert page["count"] == 2
    assert len(page["results"]) == 1
    assert helpers.call_action("consolidation_list",
                               organization_id=portal.communes[RENNES]["id"])["count"] == 0


def test_a_bad_limit_is_a_validation_error():
    """A limit that is not a number names the field."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("consolidation_list", limit="beaucoup")
    assert "limit" in error.value.error_dict


@pytest.mark.parametrize("action,data,field", [
    ("consolidation_list", {"offset": -1}, "offset"),
    ("consolidation_list", {"limit": 1.5}, "limit"),
    ("consolidation_show", {"id": "x", "runs": "many"}, "runs"),
    ("consolidation_show", {"id": "x", "runs": -1}, "runs"),
    ("territorial_coverage", {"schema": "ftp://x", "territory": RENNES_METROPOLE}, "schema"),
    ("territorial_coverage", {"schema": SUBVENTIONS_URL, "territory": RENNES_METROPOLE,
                              "offset": "-1"}, "offset"),
])
def test_bad_read_parameters_name_the_field(action, data, field):
    """A bad page, number of runs or schema URL is a ValidationError naming the field."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action(action, **data)
    assert field in error.value.error_dict


def test_an_update_with_a_bad_field_changes_nothing():
    """A bad schedule in an update is refused naming it, and the consolidation is kept."""
    portal = make_portal()
    created = make_consolidation(portal)
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("consolidation_update", as_user(portal.admin),
                            id=created["name"], schedule="hourly", title="Autre")
    assert "schedule" in error.value.error_dict
    shown = helpers.call_action("consolidation_show", id=created["id"])
    assert (shown["schedule"], shown["title"]) == (created["schedule"], created["title"])


def test_run_in_background_queues_a_pending_run(monkeypatch):
    """By default the run is queued as a job and listed as pending."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    queued = []
    from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs

    monkeypatch.setattr(consolidation_jobs.tk, "enqueue_job",
                        lambda function, args, **kwargs: queued.append((function, args)))
    run = helpers.call_action("consolidation_run", as_user(portal.admin),
                              id=consolidation["id"])
    assert run["state"] == "pending"
    assert queued == [(consolidation_jobs.run_consolidation, [consolidation["id"], run["id"]])]


def test_a_second_run_while_one_is_pending_is_refused(monkeypatch):
    """Two runs of one consolidation never overlap."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs

    monkeypatch.setattr(consolidation_jobs.tk, "enqueue_job", lambda *args, **kwargs: None)
    helpers.call_action("consolidation_run", as_user(portal.admin), id=consolidation["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("consolidation_run", as_user(portal.admin),
                            id=consolidation["id"])
    assert "id" in error.value.error_dict


def test_the_job_runs_the_queued_run():
    """The job body completes the pending run it was given."""
    from ckanext.territorial_consolidation.consolidation import jobs as consolidation_jobs
    from ckanext.territorial_consolidation.model.consolidation import ConsolidationRun
    from ckan import model

    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    consolidation = make_consolidation(portal)
    run = ConsolidationRun(consolidation_id=consolidation["id"], state="pending")
    model.Session.add(run)
    model.Session.commit()
    result = consolidation_jobs.run_consolidation(consolidation["id"], run.id)
    assert (result["id"], result["state"]) == (run.id, "succeeded")


def test_show_gives_the_last_report_and_the_history():
    """consolidation_show has the last run's report and every run, newest first."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(2).encode())
    consolidation = make_consolidation(portal)
    first = run_now(consolidation)
    second = run_now(consolidation)
    shown = helpers.call_action("consolidation_show", id=consolidation["name"])
    assert shown["last_run"]["id"] == second["id"]
    assert shown["last_run"]["report"]["rows_out"] == 2
    assert [run["id"] for run in shown["runs"]] == [second["id"], first["id"]]
    assert "report" not in shown["runs"][0]


def test_show_of_an_unknown_consolidation_is_not_found():
    """An unknown id is NotFound."""
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("consolidation_show", id="nope")


def test_a_source_made_private_after_the_run_is_hidden_from_the_report():
    """A dataset made private since the run is masked for anonymous readers, kept for admins."""
    portal = make_portal()
    package, _resource = publish(portal.communes[RENNES], subventions_rows(1).encode(),
                                 title="Subventions secrètes")
    consolidation = make_consolidation(portal)
    run_now(consolidation)
    helpers.call_action("package_patch", id=package["id"], private=True)
    shown = helpers.call_action("consolidation_show", as_user(None), id=consolidation["id"])
    assert "Subventions secrètes" not in str(shown)
    assert package["id"] not in str(shown)
    assert shown["last_run"]["report"]["sources"][0]["kept"] == 1
    seen = helpers.call_action("consolidation_show", as_user(portal.sysadmin),
                               id=consolidation["id"])
    assert "Subventions secrètes" in str(seen)
