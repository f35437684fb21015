"""Demo territories: Ille-et-Vilaine, and the demo organizations linked to their territory."""
from __future__ import annotations

from typing import Any

import click

import ckan.plugins.toolkit as tk

from ckanext.territorial_consolidation import harvest_demo, territories

__all__ = ["COMMANDS", "DEP35_FILES", "load_territories"]

DEP35_FILES = {
    "communes": territories.BUNDLED / "cog2026_communes.subset-dep35.csv",
    "epci": territories.BUNDLED / "dgcl2025_epcicom.subset-dep35.derived.csv",
    "departements": territories.BUNDLED / "cog2026_departements.csv",
    "regions": territories.BUNDLED / "cog2026_regions.csv",
}


def _declared_territory(organization: dict[str, Any]) -> str | None:
    """The territory id an organization declares in its fields (territory_code and level)."""
    fields = {item["key"]: item["value"] for item in organization.get("extras") or []}
    fields.update({key: organization[key] for key in ("territory_code", "territorial_level")
                   if organization.get(key)})
    if fields.get("territory_code") and fields.get("territorial_level"):
        return f"{fields['territorial_level']}:{fields['territory_code']}"
    return None


def load_territories() -> dict[str, Any]:
    """Load the Ille-et-Vilaine territories and link the organizations that declare one.

    Safe to run again, and after a whole-country load: nothing else is flagged obsolete.
    Gives e.g. the EPCI ``epci:243500139`` (Rennes Métropole) and its 43 member communes.

    :returns: ``{"loaded": N (0 when they were already there), "linked":
        [organization names]}``
    """
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user}
    present = tk.get_action("territory_list")(dict(context), {
        "within": "departement:35", "level": "commune", "limit": 1})["count"]
    # Already there (from an earlier demo or a whole-country load, which knows more about
    # EPCI spanning several départements): leave them alone.
    loaded = 0 if present >= 332 else territories.load(
        **DEP35_FILES, flag_missing=False)["total"]
    linked = []
    for name in tk.get_action("organization_list")(dict(context), {"all_fields": False}):
        organization = tk.get_action("organization_show")(
            dict(context), {"id": name, "include_datasets": False, "include_extras": True})
        wanted = _declared_territory(organization)
        if not wanted:
            continue
        try:
            current = tk.get_action("territory_show")(dict(context), {"organization_id": name})
        except tk.ObjectNotFound:
            current = None
        if current is not None and current["id"] == wanted:
            linked.append(name)
            continue
        try:
            tk.get_action("territory_organization_set")(
                dict(context), {"organization_id": name, "territory_id": wanted})
        except tk.ValidationError:
            continue  # a territory outside the demo files
        linked.append(name)
    return {"loaded": loaded, "linked": linked}


@click.group(short_help="Demo data of territorial consolidation.")
def demo() -> None:
    """Demo data of territorial consolidation."""


@demo.command("load")
def load_command() -> None:
    """Load the Ille-et-Vilaine territories, link the demo organizations to theirs and
    register the demo partner portals as harvest sources (manual schedule)."""
    result = load_territories()
    loaded = (f"{result['loaded']} territories loaded" if result["loaded"]
              else "Territories already loaded")
    click.secho(f"{loaded}; organizations linked: {', '.join(result['linked']) or 'none'}.",
                fg="green")
    sources = harvest_demo.load_harvest_sources()
    if sources["created"] or sources["present"]:
        click.secho(f"Demo harvest sources: {len(sources['created'])} created, "
                    f"{len(sources['present'])} already there (harvested on demand from "
                    f"/harvest).", fg="green")
    if sources["skipped"]:
        click.echo(f"Demo harvest sources skipped (harvester or organization missing): "
                   f"{', '.join(sources['skipped'])}.")


COMMANDS = [demo]
