"""The suite's pages write dates, numbers and percentages the French way on French pages."""
from __future__ import annotations

import html
import re

from tests.opendata_governance.dashboard_setup import dataset
from tests.opendata_governance.review_setup import (
    MARKS, make_review_portal, request_review, reviewable_dataset)
from tests.shared import login

pytestmark = MARKS

MONTHS = ("janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
          "décembre")


def test_the_gouvernance_tab_writes_dates_with_hours_the_french_way(app):
    """"7 décembre 2026 à 01:36", not "décembre 7, 2026, 01:36 (TU)"."""
    portal = make_review_portal()
    dataset_ = reviewable_dataset(portal)
    request_review(portal.editor, dataset_)
    body = html.unescape(login(app, portal.editor).get(
        "/fr/dataset/{}/governance".format(dataset_["name"])).body)
    assert re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}} à \d{{2}}:\d{{2}}\b", body)
    assert not re.search(rf"({MONTHS}) \d{{1,2}}, \d{{4}}", body)
    assert "(TU)" not in body


def test_the_dashboard_writes_percentages_the_french_way(app, api_headers):
    """Shares read "100 %" (a no-break space, no decimal point), never "100.0 %"."""
    portal = make_review_portal()
    dataset(portal, private=True)
    body = html.unescape(app.get("/fr/governance", headers=api_headers(portal.admin)).body)
    assert re.search(r"\b\d{1,3}\u00a0%", body)
    assert not re.search(r"\d\.\d+\s*%", body)
