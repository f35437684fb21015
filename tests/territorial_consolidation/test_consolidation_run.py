"""Consolidation runs through CKAN: scope, provenance, duplicates, incremental, atomic swap."""
from __future__ import annotations

import os

import pytest

from ckan.lib import uploader
from ckan.tests import helpers

from ckanext.territorial_consolidation.consolidation import engine
from tests.smtp import smtp_server  # noqa: F401  (fixture)
from tests.territorial_consolidation.consolidation_setup import (
    BRUZ, MARKS, RENNES, SUBVENTIONS, SUBVENTIONS_URL, make_consolidation, make_portal,
    output_rows, publish, replace_upload, run_now, subventions_rows)

pytestmark = MARKS


def _file_of(resource_id: str) -> str:
    resource = helpers.call_action("resource_show", id=resource_id)
    return uploader.get_resource_uploader(resource).get_path(resource_id)


def test_a_run_merges_the_communes_files_with_the_origin_of_each_row():
    """Rows of two communes' files are published with their territory, dataset and resource."""
    portal = make_portal()
    rennes_pkg, rennes_res = publish(portal.communes[RENNES],
                                     subventions_rows(3, attribuant="21350238800019").encode())
    _bruz_pkg, bruz_res = publish(portal.communes[BRUZ],
                                  subventions_rows(2, attribuant="21350047800017").encode())
    run = run_now(make_consolidation(portal))
    assert run["state"] == "succeeded", run["error"]
    rows = output_rows(run)
    assert len(rows) == 5
    origin = {row["source_resource_id"]: row["source_territory_code"] for row in rows}
    assert origin == {rennes_res["id"]: "35238", bruz_res["id"]: "35047"}
    rennes_row = next(row for row in rows if row["source_resource_id"] == rennes_res["id"])
    assert rennes_row["source_dataset_url"].endswith(f"/dataset/{rennes_pkg['name']}")
    assert rennes_row["source_last_modified"]


def test_the_report_counts_valid_partial_and_invalid_sources_and_rows():
    """The official examples give one valid, one partially valid and one invalid source."""
    portal = make_portal()
    for name in ("exemple_valide.csv", "exemple_invalide_erreurs_cellules.csv",
                 "exemple_invalide_erreurs_colonnes.csv"):
        publish(portal.communes[RENNES], (SUBVENTIONS / name).read_bytes(), filename=name)
    run = run_now(make_consolidation(portal))
    report = run["report"]
    assert (report["sources_found"], report["sources_valid"], report["sources_partial"],
            report["sources_invalid"]) == (3, 1, 1, 1)
    assert report["rows_in"] == 87
    assert report["rows_rejected"] + report["rows_valid"] == 87
    invalid = next(source for source in report["sources"] if source["verdict"] == "invalid")
    assert invalid["error_counts"]["incorrect-label:nomAttribuant"] == 1
    assert invalid["errors"][0]["type"] == "missing-label"


def test_partially_invalid_files_give_nothing_when_valid_rows_are_not_kept():
    """With keep_valid_rows false, a file with one bad row contributes no row."""
    portal = make_portal()
    text = subventions_rows(3) + ("Ville,123,2024-03-01,,Asso,,,Objet,12,aide en nature,"
                                  "unique,2024-01-01,,non,0.5,\n")
    publish(portal.communes[RENNES], text.encode())
    run = run_now(make_consolidation(portal, keep_valid_rows=False))
    assert run["report"]["sources_invalid"] == 1
    assert run["report"]["rows_out"] == 0


def test_a_duplicate_key_across_communes_keeps_the_newest_source():
    """The same grant in two communes' files: the row of the file modified last wins."""
    portal = make_portal()
    _p, older = publish(portal.communes[RENNES], subventions_rows(1, objet="Ancien").encode())
    _p, newer = publish(portal.communes[BRUZ], subventions_rows(1, objet="Ancien",
                                                                montant="2000").encode())
    helpers.call_action("resource_patch", id=older["id"], last_modified="2020-01-01T00:00:00")
    helpers.call_action("resource_patch", id=newer["id"], last_modified="2025-01-01T00:00:00")
    run = run_now(make_consolidation(portal))
    rows = output_rows(run)
    assert len(rows) == 1
    assert rows[0]["montant"] == "2000"
    assert rows[0]["source_resource_id"] == newer["id"]
    assert run["report"]["duplicates"] == 1


