"""territorial_coverage: per commune of a territory, a valid file, an invalid one, or none."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.territorial_consolidation.consolidation_setup import (
    BRUZ, MARKS, RENNES, RENNES_METROPOLE, SUBVENTIONS, SUBVENTIONS_URL, make_consolidation,
    make_portal, publish, run_now, subventions_rows)

pytestmark = MARKS

CESSON = "commune:35051"


def _coverage(**kwargs):
    return helpers.call_action("territorial_coverage", schema=SUBVENTIONS_URL,
                               territory=RENNES_METROPOLE, **kwargs)


def _status(coverage, territory_id):
    return next(row["status"] for row in coverage["results"] if row["id"] == territory_id)


def test_every_member_commune_gets_valid_invalid_or_none():
    """After a run: Rennes valid, Bruz invalid, Cesson-Sévigné none; all 43 communes listed."""
    portal = make_portal(full=True)
    publish(portal.communes[RENNES], subventions_rows(2).encode())
    publish(portal.communes[BRUZ],
            (SUBVENTIONS / "exemple_invalide_erreurs_colonnes.csv").read_bytes())
    run_now(make_consolidation(portal))
    coverage = _coverage()
    assert coverage["count"] == 43
    assert (_status(coverage, RENNES), _status(coverage, BRUZ),
            _status(coverage, CESSON)) == ("valid", "invalid", "none")
    assert coverage["counts"] == {"valid": 1, "invalid": 1, "unreachable": 0, "unknown": 0,
                                  "none": 41}


def test_files_never_validated_are_unknown():
    """A commune publishing a file no consolidation has read yet is ``unknown``."""
    portal = make_portal()
    publish(portal.communes[RENNES], subventions_rows(1).encode())
    assert _status(_coverage(), RENNES) == "unknown"


def test_private_datasets_do_not_count_nor_show():
    """A private dataset neither makes its commune covered nor appears in the answer."""
    portal = make_portal()
    package, _resource = publish(portal.communes[RENNES], subventions_rows(1).encode(),
                                 private=True)
    coverage = _coverage()
    assert _status(coverage, RENNES) == "none"
    assert package["id"] not in str(coverage)


@pytest.mark.parametrize("field,data", [
    ("schema", {"territory": RENNES_METROPOLE}),
    ("territory", {"schema": SUBVENTIONS_URL, "territory": "epci:000000000"}),
])
def test_missing_or_unknown_parameters_name_the_field(field, data):
    """No schema, or an unknown territory, is a ValidationError naming it."""
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("territorial_coverage", **data)
    assert field in error.value.error_dict
