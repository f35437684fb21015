"""Issue 23's walk-through in a real browser, in French: a producer goes from a blank form to
a public dataset, a reviewer signs it off, an administrator reads the governance pages and a
reuser submits a reuse and a question. Every page visited is read as a person would, and the
walk fails, naming the page, on English left untranslated, on a date or number not written
the French way, and on an internal key shown as text."""
from __future__ import annotations

import csv
import io
import pathlib
import re
from typing import Iterable

import pytest
import requests

from ckan import model
from ckan.tests import factories, helpers

from tests.opendata_governance.gate_setup import switch_gate
from tests.suite import french_pages

from .conftest import ARTIFACTS, GOVERNANCE_SCHEMA, PASSWORD, PORTAL_PLUGINS

CSV = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scan" / \
    "lieux-covoiturage_exemple-valide.csv"
CHECKLIST = ("licence", "personal_data", "schema", "open_format", "metadata")
TITLE = "Aires de covoiturage"

#: English the issue found on French pages (whole texts, matched as phrases).
KNOWN_ENGLISH = ("Skip to main content", "Profile settings", "Follow", "Username or Email",
                 "There is no description for this dataset", "Harvest Sources",
                 "Source type", "Finished")
#: Dates and numbers not written the French way.
UNFORMATTED = {
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b"),
    "English-ordered date": re.compile(
        r"\b(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
        r"|décembre)\.? \d{1,2}, \d{4}", re.IGNORECASE),
    "'(TU)' suffix": re.compile(r"\(TU\)"),
    "rating with a decimal point": re.compile(r"\b\d+\.\d+\s*/\s*5\b"),
    "percentage with a decimal point": re.compile(r"\b\d+\.\d+\s*%"),
    # French puts a (non-breaking) space before a colon: "Licence : Conforme". CKAN's
    # slug preview ("URL: /dataset/…", jquery.slug-preview.js) writes its colon itself.
    "colon without the space before it": re.compile(r"^(?!(?:\* )?URL: ).*?[^\W\d_)]: ",
                                                    re.MULTILINE),
}
#: The sign-off has one name, "validation de conformité": not visa, visé or relecture.
OTHER_SIGN_OFF_WORDS = re.compile(r"\b(visa|visée?s?|relecture|relu)\b", re.IGNORECASE)
#: Internal keys that a page should show in words.
INTERNAL_KEYS = re.compile(
    r"\b(personal_data|open_format|on_time|approved|submitted|ANNUAL|MONTHLY"
    r"|territorial_ckan|direction-des-finances)\b|\b(epci|commune):"
    # A dataset's state, as core's "Additional info" prints it.
    r"|(?:^|\t)(?:active|draft)$", re.MULTILINE)


@pytest.fixture
def portal_settings() -> dict[str, str]:
    """The live portal uses the suite's dataset schema, with its owner service field."""
    return {"scheming.dataset_schemas": GOVERNANCE_SCHEMA}


def _texts(page) -> list[str]:
    """The visible text of the page, line by line, and its placeholders and titles."""
    lines = [line.strip() for line in page.inner_text("body").splitlines() if line.strip()]
    attributes = page.eval_on_selector_all(
        "[placeholder], [title], [aria-label]",
        "els => els.flatMap(e => ['placeholder', 'title', 'aria-label']"
        ".map(a => e.getAttribute(a)).filter(Boolean))")
    return lines + [value.strip() for value in attributes if value.strip()]