def test_files_outside_the_scope_private_or_of_another_schema_are_left_out():
    """A commune outside the EPCI, a private dataset and another schema are not sources."""
    portal = make_portal()
    from ckan.tests import factories

    outside = factories.Organization(name="ville-de-saint-malo")
    helpers.call_action("territory_organization_set", {"ignore_auth": True},
                        organization_id=outside["id"], territory_id="commune:35288")
    publish(outside, subventions_rows(1).encode())
    publish(portal.communes[RENNES], subventions_rows(1).encode(), private=True)
    publish(portal.communes[BRUZ], subventions_rows(1).encode(),
            conforms_to="https://schema.data.gouv.fr/schemas/scdl/prenoms/1.1.6/schema.json")
    run = run_now(make_consolidation(portal))
    assert run["report"]["sources_found"] == 0


def test_include_and_exclude_override_the_scope():
    """An included dataset outside the scope is read; an excluded one in scope is not."""
    portal = make_portal()
    from ckan.tests import factories

    outside = factories.Organization(name="ville-de-saint-malo")
    included, _r = publish(outside, subventions_rows(1, start=10).encode())
    excluded, _r = publish(portal.communes[RENNES], subventions_rows(1).encode())
    run = run_now(make_consolidation(portal, include=[included["name"]],
                                     exclude=[excluded["id"]]))
    assert [source["package_id"] for source in run["report"]["sources"]] == [included["id"]]


def test_latin1_semicolon_files_with_french_decimals_are_read_and_normalised():
    """A CP1252 file with ``;`` and decimal commas is valid once normalised."""
    portal = make_portal()
    text = subventions_rows(2, delimiter=";", montant="1500,75").replace(
        "aide en numéraire", "aide en numéraire")
    publish(portal.communes[RENNES], text.encode("cp1252"))
    run = run_now(make_consolidation(portal))
    source = run["report"]["sources"][0]
    assert (source["verdict"], source["encoding"], source["delimiter"]) == \
        ("valid", "cp1252", ";")
    rows = output_rows(run)
    assert {row["montant"] for row in rows} == {"1500.75"}
    assert rows[0]["nature"] == "aide en numéraire"


