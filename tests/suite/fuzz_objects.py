"""Existing objects of every kind the suite's actions take an id of, for the fuzz test."""
from __future__ import annotations

import json
import uuid
from typing import Any, Callable

from ckan.tests import factories, helpers

from tests.territorial_consolidation.consolidation_setup import (
    SUBVENTIONS_SCHEMA, SUBVENTIONS_URL)

__all__ = ["TERRITORY", "make_objects", "fresh_ids", "ids_for"]

#: A territory the fixture creates (``level:code``).
TERRITORY = "commune:35238"


def _as(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


def _service(sysadmin: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("governance_service_create", _as(sysadmin),
                               organization_id=org["id"], name=f"service-{uuid.uuid4().hex[:8]}",
                               title="Direction des finances")


def _reuse(sysadmin: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    # A host under .invalid never resolves: a link check ends at once, offline.
    return helpers.call_action("reuse_create", _as(sysadmin), title="Carte des budgets",
                               url=f"https://carte-{uuid.uuid4().hex[:8]}.invalid/",
                               description="Une carte.", type="visualization",
                               datasets=[dataset["id"]])


def _datarequest(sysadmin: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    request = helpers.call_action("datarequest_create", _as(sysadmin),
                                  title="Horaires des piscines",
                                  description="Par équipement et par jour.",
                                  organization_id=org["id"])
    comment = helpers.call_action("datarequest_comment_create", _as(sysadmin),
                                  id=request["id"], body="Aussi les tarifs ?")
    return {**request, "comment_id": comment["id"]}


def _rule(sysadmin: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("responsibility_rule_create", _as(sysadmin), kind="keyword",
                               value=f"budget-{uuid.uuid4().hex[:6]}", level="commune")


def _planned(sysadmin: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("planned_dataset_create", _as(sysadmin),
                               organization_id=org["id"], title="Budget 2027",
                               target_date="2099-01-01")


def _reviewer(sysadmin: dict[str, Any], org: dict[str, Any]) -> dict[str, Any]:
    user = factories.User()
    helpers.call_action("governance_reviewer_create", _as(sysadmin),
                        organization_id=org["id"], user=user["name"])
    return user


def make_objects(sysadmin: dict[str, Any], org: dict[str, Any], dataset: dict[str, Any],
                 public: dict[str, Any]) -> dict[str, Any]:
    """One object of each kind, created through the actions: ``{kind: id}`` and the
    extra keys some actions need (a second service, a comment, a reviewer)."""
    for level, code, name in (("epci", "243500139", "Rennes Métropole"),
                              ("commune", "35238", "Rennes")):
        helpers.call_action("territory_create", _as(sysadmin), level=level, code=code,
                            name=name, parent_ids=["epci:243500139"] if level == "commune"
                            else [])
    helpers.call_action("territory_organization_set", _as(sysadmin),
                        organization_id=org["id"], territory_id=TERRITORY)
    service, target = _service(sysadmin, org), _service(sysadmin, org)
    review = helpers.call_action("governance_review_request", _as(sysadmin),
                                 id=dataset["id"], comment="Relecture", publish=False)
    feedback = helpers.call_action("feedback_create", _as(sysadmin), package_id=public["id"],
                                   kind="question", body="Quelle unité ?")
    datarequest = _datarequest(sysadmin, org)
    consolidation = helpers.call_action(
        "consolidation_create", _as(sysadmin), name="subventions", title="Subventions",
        organization_id=org["id"], schema_url=SUBVENTIONS_URL, schema=SUBVENTIONS_SCHEMA,
        scope_territory_id="epci:243500139")
    source = helpers.call_action(
        "harvest_source_create", _as(sysadmin), name="portail-partenaire",
        title="Portail partenaire", url="https://partenaire.invalid/",
        source_type="territorial_ckan", owner_org=org["id"],
        config=json.dumps({"territory": TERRITORY}))
    return {
        "service": service["id"], "target": target["name"], "review": review["id"],
        "reuse": _reuse(sysadmin, public)["id"], "feedback": feedback["id"],
        "datarequest": datarequest["id"], "comment_id": datarequest["comment_id"],
        "rule": _rule(sysadmin)["id"], "reviewer": _reviewer(sysadmin, org)["name"],
        "consolidation": consolidation["id"], "source": source["id"],
        "territory": TERRITORY, "planned": _planned(sysadmin, org)["id"],
    }


#: The kind of object whose id each family of actions takes as ``id``; the longest
#: matching prefix wins, the dataset's id otherwise.
_FAMILIES = {
    "governance_service_": "service", "governance_review_decide": "review",
    "governance_review_show": "review", "reuse_": "reuse", "reuse_stats": None,
    "feedback_": "feedback", "datarequest_": "datarequest", "responsibility_rule_": "rule",
    "consolidation_": "consolidation", "territorial_harvest_": "source",
    "territory_": "territory", "planned_dataset_": "planned",
}


def ids_for(action: str, objects: dict[str, Any]) -> dict[str, Any]:
    """The real ids an action reads: ``id`` of its family's object, and the other keys
    naming existing objects (a reviewer, a comment, a territory, a target service)."""
    prefixes = sorted((prefix for prefix in _FAMILIES if action.startswith(prefix)),
                      key=len, reverse=True)
    found: dict[str, Any] = {
        "comment_id": objects["comment_id"], "target": objects["target"],
        "user": objects["reviewer"], "territory_id": objects["territory"],
        "source_id": objects["source"], "reuse_id": objects["reuse"]}
    kind = _FAMILIES[prefixes[0]] if prefixes else None
    if kind:
        found["id"] = objects[kind]
    return found


#: Actions that end or remove their object: each test of one gets objects of its own,
#: so that the actions sorted after it still meet live ones.
_DESTRUCTIVE: dict[str, Callable[..., dict[str, Any]]] = {
    "governance_service_delete": lambda s, o, d, p: {"id": _service(s, o)["id"]},
    "governance_service_reassign": lambda s, o, d, p: {
        "id": _service(s, o)["id"], "target": _service(s, o)["name"]},
    "governance_reviewer_delete": lambda s, o, d, p: {"user": _reviewer(s, o)["name"]},
    "reuse_delete": lambda s, o, d, p: {"id": _reuse(s, p)["id"]},
    "reuse_moderate": lambda s, o, d, p: {"id": _reuse(s, p)["id"]},
    "datarequest_close": lambda s, o, d, p: {"id": _datarequest(s, o)["id"]},
    "datarequest_comment_delete": lambda s, o, d, p: {
        key: value for key, value in _datarequest(s, o).items() if key in ("id",
                                                                            "comment_id")},
    "responsibility_rule_delete": lambda s, o, d, p: {"id": _rule(s)["id"]},
    "planned_dataset_delete": lambda s, o, d, p: {"id": _planned(s, o)["id"]},
}


def fresh_ids(action: str, sysadmin: dict[str, Any], org: dict[str, Any],
              dataset: dict[str, Any], public: dict[str, Any]) -> dict[str, Any]:
    """New objects for an action that ends or removes its own (empty for the others)."""
    make = _DESTRUCTIVE.get(action)
    return make(sysadmin, org, dataset, public) if make else {}
