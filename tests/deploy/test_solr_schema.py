"""Beyond one machine: with Solr instead of postgres_search, what the suite indexes and the
searches its pages send fit CKAN's shipped Solr schema (schema.xml of the installed CKAN)."""
from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import pytest

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan.tests import factories, helpers

from ckanext.opendata_governance import reminders
from ckanext.postgres_search import lucene
from tests.deploy import solr_schema

#: The suite on Solr: every plugin of ours but postgres_search.
PLUGINS = ("scheming_datasets harvest opendata_governance reuse_tracker "
           "territorial_consolidation")
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("scheming.dataset_schemas",
                            "ckanext.opendata_governance:schemas/dataset.yaml"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]
FIELDS, DYNAMIC = solr_schema.load()


class _Response:
    hits = 0
    docs: list[dict[str, Any]] = []
    facets: dict[str, Any] = {"facet_fields": {}}
    stats: dict[str, Any] = {}


@dataclasses.dataclass
class RecordingSolr:
    """Stands for pysolr's connection: keeps what core would send to Solr."""

    added: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    searches: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    url: str = "http://solr.invalid/solr/ckan"

    def add(self, docs: list[dict[str, Any]], **kwargs: Any) -> None:
        self.added.extend(docs)

    def search(self, q: str = "*:*", **params: Any) -> _Response:
        self.searches.append({"q": q, **params})
        return _Response()

    def delete(self, **kwargs: Any) -> None:
        pass

    def commit(self, **kwargs: Any) -> None:
        pass


@pytest.fixture(autouse=True)
def solr(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingSolr]:
    """Core's search modules talking to a recording Solr (postgres_search, installed by
    other tests of the session, is taken out of the pipeline too). Autouse, so that it
    is in place before the plugins load: core then checks the Solr schema's version,
    which the recorder does not serve."""
    recorder = RecordingSolr()
    monkeypatch.setattr(search, "check_solr_schema_version", lambda *a, **k: True)
    for module in (search, search_common, search_index, search_query):
        if hasattr(module, "make_connection"):
            monkeypatch.setattr(module, "make_connection", lambda *a, **k: recorder)
    yield recorder


def _full_dataset() -> dict[str, Any]:
    """A dataset with every field of the suite's schema filled in, in an organization with
    an owner service, as a producer would publish it."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    helpers.call_action("governance_service_create", {"user": sysadmin["name"]},
                        organization_id=org["id"], name="direction-des-finances",
                        title="Direction des finances", email="finances@example.org")
    group = factories.Group()
    return helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, name="budget-primitif",
        title="Budget primitif", notes="Le budget primitif de la commune, par chapitre.",
        owner_org=org["id"], private=True, license_id="odc-odbl", tag_string="budget,finances",
        groups=[{"name": group["name"]}], extras=[{"key": "source", "value": "délibération"}],
        owner_service="direction-des-finances", data_steward="finances@example.org",
        update_frequency="ANNUAL", last_data_update="2026-01-15",
        contains_personal_data="false", territory_code="35238", territorial_level="commune",
        resources=[{"url": "https://example.org/budget.csv", "format": "CSV",
                    "name": "Budget", "conforms_to": "https://schema.data.gouv.fr/scdl/budget",
                    "quasi_identifiers": "commune"}])


def test_every_indexed_field_fits_the_solr_schema(solr):
    """Each key of the document core sends to Solr (ours from before_dataset_index and the
    schema's fields included) is a field or dynamic field of schema.xml, with a value of
    its type and no list for a single-valued field."""
    dataset = _full_dataset()
    docs = [doc for doc in solr.added if doc.get("id") == dataset["id"]]
    assert docs, "the dataset was not sent to Solr"
    doc = docs[-1]
    assert {"update_status", "next_update_due", "territorial_mirror", "owner_service",
            "update_frequency", "territory_code"} <= set(doc)
    problems = {}
    for key, value in doc.items():
        field = solr_schema.field_for(key, FIELDS, DYNAMIC)
        if field is None:
            problems[key] = "no field or dynamic field of schema.xml matches"
        elif (problem := solr_schema.value_problem(field, value)) is not None:
            problems[key] = problem
    assert problems == {}


def test_the_schema_check_catches_wrong_types():
    """The checks above can fail: a list in a single-valued field, a bare date in a date field."""
    single = solr_schema.field_for("owner_service", FIELDS, DYNAMIC)
    date = solr_schema.field_for("published_date", FIELDS, DYNAMIC)
    assert (single.type, single.multivalued) == ("string", False)
    assert solr_schema.value_problem(single, ["a", "b"]) is not None
    assert solr_schema.value_problem(date, "2026-01-15") is not None
    assert solr_schema.value_problem(date, "2026-01-15T00:00:00Z") is None


def _field_names(node: Any) -> Iterator[str]:
    """Every field a parsed query names."""
    if dataclasses.is_dataclass(node):
        for item in dataclasses.fields(node):
            value = getattr(node, item.name)
            if item.name == "field" and isinstance(value, str):
                yield value
            else:
                yield from _field_names(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _field_names(item)


def _searched_fields(search_params: dict[str, Any]) -> dict[str, set[str]]:
    """The fields one Solr request filters, facets and sorts on; each fq parsed with the
    Solr syntax CKAN produces (postgres_search's parser refuses anything else)."""
    fq = search_params.get("fq") or []
    filters = set()
    for query in [fq] if isinstance(fq, str) else fq:
        filters |= set(_field_names(lucene.parse(query)))
    facets = search_params.get("facet.field") or []
    sort = [part.split()[0] for part in (search_params.get("sort") or "").split(",") if part]
    return {"filters": filters, "facets": set(facets if isinstance(facets, list) else [facets]),
            "sort": {name for name in sort if name != "score"}}


def _run_the_suites_searches(app, dataset: dict[str, Any]) -> None:
    """The searches the suite's pages, actions and jobs make."""
    sysadmin = {"user": helpers.call_action("get_site_user")["name"]}
    for url in ("/dataset/", "/dataset/?owner_service=direction-des-finances"
                "&update_status=overdue&tags=budget&organization=x&res_format=CSV",
                "/dataset/?ext_territorial_mirrors=1", "/reuses/new"):
        app.get(url)
    helpers.call_action("governance_overdue_list", sysadmin)
    helpers.call_action("governance_dashboard", sysadmin)
    helpers.call_action("tag_list", sysadmin)
    helpers.call_action("governance_service_show", sysadmin, id="direction-des-finances",
                        organization_id=dataset["owner_org"])
    reminders.run(dry_run=True)


def test_filters_facets_and_sorts_name_fields_of_the_schema(app, solr):
    """Every fq, facet.field and sort the suite sends names a field Solr knows, sorts only
    single-valued fields, and parses in the Solr syntax core sends."""
    dataset = _full_dataset()
    solr.searches.clear()
    _run_the_suites_searches(app, dataset)
    assert len(solr.searches) >= 5
    used: dict[str, set[str]] = {"filters": set(), "facets": set(), "sort": set()}
    for params in solr.searches:
        for kind, names in _searched_fields(params).items():
            used[kind] |= names
    ours = {"owner_service", "update_status", "territorial_mirror"}
    assert ours <= used["facets"] | used["filters"]
    unknown = {name for names in used.values() for name in names
               if solr_schema.field_for(name, FIELDS, DYNAMIC) is None}
    assert unknown == set()
    multi_sorted = {name for name in used["sort"]
                    if solr_schema.field_for(name, FIELDS, DYNAMIC).multivalued}
    assert multi_sorted == set()
