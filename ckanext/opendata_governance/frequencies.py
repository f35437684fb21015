"""The EU Publications Office frequency authority list, with an update period per code."""
from __future__ import annotations

import dataclasses
import functools
import pathlib
import xml.etree.ElementTree as ET
from types import MappingProxyType
from typing import Mapping

from dateutil.relativedelta import relativedelta

__all__ = [
    "AUTHORITY_URI",
    "Frequency",
    "all_frequencies",
    "choices",
    "get",
]

AUTHORITY_URI = "http://publications.europa.eu/resource/authority/frequency"

_RDF_PATH = pathlib.Path(__file__).parent / "data" / "eu-frequency-skos.rdf"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The file carries no periods, so they are ours. Order: most frequent first.
# `last_data_update` is a date, so anything updated daily or more often gets
# one day. Codes meaning "n times per period" get the longest gap of a regular
# schedule (twice a week = Monday and Thursday: 4 days), so a dataset kept on
# schedule is never reported late. BIWEEKLY is "tous les quinze jours" in the
# file and matches DC Freq's biweekly (every two weeks); twice a month is
# MONTHLY_2 ("bimensuel"). BIMONTHLY is "bimestriel": every two months.
_PERIODS: dict[str, relativedelta | None] = {
    "CONT": relativedelta(days=1),
    "UPDATE_CONT": relativedelta(days=1),
    "HOURLY": relativedelta(days=1),
    "BIHOURLY": relativedelta(days=1),
    "TRIHOURLY": relativedelta(days=1),
    "DAILY_2": relativedelta(days=1),
    "DAILY": relativedelta(days=1),
    "WEEKLY_3": relativedelta(days=3),
    "WEEKLY_2": relativedelta(days=4),
    "WEEKLY": relativedelta(weeks=1),
    "MONTHLY_3": relativedelta(days=11),
    "BIWEEKLY": relativedelta(weeks=2),
    "MONTHLY_2": relativedelta(days=16),
    "MONTHLY": relativedelta(months=1),
    "BIMONTHLY": relativedelta(months=2),
    "QUARTERLY": relativedelta(months=3),
    "ANNUAL_3": relativedelta(months=4),
    "ANNUAL_2": relativedelta(months=6),
    "ANNUAL": relativedelta(years=1),
    "BIENNIAL": relativedelta(years=2),
    "TRIENNIAL": relativedelta(years=3),
    "QUADRENNIAL": relativedelta(years=4),
    "QUINQUENNIAL": relativedelta(years=5),
    "DECENNIAL": relativedelta(years=10),
    "BIDECENNIAL": relativedelta(years=20),
    "TRIDECENNIAL": relativedelta(years=30),
    # Non-periodic: no due date can be derived from them.
    "IRREG": None,
    "OP_DATPRO": None,
    "OTHER": None,
    "UNKNOWN": None,
    "NEVER": None,
}


@dataclasses.dataclass(frozen=True)
class Frequency:
    """One concept of the authority list.

    :param code: the authority code, e.g. ``MONTHLY``
    :param uri: the concept's URI
    :param label_fr: French preferred label, as in the list (lower case)
    :param label_en: English preferred label
    :param period: time between two updates, or None for non-periodic codes
    :param exact_match: the matching Dublin Core frequency URI, if any
    :param labels: preferred labels of every language in the list
    """

    code: str
    uri: str
    label_fr: str
    label_en: str
    period: relativedelta | None
    exact_match: str | None = None
    labels: Mapping[str, str] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)

    @property
    def periodic(self) -> bool:
        """Whether a next update date can be computed from this frequency."""
        return self.period is not None

    def label(self, lang: str | None) -> str:
        """Preferred label in ``lang`` (``fr``, ``fr_FR``, ``en-GB``...), else English."""
        short = (lang or "en").replace("-", "_").split("_")[0].lower()
        return self.labels.get(short) or self.label_en or self.code


def _parse(path: pathlib.Path) -> list[Frequency]:
    root = ET.parse(path).getroot()
    found: dict[str, Frequency] = {}
    for concept in root.iter(f"{{{_SKOS}}}Concept"):
        uri = concept.get(f"{{{_RDF}}}about", "")
        # OP_DATPRO has no at:authority-code, so the URI is the one reliable key.
        code = uri.rsplit("/", 1)[-1]
        labels = {
            el.get(_XML_LANG, ""): (el.text or "").strip()
            for el in concept.findall(f"{{{_SKOS}}}prefLabel")
        }
        match = concept.find(f"{{{_SKOS}}}exactMatch")
        found[code] = Frequency(
            code=code,
            uri=uri,
            label_fr=labels.get("fr", code),
            label_en=labels.get("en", code),
            period=_PERIODS.get(code),
            exact_match=match.get(f"{{{_RDF}}}resource") if match is not None else None,
            labels=MappingProxyType(labels),
        )
    order = {code: rank for rank, code in enumerate(_PERIODS)}
    # A code added to a later version of the list sorts last, as non-periodic,
    # until someone gives it a period.
    return sorted(found.values(), key=lambda f: (order.get(f.code, len(order)), f.code))


@functools.lru_cache(maxsize=1)
def _load() -> tuple[tuple[Frequency, ...], Mapping[str, Frequency]]:
    frequencies = tuple(_parse(_RDF_PATH))
    index: dict[str, Frequency] = {}
    for f in frequencies:
        index[f.code] = f
        index[f.uri] = f
        if f.exact_match:
            # DCAT harvests often carry the Dublin Core URI instead of the EU one.
            index[f.exact_match] = f
    return frequencies, MappingProxyType(index)


def all_frequencies() -> list[Frequency]:
    """Every frequency of the list, most frequent first, non-periodic codes last."""
    return list(_load()[0])


def get(code: str | None) -> Frequency | None:
    """The frequency for an authority code (``MONTHLY``) or a full URI, or None if unknown."""
    if not code or not isinstance(code, str):
        return None
    key = code.strip()
    index = _load()[1]
    found = index.get(key)
    if found is None and "/" not in key:
        found = index.get(key.upper())
    if found is None and key.startswith("https://"):
        found = index.get("http://" + key[len("https://"):])
    return found


def choices(lang: str | None = "fr") -> list[dict[str, str]]:
    """Options for a ckanext-scheming select: the code as value, the label in ``lang``."""
    out = []
    for f in all_frequencies():
        text = f.label(lang)
        out.append({"value": f.code, "label": text[:1].upper() + text[1:]})
    return out
