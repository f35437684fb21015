"""Territories, partner portals and communes as a reader names them: "Rennes (Commune)",
the portal's host (never its API address), communes in French alphabetical order, and a
coverage form that offers what the portal knows instead of identifiers to type."""
from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

from ckanext.territorial_consolidation import duplicates
from tests.territorial_consolidation.consolidation_setup import (
    MARKS, RENNES_METROPOLE, SUBVENTIONS_URL, make_consolidation, make_portal)
from tests.territorial_consolidation.territory_setup import harvested_dataset, load_dep35

pytestmark = MARKS


def test_also_published_on_names_the_portal_and_the_territory(app) -> None:
    """The mirror's link reads with the partner's host and its territory's name, not the
    API endpoint nor the code."""
    load_dep35()
    org = factories.Organization()
    canonical = harvested_dataset(org, "https://data.rennes.example/api/3/action",
                                  "commune", "35238", "Budget", identifier="urn:budget")
    harvested_dataset(org, "https://www.data.gouv.example/api/1/", "commune", "35238",
                      "Budget", identifier="urn:budget")
    duplicates.detect([canonical["id"]])
    page = app.get(f"/fr/dataset/{canonical['name']}")
    body = html.unescape(page.get_data(as_text=True))
    assert "Aussi publié sur" in body
    assert ">www.data.gouv.example</a>" in body
    assert "/api/1/</a>" not in body and "/api/1/ " not in body
    assert "Rennes (Commune)" in body


def test_coverage_lists_communes_in_french_order() -> None:
    """Bécherel, Brécé, Bruz: accents do not send a commune to the end of its letter."""
    make_portal(full=True)
    result = helpers.call_action("territorial_coverage", schema=SUBVENTIONS_URL,
                                 territory="departement:35", limit=5000)
    names = [row["name"] for row in result["results"]]
    wanted = [name for name in names if name in ("Bécherel", "Brécé", "Bruz")]
    assert wanted == ["Bécherel", "Brécé", "Bruz"]


def test_the_coverage_form_offers_consolidations_and_named_territories(app) -> None:
    """A first visit lists the consolidations as one-click coverages and the territories
    by name; the consolidations page names its scope."""
    portal = make_portal()
    consolidation = make_consolidation(portal)
    body = html.unescape(app.get("/fr/coverage/").get_data(as_text=True))
    links = BeautifulSoup(body, "html.parser").select("ul.coverage-consolidations a")
    assert [link.get_text() for link in links] == [consolidation["title"]]
    asked = parse_qs(urlsplit(links[0]["href"]).query)
    assert (asked["schema"], asked["territory"]) == ([SUBVENTIONS_URL], [RENNES_METROPOLE])
    assert "Rennes Métropole (Intercommunalité (EPCI))" in body
    assert f'value="{RENNES_METROPOLE}"' in body
    listing = html.unescape(app.get("/fr/consolidation/").get_data(as_text=True))
    assert "Rennes Métropole (Intercommunalité (EPCI))" in listing