def _problems(texts: Iterable[str], html: str) -> list[str]:
    texts = list(texts)
    found = [f"English: {text!r}" for text in sorted(french_pages.english_texts(html))]
    english = french_pages.untranslated_messages()
    found += [f"English: {text!r}" for text in texts if text in english]
    joined = "\n".join(texts)
    found += [f"English: {phrase!r}" for phrase in KNOWN_ENGLISH
              if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", joined)]
    for name, pattern in UNFORMATTED.items():
        found += [f"{name}: {joined[max(0, match.end() - 40):match.end() + 10]!r}"
                  for match in pattern.finditer(joined)]
    found += [f"internal key: {match.group(0)!r}" for match in INTERNAL_KEYS.finditer(joined)]
    found += [f"another word for the sign-off: {match.group(0)!r}"
              for match in OTHER_SIGN_OFF_WORDS.finditer(joined)]
    return sorted(set(found))


class Walk:
    """The pages visited and what each showed that a French reader should not see."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}

    def read(self, page, name: str) -> None:
        page.wait_for_load_state()
        found = _problems(_texts(page), page.content())
        if found:
            self.problems[f"{name} ({page.url})"] = found

    def assert_clean(self) -> None:
        report = "\n".join(f"{page}:\n  " + "\n  ".join(found)
                           for page, found in self.problems.items())
        assert not self.problems, "French pages showing what they should not:\n" + report


def _log_in(page, walk: Walk, portal: str, name: str) -> None:
    page.goto(portal + "/user/login")
    walk.read(page, "login")
    page.fill("input[name=login]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert page.locator(f"a[href*='/user/{name}']").count() > 0


def _log_out(page, portal: str) -> None:
    page.goto(portal + "/user/_logout")


def _producer_fills_a_blank_form(page, walk: Walk, portal: str) -> str:
    """From /dataset/new to a dataset with a CSV resource; returns the dataset's address."""
    page.goto(portal + "/dataset/new")
    walk.read(page, "new dataset form")
    page.fill("#field-title", TITLE)
    page.fill("#field-notes", "Les aires de covoiturage du territoire, avec leur nombre de "
                              "places et leurs horaires.")
    # The licence list is a select2 box over the <select>; the choice lands in the select.
    page.select_option("#field-license_id", "etalab-2.0", force=True)
    page.select_option("#field-organizations", label="Ville de Rennes", force=True)
    page.select_option("#field-owner_service", "direction-des-finances")
    page.select_option("#field-update_frequency", index=2)
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state()
    walk.read(page, "new resource form")
    page.set_input_files("input[type=file][name=upload]", str(CSV))
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_load_state()
    walk.read(page, "private dataset page")
    assert page.locator("h1", has_text=TITLE).count() > 0, page.url
    return page.url


def _producer_requests_the_review(page, walk: Walk, dataset_url: str) -> None:
    """The publication tracker's next action leads to the request form."""
    page.goto(dataset_url + "/governance")
    walk.read(page, "Gouvernance tab (metadata incomplete)")
    # The tracker names what is missing and its button opens the form to complete it.
    tracker = page.inner_text("#governance-tracker")
    assert "Référent des données" in tracker and "Mots-clés" in tracker, tracker
    page.locator(".governance-next-action a").click()
    page.wait_for_url("**/dataset/edit/**")
    walk.read(page, "dataset edit form (completing the metadata)")
    page.fill("#field-data_steward", "mobilite@example.org")
    # Keywords are a select2 box over a text input that holds them, comma-separated.
    page.eval_on_selector("#field-tag_string", "(el) => { el.value = 'mobilité,covoiturage'; }")
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state()
    page.goto(dataset_url + "/governance")
    walk.read(page, "Gouvernance tab (before the request)")
    page.locator(".governance-next-action a").click()
    page.wait_for_function("location.hash === '#governance-request-form'")
    page.fill("#field-request-comment", "Données prêtes, merci de les valider.")
    # The producer publishes it themselves once approved (the Visibilité field).
    page.uncheck("#field-request-publish")
    page.locator("#governance-request-form button[type=submit]").click()
    page.wait_for_load_state()
    walk.read(page, "Gouvernance tab (review requested)")
    assert page.locator(".governance-state-submitted").count() == 1


def _reviewer_approves(page, walk: Walk, portal: str, slug: str) -> None:
    page.goto(portal + "/governance/reviews")
    walk.read(page, "reviews queue")
    page.locator(f"a[href$='/dataset/{slug}/governance']").first.click()
    page.wait_for_url("**/governance")
    walk.read(page, "review page")
    for item in CHECKLIST:
        page.check(f"#verdict-{item}-ok")
    page.fill("#field-decision-comment", "Conforme.")
    page.locator("#governance-decide-form button[value=approve]").click()
    page.wait_for_load_state()
    walk.read(page, "review page (approved)")
    assert page.locator(".governance-state-approved").count() == 1
    page.screenshot(path=str(ARTIFACTS / "walkthrough-reviewer.png"), full_page=True)


def _producer_makes_it_public(page, walk: Walk, portal: str, slug: str) -> None:
    page.goto(f"{portal}/dataset/edit/{slug}")
    walk.read(page, "dataset edit form")
    page.select_option("#field-private", "False")
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state()
    walk.read(page, "public dataset page")
    assert page.url.rstrip("/").endswith(f"/dataset/{slug}"), page.url
    page.screenshot(path=str(ARTIFACTS / "walkthrough-producer.png"), full_page=True)


def _anonymous_sees_it(page, walk: Walk, portal: str, slug: str) -> None:
    visitor = page.context.browser.new_context(locale="fr-FR")
    try:
        anonymous = visitor.new_page()
        assert anonymous.goto(f"{portal}/dataset/{slug}").status == 200
        walk.read(anonymous, "public dataset page (anonymous)")
        assert anonymous.locator("h1", has_text=TITLE).count() > 0
    finally:
        visitor.close()


def _administrator_reads_governance(page, walk: Walk, portal: str) -> None:
    page.goto(portal + "/governance")
    walk.read(page, "governance dashboard")
    link = page.locator("a[href*='/governance/inventory.csv']").first
    inventory = page.request.get(portal + link.get_attribute("href"))
    assert inventory.status == 200
    rows = list(csv.reader(io.StringIO(inventory.text().lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2, rows
    # The columns headed "… (nom)" hold names in addresses on purpose, each beside its title.
    shown = [value for header, value in zip(*rows) if not header.endswith("(nom)")]
    keys = [match.group(0) for value in shown for match in INTERNAL_KEYS.finditer(value)]
    assert not keys, ("inventory CSV", keys, rows)
    page.goto(portal + "/organization/governance/ville-de-rennes")
    walk.read(page, "organization's Gouvernance tab")
    page.screenshot(path=str(ARTIFACTS / "walkthrough-administrator.png"), full_page=True)
    page.goto(portal + "/feedback/inbox")
    walk.read(page, "feedback inbox")
    assert "Les horaires sont-ils mis à jour" in page.inner_text("body")
    page.goto(portal + "/reuses/moderation")
    walk.read(page, "reuse moderation queue")
    assert page.locator(".reuse-queue-item").count() == 1
    page.goto(portal + "/harvest")
    walk.read(page, "harvest sources")
    page.goto(portal + "/harvest/new")
    walk.read(page, "harvest source form")
    assert "Type de portail partenaire" in page.inner_text("body")


def _reuser_submits(page, walk: Walk, portal: str, slug: str) -> None:
    page.goto(f"{portal}/dataset/{slug}")
    walk.read(page, "dataset page (reuser)")
    page.select_option("#feedback-kind", "question")
    page.fill("#feedback-body", "Les horaires sont-ils mis à jour pendant les vacances ?")
    page.locator(".feedback-form button[type=submit]").click()
    page.wait_for_load_state()
    walk.read(page, "dataset page (question sent)")
    page.goto(f"{portal}/dataset/{slug}")
    page.locator("a.reuse-dataset-submit").click()
    page.wait_for_url(f"**/reuses/new?dataset={slug}")
    walk.read(page, "reuse form")
    page.fill("#field-title", "Carte des aires de covoiturage")
    page.fill("#field-url", "https://covoiturage.example.org/carte")
    page.locator("#reuse-form button[type=submit]").click()
    page.wait_for_load_state()
    walk.read(page, "reuse page (pending)")
    assert page.locator(".reuse-state-pending").count() == 1
    page.goto(portal + "/reuses")
    walk.read(page, "reuses list")
    page.locator("a.reuse-mine-link").click()
    page.wait_for_load_state()
    walk.read(page, "dashboard: my reuses")
    assert "Carte des aires de covoiturage" in page.locator("tr.dashboard-reuse").inner_text()
    page.screenshot(path=str(ARTIFACTS / "walkthrough-reuser.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("scheming.dataset_schemas", GOVERNANCE_SCHEMA)
@pytest.mark.ckan_config("scheming.organization_schemas", "ckanext.scheming:org_with_dept_id.json")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_four_roles_walk_french_pages_from_a_blank_form_to_a_public_dataset(
        live_portal, browser_page):
    """Producer, reviewer, reuser and administrator walk their flows; no page shows English,
    an unformatted date or number, or an internal key, and the dataset ends public."""
    producer = factories.User(name="agent-mobilite", password=PASSWORD)
    reviewer = factories.User(name="dpo-rennes", password=PASSWORD)
    admin = factories.User(name="admin-rennes", password=PASSWORD)
    reuser = factories.User(name="camille-reutilisatrice", password=PASSWORD)
    org = factories.Organization(name="ville-de-rennes", title="Ville de Rennes", users=[
        {"name": producer["name"], "capacity": "editor"},
        {"name": admin["name"], "capacity": "admin"}])
    helpers.call_action("governance_service_create", organization_id=org["id"],
                        name="direction-des-finances", title="Direction des finances")
    helpers.call_action("governance_reviewer_create", organization_id=org["id"],
                        user=reviewer["name"])
    switch_gate(org["id"], True)
    model.Session.commit()
    page = browser_page
    walk = Walk()

    _log_in(page, walk, live_portal, producer["name"])
    dataset_url = _producer_fills_a_blank_form(page, walk, live_portal)
    slug = dataset_url.rstrip("/").rsplit("/", 1)[-1]
    assert requests.get(f"{live_portal}/dataset/{slug}").status_code == 404
    _producer_requests_the_review(page, walk, dataset_url)
    _log_out(page, live_portal)

    _log_in(page, walk, live_portal, reviewer["name"])
    _reviewer_approves(page, walk, live_portal, slug)
    _log_out(page, live_portal)

    _log_in(page, walk, live_portal, producer["name"])
    _producer_makes_it_public(page, walk, live_portal, slug)
    _log_out(page, live_portal)
    _anonymous_sees_it(page, walk, live_portal, slug)

    _log_in(page, walk, live_portal, reuser["name"])
    _reuser_submits(page, walk, live_portal, slug)
    _log_out(page, live_portal)

    # The administrator comes last, to find the reuser's question and reuse waiting.
    _log_in(page, walk, live_portal, admin["name"])
    _administrator_reads_governance(page, walk, live_portal)

    walk.assert_clean()
