"""Partner vocabularies mapped to ours: EU frequency codes and the portal's licence ids."""
from __future__ import annotations

import functools
import pathlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any, Mapping, Optional

from ckanext.suite import licences

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


def map_licence(*values: Any) -> str:
    """The portal's licence id for the first recognised of a partner's licence id, title
    or URL; ``notspecified`` when none is recognised (never guessed): the licence
    register's mapping (``ckanext/suite/licences.py``)."""
    return licences.map_licence(*values)
