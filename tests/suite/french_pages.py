"""What a French page shows that is still English: every text of the page (and its
placeholders, titles, labels for assistive technology and button values) that is, whole, a
message of CKAN or ckanext-harvest that no loaded French catalogue translates."""
from __future__ import annotations

import functools
import pathlib
import re
from typing import Iterable, Optional

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

import ckan
import ckanext.harvest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_CORE_FR = pathlib.Path(ckan.__file__).parent / "i18n" / "fr" / "LC_MESSAGES" / "ckan.po"
_HARVEST = pathlib.Path(ckanext.harvest.__file__).parent
#: ckanext-harvest's update frequencies, translated where its form shows them
#: (``_(f.title())``), which its message extraction cannot see.
_HARVEST_FREQUENCIES = ("Manual", "Monthly", "Weekly", "Biweekly", "Daily", "Always")
#: ckanext-harvest's source form writes these in English outside ``_()``: English on a
#: French page whether or not a catalogue translates the same words elsewhere.
_HARVEST_LITERALS = frozenset({"Source type", "Save"})
_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

__all__ = ["english_texts", "untranslated_messages"]


def _read(path: pathlib.Path) -> Iterable[object]:
    with path.open("rb") as handle:
        return list(read_po(handle, locale="fr"))


def _key(message: object) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _translated(message: object) -> bool:
    string = message.string
    return bool(all(string) if isinstance(string, tuple) else string) and not message.fuzzy


@functools.lru_cache(maxsize=None)
def untranslated_messages() -> frozenset[str]:
    """Messages of CKAN and ckanext-harvest that neither CKAN's French catalogue nor any
    of the suite's translates (CKAN merges them all into one)."""
    ours = [path for path in ROOT.glob("ckanext/*/i18n/fr/LC_MESSAGES/*.po")]
    translated = {_key(message) for path in [_CORE_FR, *ours] for message in _read(path)
                  if message.id and _translated(message)}
    messages = {_key(message) for message in _read(_CORE_FR) if message.id}
    messages |= _harvest_messages() | set(_HARVEST_FREQUENCIES)
    # A single letter or a bare symbol is not a sentence a reader sees as English.
    return frozenset(message for message in messages - translated
                     if sum(char.isalpha() for char in message) > 1)


def _harvest_messages() -> set[str]:
    """ckanext-harvest's messages, read from its sources (its .pot is out of date)."""
    found = set()
    for filename, _line, message, _comments, _context in extract_from_dir(
            str(_HARVEST), [("**.py", "python"),
                            ("**/templates/**.html", "ckan.lib.extract:extract_ckan")],
            {"**/templates/**.html": {}}, callback=None,
            keywords={"_": None, "gettext": None, "ungettext": (1, 2), "ngettext": (1, 2)}):
        if "tests" not in pathlib.Path(filename).parts:
            found.add(message if isinstance(message, str) else message[0])
    return found


def _texts(body: str) -> Iterable[str]:
    soup = BeautifulSoup(body, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    yield from soup.stripped_strings
    for element in soup.find_all(True):
        for attribute in _ATTRIBUTES:
            if element.get(attribute):
                yield str(element[attribute]).strip()
        if element.name in ("input", "button") and element.get("type") in (
                "submit", "button", "reset") and element.get("value"):
            yield str(element["value"]).strip()


_PLACEHOLDER = re.compile(r"\{\w*\}|%(?:\(\w+\))?[sd]")


@functools.lru_cache(maxsize=None)
def _untranslated_patterns() -> Optional[re.Pattern[str]]:
    """One pattern matching a whole text made from an untranslated message with
    placeholders ("Manage resource: {name}"), whatever fills them; None without any."""
    patterns = []
    for message in untranslated_messages():
        parts = _PLACEHOLDER.split(message)
        words = " ".join(parts)
        if len(parts) > 1 and sum(char.isalpha() for char in words) > 3:
            patterns.append(".+?".join(re.escape(part) for part in parts))
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def english_texts(body: str) -> set[str]:
    """The texts of the page that are whole English messages left untranslated, their
    placeholders filled or not."""
    english = untranslated_messages() | _HARVEST_LITERALS
    filled = _untranslated_patterns()
    return {text for text in _texts(body)
            if text in english or (filled is not None and filled.fullmatch(text))}
