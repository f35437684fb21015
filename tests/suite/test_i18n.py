"""Every user-visible string of the suite has a French translation that CKAN loads."""
from __future__ import annotations

import pathlib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent.name for p in ROOT.glob("ckanext/*/plugin.py"))
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
              ("**/templates/**.txt", "ckan.lib.extract:extract_ckan")]
OPTIONS = {"**/templates/**.html": {}, "**/templates/**.txt": {}}


def _source_messages(plugin: str) -> set[str]:
    """The plugin's strings and those of the shared ckanext/suite package it may use."""
    found = set()
    for directory in (ROOT / "ckanext" / plugin, ROOT / "ckanext" / "suite"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
                str(directory), METHOD_MAP, OPTIONS,
                callback=None, strip_comment_tags=True,
                keywords={"_": None, "gettext": None, "ungettext": (1, 2),
                          "ngettext": (1, 2), "N_": None}):
            if isinstance(message, (tuple, list)):
                found.add(message[0])
            else:
                found.add(message)
    return found


def _catalogue(plugin: str):
    path = ROOT / "ckanext" / plugin / "i18n" / "fr" / "LC_MESSAGES" / f"ckanext-{plugin}.po"
    with path.open("rb") as po_file:
        return read_po(po_file, locale="fr")


@pytest.mark.parametrize("plugin", PLUGINS)
def test_french_catalogue_covers_every_string(plugin: str):
    """Each string marked for translation in a plugin has a French translation."""
    catalogue = _catalogue(plugin)
    # A plural entry counts only when every form is translated: its empty strings come
    # as a tuple, which is truthy.
    translated = {m.id if isinstance(m.id, str) else m.id[0]
                  for m in catalogue if m.id and not m.fuzzy
                  and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(_source_messages(plugin) - translated)
    assert not missing, f"untranslated in ckanext-{plugin}: {missing}"


@pytest.mark.parametrize("plugin", PLUGINS)
def test_catalogue_is_compiled_for_ckan(plugin: str):
    """The compiled .mo that CKAN loads is there and not older than the .po."""
    po = ROOT / "ckanext" / plugin / "i18n" / "fr" / "LC_MESSAGES" / f"ckanext-{plugin}.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"run scripts/compile_catalogs.py ({mo.name} missing)"
    assert mo.stat().st_mtime >= po.stat().st_mtime
