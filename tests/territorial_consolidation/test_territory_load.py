"""The territory loader: official files to the territory table, reloads in place, CLI."""
from __future__ import annotations

import csv
import pathlib
from typing import Any

from ckan import model
from ckan.tests import helpers

from ckanext.territorial_consolidation import territories
from ckanext.territorial_consolidation.cli import territorial_consolidation
from ckanext.territorial_consolidation.model import Territory
from tests.territorial_consolidation.territory_setup import (
    BRETAGNE, BRUZ, DEP35_FILES, FRANCE, ILLE_ET_VILAINE, MARKS, RENNES, RENNES_METROPOLE,
    load_dep35)

pytestmark = MARKS


def _show(id_: str) -> dict:
    return helpers.call_action("territory_show", id=id_)


def test_load_counts_every_level_of_the_subset() -> None:
    """Loading Ille-et-Vilaine gives its 332 communes, its EPCI, every département and région."""
    result = load_dep35()
    assert result["counts"]["commune"] == 332
    assert result["counts"]["epci"] == 18
    assert result["counts"]["departement"] == 101
    assert result["counts"]["region"] == 18
    assert result["counts"]["national"] == 1
    assert model.Session.query(Territory).count() == result["total"]


def test_commune_parents_are_its_epci_and_departement() -> None:
    """A commune's parents are its EPCI then its département, with its population."""
    load_dep35()
    rennes = _show(RENNES)
    assert rennes["name"] == "Rennes"
    assert rennes["parent_ids"] == [RENNES_METROPOLE, ILLE_ET_VILAINE]
    assert rennes["population"] == 227830
    assert _show(ILLE_ET_VILAINE)["parent_ids"] == [BRETAGNE]
    assert _show(BRETAGNE)["parent_ids"] == [FRANCE]
    assert _show(RENNES_METROPOLE)["parent_ids"] == [ILLE_ET_VILAINE]


def test_ancestors_are_stored_transitively() -> None:
    """Every territory above a commune is stored with it, nearest first."""
    load_dep35()
    assert Territory.get(BRUZ).ancestor_ids == [
        RENNES_METROPOLE, ILLE_ET_VILAINE, BRETAGNE, FRANCE]


def test_reload_updates_in_place_and_flags_missing(tmp_path: pathlib.Path) -> None:
    """A reload renames in place, and flags the communes gone from the file as obsolete."""
    load_dep35()
    created = Territory.get(RENNES).created
    source = DEP35_FILES["communes"]
    with open(source, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    changed = tmp_path / "communes.csv"
    with open(changed, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            if row["COM"] == "35047":
                continue
            if row["COM"] == "35238":
                row["LIBELLE"] = "Rennes (renommée)"
            writer.writerow(row)
    result = territories.load(**dict(DEP35_FILES, communes=changed))
    assert result["obsolete"] == 1
    model.Session.expire_all()
    rennes = Territory.get(RENNES)
    assert (rennes.name, rennes.created) == ("Rennes (renommée)", created)
    assert Territory.get(BRUZ).obsolete is True
    assert BRUZ not in [row["id"] for row in helpers.call_action(
        "territory_list", parent=RENNES_METROPOLE, limit=1000)["results"]]
    load_dep35()
    model.Session.expire_all()
    assert Territory.get(BRUZ).obsolete is False


def test_second_identical_load_changes_nothing() -> None:
    """Loading the same files twice leaves every row's modification date alone."""
    load_dep35()
    before = dict(model.Session.query(Territory.id, Territory.modified))
    load_dep35()
    model.Session.expire_all()
    assert dict(model.Session.query(Territory.id, Territory.modified)) == before


def test_cli_load_and_show(cli: Any) -> None:
    """The CLI loads the given files with a summary, then shows one territory as JSON."""
    args = ["territories", "load"]
    for key, path in DEP35_FILES.items():
        args += [f"--{key}", str(path)]
    result = cli.invoke(territorial_consolidation, args)
    assert result.exit_code == 0, result.output
    assert "470 territories loaded" in result.output
    shown = cli.invoke(territorial_consolidation, [
        "territories", "show", "35", "--level", "departement"])
    assert shown.exit_code == 0, shown.output
    assert '"name": "Ille-et-Vilaine"' in shown.output
    ambiguous = cli.invoke(territorial_consolidation, ["territories", "show", "53"])
    assert ambiguous.exit_code != 0
    assert "level" in ambiguous.output


def test_demo_links_organizations_declaring_a_territory() -> None:
    """The demo loads Ille-et-Vilaine and links organizations to their declared territory, twice safely."""
    from ckan.tests import factories

    from ckanext.territorial_consolidation import demo

    metropole = factories.Organization(extras=[
        {"key": "territory_code", "value": "243500139"},
        {"key": "territorial_level", "value": "epci"}])
    factories.Organization()
    first = demo.load_territories()
    assert first["loaded"] == 470
    assert first["linked"] == [metropole["name"]]
    assert helpers.call_action("territory_show", organization_id=metropole["id"])["id"] == \
        RENNES_METROPOLE
    assert demo.load_territories() == {"loaded": 0, "linked": [metropole["name"]]}
    members = helpers.call_action("territory_list", within=RENNES_METROPOLE, level="commune",
                                  limit=100)
    assert members["count"] == 43
