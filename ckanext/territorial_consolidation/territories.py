"""Loader of the official territories (INSEE COG and DGCL EPCI files) and its CLI."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import pathlib
from typing import Any, Callable, Iterator, Optional

import click
import sqlalchemy as sa

from ckan import model

from ckanext.territorial_consolidation.model import LEVELS, normalise, territory_id

__all__ = ["COMMANDS", "BUNDLED", "DEFAULT_FILES", "NATIONAL_ID", "load", "load_rows", "parse"]

BUNDLED = pathlib.Path(__file__).parent / "data" / "territoire"
DEFAULT_FILES = {
    "communes": BUNDLED / "cog2026_communes.csv",
    "epci": BUNDLED / "dgcl2025_epcicom.derived.csv",
    "departements": BUNDLED / "cog2026_departements.csv",
    "regions": BUNDLED / "cog2026_regions.csv",
}
NATIONAL_ID = territory_id("national", "FR")
BATCH = 5000

# One statement per batch: the rows travel as one JSON array.
_UPSERT = sa.text("""
    INSERT INTO territorial_consolidation_territory AS t (
        id, code, level, name, search_name, population, parent_ids, ancestor_ids,
        origin, obsolete, created, modified)
    SELECT r.id, r.code, r.level, r.name, r.search_name, r.population,
        ARRAY(SELECT jsonb_array_elements_text(r.parent_ids)),
        ARRAY(SELECT jsonb_array_elements_text(r.ancestor_ids)),
        r.origin, false, :now, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        id text, code text, level text, name text, search_name text, population integer,
        parent_ids jsonb, ancestor_ids jsonb, origin text)
    ON CONFLICT (id) DO UPDATE SET
        name = EXCLUDED.name, search_name = EXCLUDED.search_name,
        population = EXCLUDED.population, parent_ids = EXCLUDED.parent_ids,
        ancestor_ids = EXCLUDED.ancestor_ids, origin = EXCLUDED.origin, obsolete = false,
        modified = EXCLUDED.modified
    WHERE (t.name, t.population, t.parent_ids, t.ancestor_ids, t.origin, t.obsolete)
        IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.population, EXCLUDED.parent_ids,
                          EXCLUDED.ancestor_ids, EXCLUDED.origin, false)
""")

# Territories of the loaded levels that the files no longer list are kept (datasets and
# organizations may point at them) but flagged; a later load that lists them again unflags them.
_FLAG_MISSING = sa.text("""
    UPDATE territorial_consolidation_territory SET obsolete = true, modified = :now
    WHERE origin = 'official' AND level = ANY(:levels) AND NOT obsolete
      AND NOT (id = ANY(:ids))
