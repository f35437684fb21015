"""Reuses around the catalogue: the dataset block, the organization tab, the home page, privacy."""
from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup

from ckan.tests import helpers

from tests.shared import as_user
from tests.reuse_tracker.reuse_setup import MARKS, make_portal, published, submit

pytestmark = MARKS


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _make_private(portal: Any, dataset: dict[str, Any]) -> None:
    helpers.call_action("package_patch", as_user(portal.sysadmin), id=dataset["id"],
                        private=True)


def test_dataset_page_shows_reuses_with_their_count(app):
    """The dataset page has a "Reuses (N)" block with the published reuses only."""
    portal = make_portal()
    published(portal, [portal.public], title="Carte des budgets")
    published(portal, [portal.public, portal.second], title="Tableau de bord")
    submit(portal.submitter, [portal.public], title="En attente")
    block = _soup(app.get("/dataset/budget-primitif")).select_one("#dataset-reuses")
    assert block.select_one("h2").get_text(strip=True) == "Reuses (2)"
    assert sorted(title.get_text(strip=True) for title in block.select(".reuse-card-title")) == [
        "Carte des budgets", "Tableau de bord"]


def test_dataset_block_links_to_the_prefilled_form_and_the_filtered_gallery(app):
    """The block links to the form for this dataset and, past three reuses, to the filtered gallery."""
    portal = make_portal()
    for number in range(4):
        published(portal, [portal.public], title=f"Reuse {number}")
    block = _soup(app.get("/dataset/budget-primitif")).select_one("#dataset-reuses")
    assert len(block.select(".reuse-card")) == 3
    assert block.select_one("a.reuse-dataset-submit")["href"] == \
        "/reuses/new?dataset=budget-primitif"
    gallery = block.select_one("a.reuse-dataset-all")["href"]
    assert gallery == "/reuses?dataset=budget-primitif"
    assert len(_soup(app.get(gallery)).select(".reuse-card")) == 4


def test_dataset_block_says_when_there_is_no_reuse(app):
    """A dataset without reuse shows "Reuses (0)" and the invitation to submit one."""
    make_portal()
    block = _soup(app.get("/dataset/arbres-urbains")).select_one("#dataset-reuses")
    assert block.select_one("h2").get_text(strip=True) == "Reuses (0)"
    assert block.select_one("a.reuse-dataset-submit") is not None


def test_dataset_turned_private_disappears_from_every_reuse_page_for_visitors(app):
    """Once a linked dataset is private, anonymous visitors see neither its title nor its link."""
    portal = make_portal()
    reuse = published(portal, [portal.public, portal.second], title="Carte croisée")
    _make_private(portal, portal.second)
    for url in (f"/reuses/{reuse['name']}", "/reuses", "/organization/reuses/ville-de-lyon"):
        page = app.get(url).body
        assert "Arbres urbains" not in page, url
        assert "/dataset/arbres-urbains" not in page, url
    soup = _soup(app.get(f"/reuses/{reuse['name']}"))
    data = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert [item["name"] for item in data["isBasedOn"]] == ["Budget primitif"]
    card = _soup(app.get("/reuses")).select_one(".reuse-card-count").get_text(strip=True)
    assert card == "1 dataset"


def test_member_of_the_organization_still_sees_the_private_dataset(app, api_headers):
    """A member of the owning organization still sees the dataset that turned private."""
    portal = make_portal()
    reuse = published(portal, [portal.public, portal.second])
    _make_private(portal, portal.second)
    page = app.get(f"/reuses/{reuse['name']}", headers=api_headers(portal.member)).body
    assert "/dataset/arbres-urbains" in page


def test_organization_page_has_a_reuses_tab(app):
    """The organization page links to its "Reuses" tab."""
    make_portal()
    soup = _soup(app.get("/organization/ville-de-lyon"))
    assert soup.select_one("a[href='/organization/reuses/ville-de-lyon']") is not None


def test_organization_tab_lists_the_reuses_of_its_data(app):
    """The tab lists the published reuses of the organization's datasets, not others'."""
    portal = make_portal()
    published(portal, [portal.public], title="Carte des budgets")
    published(portal, [portal.other], title="Vélos")
    soup = _soup(app.get("/organization/reuses/ville-de-lyon"))
    assert [title.get_text(strip=True) for title in soup.select(".reuse-card-title")] == [
        "Carte des budgets"]
    assert soup.select_one(".reuse-count").get_text(strip=True).startswith("1 published reuse")


def test_organization_tab_of_an_unknown_organization_is_a_404(app):
    """The tab of an organization that does not exist answers 404."""
    make_portal()
    assert app.get("/organization/reuses/no-such-org").status_code == 404


def test_home_page_shows_featured_reuses_first(app):
    """The home page's reuse section shows the featured reuse before the newer ones."""
    portal = make_portal()
    featured = published(portal, [portal.public], title="A la une")
    helpers.call_action("reuse_update", as_user(portal.sysadmin), id=featured["id"],
                        featured=True)
    published(portal, [portal.second], title="Plus récente")
    soup = _soup(app.get("/"))
    titles = [title.get_text(strip=True)
              for title in soup.select(".reuse-home-featured .reuse-card-title")]
    assert titles == ["A la une", "Plus récente"]


def test_home_page_has_no_reuse_section_without_reuses(app):
    """Without published reuses the home page shows no empty reuse section."""
    make_portal()
    assert _soup(app.get("/")).select_one(".reuse-home-featured") is None


def test_main_navigation_links_to_the_gallery(app):
    """The site's main navigation has a "Reuses" entry."""
    make_portal()
    assert _soup(app.get("/dataset")).select_one(".masthead a[href='/reuses']") is not None
