"""A varied corpus of datasets for the search parity tests."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories


@pytest.fixture
def corpus() -> dict[str, Any]:
    """Three organizations, two groups, tags and extras with accents, private and draft datasets."""
    editor = factories.User(name="redacteur")
    outsider = factories.User(name="visiteur")
    rennes = factories.Organization(
        name="ville-de-rennes", title="Ville de Rennes",
        users=[{"name": editor["name"], "capacity": "editor"}])
    bruz = factories.Organization(name="ville-de-bruz", title="Ville de Bruz")
    metropole = factories.Organization(name="rennes-metropole", title="Rennes Métropole")
    environnement = factories.Group(name="environnement", title="Environnement")
    finances = factories.Group(name="finances-publiques", title="Finances publiques")

    def dataset(name: str, title: str, org: dict, tags: list[str], **extra: Any) -> dict:
        return factories.Dataset(
            name=name, title=title, owner_org=org["id"],
            tags=[{"name": t} for t in tags], **extra)

    data = {
        "equipements": dataset(
            "equipements-sportifs", "Équipements sportifs", rennes, ["sport", "équipements"],
            notes="Liste des gymnases, piscines et terrains de la ville.",
            license_id="odc-odbl",
            extras=[{"key": "theme", "value": "Sport"}],
            resources=[{"url": "http://example.org/eq.csv", "format": "CSV", "name": "Gymnases"}]),
        "budget": dataset(
            "budget-primitif-2026", "Budget primitif 2026", rennes, ["finances", "budget"],
            notes="Budget voté par le conseil municipal.",
            groups=[{"name": finances["name"]}], license_id="cc-by",
            extras=[{"key": "theme", "value": "Finances"}],
            resources=[{"url": "http://example.org/b.csv", "format": "CSV"},
                       {"url": "http://example.org/b.json", "format": "JSON"}]),
        "deliberations": dataset(
            "deliberations-conseil", "Délibérations du conseil municipal", bruz,
            ["conseil", "finances"], notes="Délibérations publiées après chaque séance.",
            groups=[{"name": finances["name"]}], license_id="cc-by",
            resources=[{"url": "http://example.org/d.pdf", "format": "PDF"}]),
        "air": dataset(
            "qualite-de-l-air", "Qualité de l'air", metropole, ["environnement", "air"],
            notes="Mesures horaires du dioxyde d'azote aux stations de la métropole.",
            groups=[{"name": environnement["name"]}], license_id="odc-odbl",
            extras=[{"key": "theme", "value": "Environnement"}],
            resources=[{"url": "http://example.org/air.csv", "format": "CSV"}]),
        "velos": dataset(
            "stationnement-velo", "Stationnement vélo", metropole, ["mobilité", "vélo"],
            notes="Arceaux et abris à vélos.", groups=[{"name": environnement["name"]}],
            license_id="odc-odbl",
            resources=[{"url": "http://example.org/v.geojson", "format": "GeoJSON"}]),
        "dechets": dataset(
            "dechetteries", "Horaires des déchetteries", metropole, ["environnement", "déchets"],
            notes="Horaires d'ouverture des déchetteries.", license_id="cc-by"),
        "private": dataset(
            "effectifs-agents", "Effectifs des agents", rennes, ["ressources-humaines"],
            private=True, notes="Données internes."),
        "draft": dataset(
            "brouillon-marches", "Marchés publics (brouillon)", rennes, ["marchés"],
            state="draft"),
    }
    model.Session.commit()
    return {"datasets": data, "editor": editor, "outsider": outsider,
            "orgs": {"rennes": rennes, "bruz": bruz, "metropole": metropole},
            "groups": {"environnement": environnement, "finances": finances},
            "created": datetime.datetime.utcnow()}
