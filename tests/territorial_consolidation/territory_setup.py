"""Shared set-up of the territory tests: plugins, the Ille-et-Vilaine territories, users."""
from __future__ import annotations

import pathlib
from typing import Any

import pytest

from ckanext.territorial_consolidation import territories

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "territoire"
DEP35_FILES = {
    "communes": FIXTURES / "cog2026_communes.subset-dep35.csv",
    "epci": FIXTURES / "dgcl2025_epcicom.subset-dep35.derived.csv",
    "departements": FIXTURES / "cog2026_departements.csv",
    "regions": FIXTURES / "cog2026_regions.csv",
}
PLUGINS = "postgres_search territorial_consolidation"

#: Marks every territory test: our plugins, a clean database.
MARKS = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

#: Ids used across tests.
RENNES = "commune:35238"
BRUZ = "commune:35047"
RENNES_METROPOLE = "epci:243500139"
ILLE_ET_VILAINE = "departement:35"
BRETAGNE = "region:53"
FRANCE = "national:FR"


def load_dep35() -> dict[str, Any]:
    """Load the 332 communes and 18 EPCI of Ille-et-Vilaine, every département and région."""
    return territories.load(**DEP35_FILES)




def harvested_dataset(org: dict[str, Any], portal_url: str, level: str, code: str,
                      title: str, identifier: str | None = None,
                      urls: tuple[str, ...] = (), schema: str | None = None,
                      tags: tuple[str, ...] = (), private: bool = False,
                      portal_kind: str = "ckan",
                      about: tuple[str, str] | None = None) -> dict[str, Any]:
    """A dataset as a harvester leaves it: created in ``org``, with its provenance row.

    ``level``/``code`` are the partner portal's territory (the harvest source's); the
    dataset's own territory fields are the same unless ``about`` (level, code) says otherwise.
    """
    from ckan import model
    from ckan.tests import factories

    from ckanext.territorial_consolidation.model import Provenance

    resources = [{"url": url, "name": f"resource {index}",
                  **({"conforms_to": schema} if schema else {})}
                 for index, url in enumerate(urls or ("",))]
    dataset = factories.Dataset(
        owner_org=org["id"], title=title, private=private, resources=resources,
        tags=[{"name": tag} for tag in tags],
        extras=[{"key": "territory_code", "value": about[1] if about else code},
                {"key": "territorial_level", "value": about[0] if about else level}])
    model.Session.add(Provenance(
        package_id=dataset["id"], harvest_source_id=f"source-{portal_url}",
        portal_kind=portal_kind, portal_url=portal_url, remote_id=dataset["id"],
        remote_url=f"{portal_url}/dataset/{dataset['name']}", identifier=identifier,
        territory_code=code, territorial_level=level, resource_urls=list(urls)))
    model.Session.commit()
    return dataset





