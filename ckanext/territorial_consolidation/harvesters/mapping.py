"""Partner vocabularies mapped to ours: EU frequency codes and the portal's licence ids."""
from __future__ import annotations

import functools
import pathlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any, Mapping, Optional

from ckan import model

__all__ = ["UNKNOWN", "frequency_codes", "map_frequency", "map_licence"]

UNKNOWN = "UNKNOWN"

_RDF_PATH = pathlib.Path(__file__).parent.parent / "data" / "vocab" / "eu-frequency-skos.rdf"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _key(value: str) -> str:
    """Case, accents, punctuation and spacing do not tell two labels apart."""
    text = re.sub(r"[\W_]+", " ", value)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@functools.lru_cache(maxsize=1)
def _frequency_index() -> tuple[frozenset[str], Mapping[str, str]]:
    """The codes of the list, and every URI and French/English label leading to one."""
    root = ET.parse(_RDF_PATH).getroot()
    codes: set[str] = set()
    index: dict[str, str] = {}
    for concept in root.iter(f"{{{_SKOS}}}Concept"):
        uri = concept.get(f"{{{_RDF}}}about", "")
        code = uri.rsplit("/", 1)[-1]
        codes.add(code)
        index[uri] = code
        index[uri.replace("http://", "https://", 1)] = code
        for match in concept.findall(f"{{{_SKOS}}}exactMatch"):
            # DC Freq URIs, as DCAT feeds often carry them.
            index[match.get(f"{{{_RDF}}}resource", "")] = code
        for tag in ("prefLabel", "altLabel"):
            for label in concept.findall(f"{{{_SKOS}}}{tag}"):
                if label.get(_LANG) in ("fr", "en") and label.text:
                    index.setdefault(_key(label.text), code)
    return frozenset(codes), index


def frequency_codes() -> frozenset[str]:
    """Every code of the EU frequency list (``MONTHLY``, ``ANNUAL_2``, ``UNKNOWN``...)."""
    return _frequency_index()[0]


def map_frequency(value: Any, table: Optional[Mapping[str, str]] = None) -> str:
    """The EU frequency code for a partner's value, or ``UNKNOWN``: never a guess.

    Recognised: an EU code (any case), an EU or Dublin Core frequency URI, a French or
    English label of the list (accents and case ignored), and the keys of ``table``,
    a portal's own vocabulary (its keys are compared the same way as labels).
    """
    if not isinstance(value, str) or not value.strip():
        return UNKNOWN
    codes, index = _frequency_index()
    text = value.strip()
    if text.upper() in codes:
        return text.upper()
    if text in index:
        return index[text]
    key = _key(text)
    if table:
        for name, code in table.items():
            if _key(name) == key and code in codes:
                return code
    return index.get(key, UNKNOWN)


#: Licence ids of the portal, and what partners call them (ids, titles, URLs, SPDX).
#: Licence Ouverte ids follow data.gouv.fr and the governance plugin: ``fr-lo`` for
#: version 1.0 (2011), ``etalab-2.0`` for version 2.0 (2017).
_LICENCES: dict[str, tuple[str, ...]] = {
    "etalab-2.0": (
        "etalab-2.0", "lov2", "lo-2.0", "licence-ouverte-2.0", "licence ouverte 2.0",
        "licence ouverte v2.0", "licence ouverte / open licence version 2.0",
        "licence ouverte / open licence 2.0", "open licence 2.0", "etalab open license 2.0",
        "etalab licence ouverte 2.0", "licence ouverte etalab 2.0",
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
        "https://spdx.org/licenses/etalab-2.0.html", "http://spdx.org/licenses/etalab-2.0",
    ),
    "fr-lo": (
        "fr-lo", "lov1", "lo-1.0", "licence-ouverte", "licence-ouverte-1.0",
        "licence ouverte", "licence ouverte 1.0", "licence ouverte v1.0",
        "licence ouverte / open licence", "licence ouverte / open licence version 1.0",
        "open licence", "etalab licence ouverte", "etalab licence ouverte 1.0",
        "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
    ),
    "odc-odbl": (
        "odc-odbl", "odbl", "odbl-1.0", "open database license", "open database license (odbl)",
        "open data commons open database license (odbl)", "odc open database license",
        "https://opendatacommons.org/licenses/odbl/", "http://opendatacommons.org/licenses/odbl/",
        "https://opendatacommons.org/licenses/odbl/1-0/", "http://www.opendefinition.org/licenses/odc-odbl",
    ),
    "odc-by": (
        "odc-by", "odc-by-1.0", "open data commons attribution license",
        "https://opendatacommons.org/licenses/by/", "http://opendatacommons.org/licenses/by/",
    ),
    "odc-pddl": (
        "odc-pddl", "pddl", "open data commons public domain dedication and license (pddl)",
        "open data commons public domain dedication and license",
        "https://opendatacommons.org/licenses/pddl/", "http://opendatacommons.org/licenses/pddl/",
    ),
    "cc-by": (
        "cc-by", "cc-by-4.0", "cc by", "cc by 4.0", "cc-by 4.0", "creative commons attribution",
        "creative commons attribution 4.0", "creative commons attribution 4.0 international",
        "https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/licenses/by/3.0/", "http://www.opendefinition.org/licenses/cc-by",
    ),
    "cc-by-sa": (
        "cc-by-sa", "cc-by-sa-4.0", "cc by-sa", "cc by-sa 4.0", "creative commons attribution share-alike",
        "creative commons attribution share-alike 4.0", "creative commons attribution-sharealike 4.0 international",
        "https://creativecommons.org/licenses/by-sa/4.0/", "http://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "cc-zero": (
        "cc-zero", "cc0", "cc0-1.0", "cc-0", "creative commons cczero", "creative commons zero",
        "cc0 1.0 universal", "https://creativecommons.org/publicdomain/zero/1.0/",
        "http://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "cc-nc": ("cc-nc", "cc-by-nc", "cc-by-nc-4.0", "creative commons non-commercial (any)"),
    "other-pd": ("other-pd", "other (public domain)", "public domain", "domaine public"),
    "other-at": ("other-at", "other (attribution)", "autre (attribution)"),
    "other-open": ("other-open", "other (open)", "autre (ouverte)", "licence ouverte autre"),
    "other-closed": ("other-closed", "other (not open)", "autre (fermee)"),
    "notspecified": ("notspecified", "license not specified", "licence non specifiee",
                     "notspecified", "other", "autre"),
}


def _licence_key(value: str) -> str:
    text = value.strip()
    if "://" in text:
        return text.lower().rstrip("/").replace("https://", "http://", 1)
    return _key(text)


@functools.lru_cache(maxsize=1)
def _licence_index() -> Mapping[str, str]:
    index: dict[str, str] = {}
    for licence_id, names in _LICENCES.items():
        for name in names:
            index.setdefault(_licence_key(name), licence_id)
    return index


def map_licence(*values: Any) -> str:
    """The portal's licence id for the first recognised of a partner's licence id, title
    or URL; ``notspecified`` when none is recognised (never guessed).

    An id of the portal's own licence register is taken as is.
    """
    register = model.Package.get_license_register()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        if register.get(value.strip()) is not None and value.strip() != "notspecified":
            return value.strip()
        found = _licence_index().get(_licence_key(value))
        if found and found != "notspecified":
            return found
    return "notspecified"