def test_formula_like_text_is_neutralised_but_negative_numbers_are_kept():
    """``=HYPERLINK(...)`` in a text field gets a quote; ``-12.5`` in a number field does not."""
    portal = make_portal()
    text = subventions_rows(1, objet='=HYPERLINK("http://evil")', montant="-12.5")
    publish(portal.communes[RENNES], text.encode())
    rows = output_rows(run_now(make_consolidation(portal)))
    assert rows[0]["objet"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["montant"] == "-12.5"


@pytest.mark.parametrize("objet", ["  =1+1", "\t=cmd", "\u00a0@SUM(A1)", "-12.5"])
def test_formula_after_leading_whitespace_is_neutralised(objet):
    """Whitespace before a formula in a text field does not pass the guard; a text
    ``-12.5`` is quoted while the number field's ``-12.5`` is kept."""
    portal = make_portal()
    text = subventions_rows(1, objet=objet, montant="-12.5")
    publish(portal.communes[RENNES], text.encode())
    rows = output_rows(run_now(make_consolidation(portal)))
    assert rows[0]["objet"] == "'" + objet
    assert rows[0]["montant"] == "-12.5"


def test_an_unchanged_rerun_reads_no_file_and_publishes_nothing(monkeypatch):
    """A second run with the same files is ``unchanged`` and opens no source."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(2).encode())
    consolidation = make_consolidation(portal)
    first = run_now(consolidation)
    before = os.stat(_file_of(first["resource_id"])).st_mtime_ns
    opened = []
    real = engine._read_source
    monkeypatch.setattr(engine, "_read_source",
                        lambda *args, **kwargs: opened.append(args[0]) or real(*args, **kwargs))
    second = run_now(consolidation)
    assert second["state"] == "unchanged"
    assert second["report"]["sources_reused"] == 1
    assert opened == []
    assert second["resource_id"] == first["resource_id"]
    assert os.stat(_file_of(first["resource_id"])).st_mtime_ns == before


def test_only_the_changed_source_is_read_again():
    """When one commune updates its file, only that file is read; the other is reused."""
    portal = make_portal()
    _p, rennes = publish(portal.communes[RENNES], subventions_rows(2).encode())
    publish(portal.communes[BRUZ], subventions_rows(2, attribuant="21350047800017").encode())
    consolidation = make_consolidation(portal)
    first = run_now(consolidation)
    replace_upload(rennes, subventions_rows(4).encode())
    run = run_now(consolidation)
    reused = {source["resource_id"]: source["reused"] for source in run["report"]["sources"]}
    assert reused[rennes["id"]] is False
    assert sum(reused.values()) == 1
    assert run["report"]["rows_out"] == 6
    # The new file took the place of the old one, under the same resource.
    assert run["resource_id"] == first["resource_id"]
    assert len(output_rows(run)) == 6


def test_a_source_that_disappears_takes_its_rows_away():
    """A dataset deleted between runs no longer contributes rows."""
    portal = make_portal()
    gone, _r = publish(portal.communes[RENNES], subventions_rows(2).encode())
    publish(portal.communes[BRUZ], subventions_rows(1, attribuant="21350047800017").encode())
    consolidation = make_consolidation(portal)
    assert run_now(consolidation)["report"]["rows_out"] == 3
    helpers.call_action("package_delete", id=gone["id"])
    run = run_now(consolidation)
    assert run["state"] == "succeeded"
    assert run["report"]["rows_out"] == 1


def test_a_run_failing_halfway_leaves_the_previous_file_and_resource(monkeypatch):
    """An exception during the merge fails the run; the published file and its metadata stay."""
    portal = make_portal()
    _p, source = publish(portal.communes[RENNES], subventions_rows(2).encode())
    consolidation = make_consolidation(portal)
    first = run_now(consolidation)
    path = _file_of(first["resource_id"])
    content = open(path, "rb").read()
    resource_before = helpers.call_action("resource_show", id=first["resource_id"])
    replace_upload(source, subventions_rows(5).encode())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "_merge", broken)
    failed = run_now(consolidation)
    assert failed["state"] == "failed"
    # The error's text is the server's business: visitors get a reason in words.
    assert failed["error"] and "disk full" not in failed["error"]
    assert open(path, "rb").read() == content
    resource_after = helpers.call_action("resource_show", id=first["resource_id"])
    assert resource_after["hash"] == resource_before["hash"]
    assert resource_after["last_modified"] == resource_before["last_modified"]


def test_the_published_resource_declares_the_schema_and_its_dictionary():
    """The consolidated resource has conforms_to, the schema version and a data dictionary."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    consolidation = make_consolidation(portal)
    run = run_now(consolidation)
    resource = helpers.call_action("resource_show", id=run["resource_id"])
    assert resource["conforms_to"] == SUBVENTIONS_URL
    assert resource["consolidation_schema_version"].endswith(":2.1.1")
    assert '"montant"' in resource["data_dictionary"]
    shown = helpers.call_action("consolidation_show", id=consolidation["id"])
    assert shown["package_id"] == resource["package_id"]
    package = helpers.call_action("package_show", id=resource["package_id"])
    assert package["owner_org"] == portal.org["id"]


def test_a_schema_url_that_does_not_answer_fails_with_a_clear_error():
    """Without an uploaded schema, an unreachable URL fails the run and publishes nothing."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    consolidation = make_consolidation(
        portal, schema="", schema_url="http://127.0.0.1:9/schema.json")
    run = run_now(consolidation)
    assert run["state"] == "failed"
    assert "Schema unavailable" in run["error"]
    assert run["resource_id"] is None
    assert helpers.call_action("consolidation_show", id=consolidation["id"])["package_id"] is None


def test_the_demo_consolidates_the_subventions_of_the_demo_communes():
    """The demo publishes three communes' files and consolidates them, twice safely."""
    from ckan.tests import factories

    from ckanext.territorial_consolidation.consolidation import demo as consolidation_demo
    from tests.territorial_consolidation.consolidation_setup import load_dep35

    load_dep35()
    for name, territory in (("rennes-metropole", "epci:243500139"),
                            ("rennes", "commune:35238"), ("bruz", "commune:35047"),
                            ("cesson-sevigne", "commune:35051")):
        factories.Organization(name=name)
        helpers.call_action("territory_organization_set", {"ignore_auth": True},
                            organization_id=name, territory_id=territory)
    first = consolidation_demo.load_consolidation_demo()
    report = first["run"]["report"]
    assert first["run"]["state"] == "succeeded"
    assert (report["sources_valid"], report["sources_partial"]) == (2, 1)
    assert report["rows_out"] == 34
    again = consolidation_demo.load_consolidation_demo()
    assert again["run"]["state"] == "unchanged"
    assert again["consolidation"]["id"] == first["consolidation"]["id"]


def test_a_harvested_dataset_counts_for_the_territory_of_its_provenance():
    """A dataset of an organization without territory is in scope through its provenance."""
    from ckan import model
    from ckan.tests import factories

    from ckanext.territorial_consolidation.model.harvest import Provenance

    portal = make_portal()
    harvester_org = factories.Organization(name="moissonnage")
    package, _r = publish(harvester_org, subventions_rows(1).encode())
    model.Session.add(Provenance(
        package_id=package["id"], harvest_source_id="source-1", portal_kind="ckan",
        portal_url="https://data.bruz.example", remote_id="remote-1",
        remote_url="https://data.bruz.example/dataset/subventions",
        territory_code="35047", territorial_level="commune"))
    model.Session.commit()
    rows = output_rows(run_now(make_consolidation(portal)))
    assert rows[0]["source_territory_code"] == "35047"
    assert rows[0]["source_dataset_url"] == "https://data.bruz.example/dataset/subventions"


@pytest.fixture
def file_server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving files from a folder (HEAD and GET)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_linked_files_are_fetched_and_not_read_again_while_unchanged(file_server, monkeypatch):
    """A resource linking to a URL is fetched; same Last-Modified and size: not read again."""
    from ckan.tests import factories

    folder, base = file_server
    (folder / "subventions.csv").write_text(subventions_rows(2), encoding="utf-8")
    portal = make_portal()
    package = factories.Dataset(owner_org=portal.communes[RENNES]["id"])
    helpers.call_action("resource_create", package_id=package["id"], format="CSV",
                        url=f"{base}/subventions.csv", conforms_to=SUBVENTIONS_URL)
    consolidation = make_consolidation(portal)
    assert run_now(consolidation)["report"]["rows_out"] == 2
    opened = []
    real = engine._read_source
    monkeypatch.setattr(engine, "_read_source",
                        lambda *args, **kwargs: opened.append(1) or real(*args, **kwargs))
    assert run_now(consolidation)["state"] == "unchanged"
    assert opened == []


def test_an_unreachable_source_is_reported_with_its_reason():
    """A link to a closed port is an unreachable source with the reason; the others publish."""
    from ckan.tests import factories

    portal = make_portal()
    publish(portal.communes[BRUZ], subventions_rows(1).encode())
    package = factories.Dataset(owner_org=portal.communes[RENNES]["id"])
    helpers.call_action("resource_create", package_id=package["id"], format="CSV",
                        url="http://127.0.0.1:9/subventions.csv", conforms_to=SUBVENTIONS_URL)
    run = run_now(make_consolidation(portal))
    assert run["state"] == "succeeded"
    assert run["report"]["sources_unreachable"] == 1
    failed = next(source for source in run["report"]["sources"]
                  if source["verdict"] == "unreachable")
    assert failed["package_id"] == package["id"]
    assert failed["reason"]
    assert run["report"]["rows_out"] == 1


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_a_consolidated_file_larger_than_the_upload_limit_is_published():
    """The upload limit (1 MB here) bounds what people upload, not the consolidated file."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(4000).encode())
    publish(portal.communes[BRUZ], subventions_rows(4000, attribuant="21350047800017").encode())
    run = run_now(make_consolidation(portal))
    assert run["state"] == "succeeded", run["error"]
    resource = helpers.call_action("resource_show", id=run["resource_id"])
    assert resource["size"] > 1024 * 1024
    assert len(output_rows(run)) == 8000


def test_owners_of_invalid_sources_are_mailed_once(smtp_server, monkeypatch):
    """With notify_owners, the commune's admins get one mail; an unchanged re-run sends none."""
    from ckan.tests import factories

    smtp_server.ckan_config(monkeypatch)
    portal = make_portal()
    mayor = factories.User(email="elu@bruz.example.org")
    helpers.call_action("member_create", {"ignore_auth": True},
                        id=portal.communes[BRUZ]["id"], object=mayor["name"],
                        object_type="user", capacity="admin")
    publish(portal.communes[BRUZ], (SUBVENTIONS / "exemple_invalide_erreurs_cellules.csv")
            .read_bytes(), title="Subventions de Bruz")
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    consolidation = make_consolidation(portal, notify_owners=True)
    run = run_now(consolidation)
    assert run["report"]["owners_notified"] == 1
    [message] = smtp_server.messages
    assert message["To"].endswith("<elu@bruz.example.org>")
    body = message.get_body().get_content()
    assert "Subventions de Bruz" in body
    assert "constraint-error:pourcentageSubvention: 3" in body
    smtp_server.clear()
    assert run_now(consolidation)["state"] == "unchanged"
    assert smtp_server.messages == []
