"""The reference list of data to open by competence, shipped as data and extensible by config."""
from __future__ import annotations

import dataclasses
import json
import pathlib
import re
import unicodedata
from typing import Any, Iterable, Optional

import ckan.plugins.toolkit as tk

__all__ = ["LEVELS", "Entry", "entries", "load", "normalise"]

#: The levels a reference entry may concern (the nation publishes no local data).
LEVELS = ("commune", "epci", "departement", "region")
SHIPPED = pathlib.Path(__file__).resolve().parent.parent / "data" / "opening_reference.json"
_REQUIRED = ("key", "title", "schema_url", "levels", "why", "frequency", "source")


def normalise(text: Any) -> str:
    """Lower case, no accents, words separated by one space: how keywords are compared."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").replace("œ", "oe"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.lower()).split())


@dataclasses.dataclass(frozen=True)
class Entry:
    """One kind of data a local authority is expected to open."""

    key: str
    title: str
    schema_url: str
    levels: tuple[str, ...]
    why: str
    frequency: str
    source: str
    # Lower-case fragments of a conforms_to URL that name this schema, any version.
    match: tuple[str, ...] = ()
    # Normalised tags (and request words) that stand for this kind of data.
    keywords: tuple[str, ...] = ()

    def matches_schema(self, conforms_to: Any) -> bool:
        declared = str(conforms_to or "").strip().lower()
        if not declared:
            return False
        fragments = self.match or (self.schema_url.lower().rstrip("/"),)
        return any(fragment in declared for fragment in fragments)

    def matches_words(self, words: Iterable[str]) -> bool:
        return any(word in self.keywords for word in words)

    def mentioned_in(self, text: Any) -> bool:
        """Whether free text (a data request) names this kind of data."""
        padded = f" {normalise(text)} "
        return any(f" {keyword} " in padded for keyword in self.keywords)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "schema_url": self.schema_url,
                "levels": list(self.levels), "why": self.why,
                "frequency": self.frequency, "source": self.source}


def _entry(raw: Any, origin: str) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError(f"{origin}: an entry is not an object")
    missing = [field for field in _REQUIRED if not raw.get(field)]
    if missing:
        raise ValueError(f"{origin}: entry {raw.get('key')!r} lacks {', '.join(missing)}")
    levels = tuple(raw["levels"])
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise ValueError(f"{origin}: entry {raw['key']!r} has unknown levels {unknown}")
    return Entry(key=str(raw["key"]), title=str(raw["title"]),
                 schema_url=str(raw["schema_url"]), levels=levels, why=str(raw["why"]),
                 frequency=str(raw["frequency"]), source=str(raw["source"]),
                 match=tuple(str(item).lower() for item in raw.get("match") or ()),
                 keywords=tuple(normalise(item) for item in raw.get("keywords") or ()))


def load(path: pathlib.Path) -> list[Entry]:
    """The entries of one reference file; a broken file is a ``ValueError`` naming it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from error
    raw_entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(raw_entries, list):
        raise ValueError(f"{path}: no \"entries\" list")
    return [_entry(raw, str(path)) for raw in raw_entries]


_CACHE: dict[Optional[str], list[Entry]] = {}


def entries() -> list[Entry]:
    """The shipped entries, then the site's extra file's (which replace same-key ones)."""
    extra = tk.config["ckanext.opendata_governance.opening_reference_extra"] or None
    if extra not in _CACHE:
        by_key = {entry.key: entry for entry in load(SHIPPED)}
        if extra:
            by_key.update({entry.key: entry for entry in load(pathlib.Path(extra))})
        _CACHE[extra] = list(by_key.values())
    return _CACHE[extra]
