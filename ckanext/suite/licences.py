"""The portal's licence register: one JSON file that CKAN reads and every plugin maps to."""
from __future__ import annotations

import functools
import pathlib
import re
import unicodedata
from typing import Any, Mapping, MutableMapping, Optional

from ckan import model

__all__ = ["REGISTER_FILE", "NOT_SPECIFIED", "register_url", "use_suite_register", "entries",
           "ids", "default_id", "get", "is_open", "title", "eu_uri", "map_licence",
           "migration_target"]

#: The register shipped with the suite, in the format of CKAN's ``licenses_group_url``
#: (CKAN's fields plus ``title_en`` and ``eu_uri``). Kept in ASCII with JSON escapes:
#: CKAN opens it with the system's default encoding.
REGISTER_FILE = pathlib.Path(__file__).parent / "data" / "licences.json"
NOT_SPECIFIED = "notspecified"

#: What partners and older versions of this portal call the register's licences: ids,
#: titles, URLs, SPDX ids. Compared without case, accents or punctuation (URLs without
#: scheme case and trailing slash). The register's own ids, titles, URLs and EU URIs
#: are recognised as well. A licence absent here and from the register is not guessed.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "etalab-2.0": (
        "lov2", "lo-2.0", "licence-ouverte-2.0", "licence ouverte 2.0",
        "licence ouverte v2.0", "licence ouverte / open licence version 2.0",
        "open licence 2.0", "etalab open license 2.0", "etalab licence ouverte 2.0",
        "licence ouverte etalab 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
        "https://www.etalab.gouv.fr/wp-content/uploads/2018/11/open-licence.pdf",
        "https://spdx.org/licenses/etalab-2.0.html", "http://spdx.org/licenses/etalab-2.0",
    ),
    "etalab-1.0": (
        "fr-lo", "lov1", "lo-1.0", "licence-ouverte", "licence-ouverte-1.0",
        "licence ouverte", "licence ouverte 1.0", "licence ouverte v1.0",
        "licence ouverte / open licence", "licence ouverte / open licence version 1.0",
        "open licence", "etalab licence ouverte", "etalab licence ouverte 1.0",
        "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
    ),
    "odc-odbl": (
        "odbl", "odbl-1.0", "open database license", "open database license (odbl)",
        "open data commons open database license (odbl)", "odc open database license",
        "https://opendatacommons.org/licenses/odbl/", "http://www.opendefinition.org/licenses/odc-odbl",
        "http://publications.europa.eu/resource/authority/licence/ODBL",
        "http://publications.europa.eu/resource/authority/licence/ODC_ODBL",
    ),
    # CKAN's own unversioned ids and titles: the current version of the licence.
    "cc-by-4.0": (
        "cc-by", "cc by", "cc by 4.0", "cc-by 4.0", "creative commons attribution",
        "creative commons attribution 4.0", "creative commons attribution 4.0 international",
        "http://www.opendefinition.org/licenses/cc-by",
    ),
    "cc-by-sa-4.0": (
        "cc-by-sa", "cc by-sa", "cc by-sa 4.0", "creative commons attribution share-alike",
        "creative commons attribution share-alike 4.0",
        "creative commons attribution-sharealike 4.0 international",
        "http://www.opendefinition.org/licenses/cc-by-sa",
    ),
    "cc-zero": (
        "cc0", "cc0-1.0", "cc-0", "creative commons cczero", "creative commons zero",
        "cc0 1.0 universal", "http://www.opendefinition.org/licenses/cc-zero",
    ),
    # Licences that are not open: whatever their name, the register says "not open".
    "other-closed": (
        "other (not open)", "autre (fermee)", "autre (non ouverte)", "cc-nc", "cc-by-nc",
        "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "other-nc",
        "creative commons non-commercial (any)", "other (non-commercial)",
    ) + tuple(f"http://publications.europa.eu/resource/authority/licence/CC_{code}_{version}"
              for code in ("BYNC", "BYNCND", "BYNCSA") for version in ("3_0", "4_0"))
      + tuple(f"https://creativecommons.org/licenses/{code}/{version}/"
              for code in ("by-nc", "by-nc-nd", "by-nc-sa") for version in ("3.0", "4.0")),
}