""")


@dataclasses.dataclass
class Row:
    code: str
    level: str
    name: str
    parents: list[str]
    population: Optional[int] = None

    @property
    def id(self) -> str:
        return territory_id(self.level, self.code)


def _read(path: pathlib.Path | str) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _int(value: Any) -> Optional[int]:
    try:
        return int(str(value).replace(" ", ""))
    except (TypeError, ValueError):
        return None


def parse(communes: pathlib.Path | str, epci: pathlib.Path | str,
          departements: pathlib.Path | str, regions: pathlib.Path | str) -> list[Row]:
    """Every territory of the files, with its direct parents, ancestors not yet computed.

    Only current communes (``TYPECOM`` ``COM``) are kept: delegated and associated communes
    share codes with their parent commune, and municipal arrondissements are no level of ours.
    A commune gets its EPCI (when the EPCI file lists it) and its département as parents;
    an EPCI gets the départements of its member communes.
    """
    rows: list[Row] = [Row("FR", "national", "France", [])]
    for line in _read(regions):
        rows.append(Row(line["REG"], "region", line["LIBELLE"], [NATIONAL_ID]))
    region_ids = {row.id for row in rows}
    for line in _read(departements):
        region = territory_id("region", line["REG"])
        rows.append(Row(line["DEP"], "departement", line["LIBELLE"],
                        [region] if region in region_ids else [NATIONAL_ID]))
    departement_ids = {row.id for row in rows if row.level == "departement"}

    communes_rows = [line for line in _read(communes) if line["TYPECOM"] == "COM"]
    commune_codes = {line["COM"] for line in communes_rows}
    epcis: dict[str, Row] = {}
    epci_of: dict[str, str] = {}
    population: dict[str, Optional[int]] = {}
    for line in _read(epci):
        siren = line["siren"].strip()
        row = epcis.get(siren)
        if row is None:
            row = epcis[siren] = Row(siren, "epci", line["raison_sociale"].strip(), [],
                                     _int(line.get("total_pop_mun")))
        insee = line["insee"].strip()
        if insee not in commune_codes:
            continue  # a commune merged since the EPCI file was made
        epci_of[insee] = territory_id("epci", siren)
        population[insee] = _int(line.get("pmun_2025"))
        departement = territory_id("departement", line["dep_com"].strip())
        if departement in departement_ids and departement not in row.parents:
            row.parents.append(departement)
    for row in epcis.values():
        row.parents.sort()
        rows.append(row)
    for line in communes_rows:
        parents = []
        if line["COM"] in epci_of:
            parents.append(epci_of[line["COM"]])
        departement = territory_id("departement", line["DEP"])
        if departement in departement_ids:
            parents.append(departement)
        rows.append(Row(line["COM"], "commune", line["LIBELLE"], parents,
                        population.get(line["COM"])))
    return rows


def _ancestors(rows: list[Row]) -> dict[str, list[str]]:
    """Every territory above each row, nearest first (rows come parents before children)."""
    known: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda row: -LEVELS.index(row.level)):
        found: list[str] = []
        for parent in row.parents:
            for ancestor in [parent, *known.get(parent, [])]:
                if ancestor not in found:
                    found.append(ancestor)
        known[row.id] = found
    return known


def load(communes: pathlib.Path | str = DEFAULT_FILES["communes"],
         epci: pathlib.Path | str = DEFAULT_FILES["epci"],
         departements: pathlib.Path | str = DEFAULT_FILES["departements"],
         regions: pathlib.Path | str = DEFAULT_FILES["regions"],
         flag_missing: bool = True) -> dict[str, Any]:
    """Insert or update every territory of the files; returns counts per level."""
    return load_rows(parse(communes, epci, departements, regions), flag_missing=flag_missing)


def load_rows(rows: list[Row], progress: Optional[Callable[[int], None]] = None,
              flag_missing: bool = True) -> dict[str, Any]:
    """Insert or update the rows in batches, in one transaction; returns counts per level.

    :param progress: called with the number of rows written after each batch
    :param flag_missing: flag as obsolete the official territories of the loaded levels
        that the rows no longer list
    """
    ancestors = _ancestors(rows)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    connection = model.Session.connection()
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        payload = [{"id": row.id, "code": row.code, "level": row.level, "name": row.name,
                    "search_name": normalise(row.name), "population": row.population,
                    "parent_ids": row.parents, "ancestor_ids": ancestors[row.id],
                    "origin": "official"} for row in batch]
        connection.execute(_UPSERT, {"rows": json.dumps(payload), "now": now})
        if progress:
            progress(len(batch))
    flagged = 0
    if flag_missing:
        flagged = connection.execute(_FLAG_MISSING, {
            "now": now, "levels": sorted({row.level for row in rows}),
            "ids": [row.id for row in rows]}).rowcount
    model.Session.commit()
    counts = {level: sum(1 for row in rows if row.level == level) for level in LEVELS}
    return {"counts": counts, "total": len(rows), "obsolete": flagged}


@click.group(short_help="Territories: load the official files, show one.")
def territories() -> None:
    """Territories (communes, EPCI, départements, régions)."""


def _file_option(name: str, help_: str) -> Callable[[Any], Any]:
    """``--<name>``: an existing file, the one shipped in ``DEFAULT_FILES`` by default."""
    return click.option(f"--{name}", type=click.Path(exists=True, dir_okay=False),
                        default=str(DEFAULT_FILES[name]), show_default=True, help=help_)


@territories.command("load")
@_file_option("communes", "INSEE COG communes CSV.")
@_file_option("epci", "DGCL communes → EPCI CSV (sheet Epcicom).")
@_file_option("departements", "INSEE COG départements CSV.")
@_file_option("regions", "INSEE COG régions CSV.")
@click.option("--keep-missing", is_flag=True,
              help="Do not flag as obsolete the territories the files no longer list.")
def load_command(communes: str, epci: str, departements: str, regions: str,
                 keep_missing: bool) -> None:
    """Load or update the territories from the official files (the whole country by default)."""
    started = dt.datetime.now()
    rows = parse(communes, epci, departements, regions)
    with click.progressbar(length=len(rows), label="Territories") as bar:
        result = load_rows(rows, progress=bar.update, flag_missing=not keep_missing)
    seconds = (dt.datetime.now() - started).total_seconds()
    counts = ", ".join(f"{level}: {count}" for level, count in result["counts"].items())
    click.secho(f"{result['total']} territories loaded in {seconds:.1f} s ({counts}); "
                f"{result['obsolete']} flagged obsolete.", fg="green")


@territories.command("show")
@click.argument("id_or_code")
@click.option("--level", type=click.Choice(LEVELS), help="When several levels share the code.")
def show_command(id_or_code: str, level: Optional[str]) -> None:
    """Print one territory and its direct children, as JSON."""
    import ckan.plugins.toolkit as tk

    data: dict[str, Any] = {"include_children": True}
    if ":" in id_or_code:
        data["id"] = id_or_code
    else:
        data.update(code=id_or_code, level=level)
    try:
        territory = tk.get_action("territory_show")({"ignore_auth": True}, data)
    except (tk.ObjectNotFound, tk.ValidationError) as error:
        raise click.ClickException(str(error))
    click.echo(json.dumps(territory, ensure_ascii=False, indent=2))


COMMANDS = [territories]
