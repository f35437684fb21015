"""Shared set-up of the automated check tests: a heavy test check and datasets to run it on."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins as p
from ckan.plugins import core as plugins_core
from ckan.tests import factories

from ckanext.opendata_governance import checks
from tests.opendata_governance.clean_peer import clean_url
from tests.opendata_governance.review_setup import (  # noqa: F401  (re-exported)
    MARKS, PASSWORD, ReviewPortal, as_user, make_review_portal)

#: Bigger than the default synchronous limit (5 MB).
BIG = 10_000_000
SMALL = 1_000


def _emails(package: dict[str, Any], resource: dict[str, Any]) -> list[dict[str, Any]]:
    # Stands for a file scanner: the "file" is the resource's description.
    text = resource.get("description") or ""
    return [{"message": "e-mail addresses found", "kind": "email", "count": text.count("@"),
             "samples": ["j***@***.fr"]}] if "@" in text else []


class HeavyChecksPlugin(p.SingletonPlugin):
    p.implements(checks.IGovernanceChecks)

    def governance_checks(self) -> list[checks.Check]:
        return [checks.Check("test_emails", "E-mail addresses", "No e-mail address.",
                             "blocking", _emails, scope="resource", cost="heavy")]


@pytest.fixture
def heavy_check(with_plugins: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers the heavy test check the way CKAN registers a loaded plugin."""
    monkeypatch.setitem(plugins_core._PLUGINS_SERVICE, "test_heavy_checks",
                        HeavyChecksPlugin())


def resource(size: int, description: str = "Montants par chapitre", **kwargs: Any
             ) -> dict[str, Any]:
    return {"name": "budget.csv", "url": clean_url("budget.csv"), "format": "CSV",
            "size": size, "description": description, **kwargs}


def private_dataset(portal: ReviewPortal, *resources: dict[str, Any], **kwargs: Any
                    ) -> dict[str, Any]:
    """A private dataset of the portal's organization that passes the built-in blocking checks."""
    return factories.Dataset(**{
        "owner_org": portal.org["id"], "owner_service": "direction-des-finances",
        "private": True, "license_id": "odc-odbl", "contains_personal_data": "false",
        "notes": "Budget primitif.", "resources": list(resources) or [resource(SMALL)],
        **kwargs})