#: Ids this suite's demo used before the register existed, for Licence Ouverte 2.0 and
#: for public-domain files: the migration command moves them; a harvest never maps them
#: (a partner's "other-at" is any attribution licence, not known to be Licence Ouverte).
_MIGRATION_ONLY: Mapping[str, str] = {"other-at": "etalab-2.0", "other-pd": "cc-zero"}


def register_url() -> str:
    """The ``file://`` URL of the suite's register, for ``licenses_group_url``."""
    return REGISTER_FILE.resolve().as_uri()


def use_suite_register(config: MutableMapping[str, Any]) -> None:
    """Make the suite's register CKAN's licence list when the site configures none."""
    if not config.get("licenses_group_url"):
        config["licenses_group_url"] = register_url()


def entries() -> list[Any]:
    """The licences of the site's register (CKAN ``License`` objects), in its order."""
    return list(model.Package.get_license_register().values())


def ids() -> list[str]:
    """The ids of the site's register, in its order."""
    return [licence.id for licence in entries()]


def default_id() -> str:
    """The licence new datasets get by default: the register's first."""
    return ids()[0]


def get(licence_id: Any) -> Optional[Any]:
    """The register's licence of that id, or None."""
    if not isinstance(licence_id, str):
        return None
    return model.Package.get_license_register().get(licence_id)


def is_open(licence_id: Any) -> bool:
    """Whether the id names a licence of the register that it marks open."""
    licence = get(licence_id)
    return bool(licence is not None and licence.isopen())


def title(licence_id: Any, lang: Optional[str] = None) -> str:
    """The licence's title in the register (French; ``title_en`` when ``lang`` is
    ``en`` and the entry has one), or the id itself when it is not there."""
    licence = get(licence_id)
    if licence is None:
        return str(licence_id or "")
    if lang == "en" and getattr(licence, "title_en", None):
        return licence.title_en
    return licence.title


def eu_uri(licence_id: Any) -> Optional[str]:
    """The EU licence-authority URI of the licence, for DCAT, or None."""
    licence = get(licence_id)
    return getattr(licence, "eu_uri", None) if licence is not None else None


def _key(value: str) -> str:
    text = value.strip()
    if "://" in text:
        return text.lower().rstrip("/").replace("https://", "http://", 1)
    text = re.sub(r"[\W_]+", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@functools.lru_cache(maxsize=8)
def _index(register_ids: tuple[str, ...]) -> Mapping[str, str]:
    index: dict[str, str] = {}
    for licence in entries():
        for name in (licence.id, getattr(licence, "title", ""), getattr(licence, "title_en", ""),
                     getattr(licence, "url", ""), getattr(licence, "eu_uri", "")):
            if isinstance(name, str) and name.strip():
                index.setdefault(_key(name), licence.id)
    for licence_id, names in ALIASES.items():
        if licence_id in register_ids:
            for name in names:
                index.setdefault(_key(name), licence_id)
    return index


def _recognised(value: str, register_ids: tuple[str, ...]) -> Optional[str]:
    if value in register_ids:
        return value
    return _index(register_ids).get(_key(value))


def map_licence(*values: Any) -> str:
    """The register's id for the first recognised of a partner's licence id, title or
    URL; ``notspecified`` when none is recognised (never guessed, never an id the
    register lacks)."""
    register_ids = tuple(ids())
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        found = _recognised(value.strip(), register_ids)
        if found and found != NOT_SPECIFIED:
            return found
    return NOT_SPECIFIED if NOT_SPECIFIED in register_ids else ""


def migration_target(licence_id: Any, extra: Optional[Mapping[str, str]] = None
                     ) -> Optional[str]:
    """The register id a dataset's licence id should become, or None when it is already
    a register id or is not recognised. ``extra`` maps more old ids (checked first)."""
    register_ids = tuple(ids())
    if not isinstance(licence_id, str) or not licence_id or licence_id in register_ids:
        return None
    for table in (extra or {}, _MIGRATION_ONLY):
        if licence_id in table:
            return table[licence_id] if table[licence_id] in register_ids else None
    found = _recognised(licence_id, register_ids)
    return found if found in register_ids else None

