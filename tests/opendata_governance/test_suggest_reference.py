"""The reference list of data to open: shipped entries are complete, a site file extends it."""
from __future__ import annotations

import json

import pytest

from ckanext.opendata_governance.suggest import reference

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "postgres_search opendata_governance"),
              pytest.mark.usefixtures("with_plugins")]


def test_every_shipped_entry_has_a_schema_levels_a_french_why_and_a_frequency():
    """Each entry says which schema, which levels, why (in French) and how often."""
    entries = reference.load(reference.SHIPPED)
    assert len(entries) >= 10
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys))
    for entry in entries:
        assert entry.schema_url.startswith("https://schema.data.gouv.fr/")
        assert entry.levels and set(entry.levels) <= set(reference.LEVELS)
        assert entry.frequency in ("WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL")
        assert entry.why and entry.source and entry.match


def test_entries_recognise_any_version_of_their_schema():
    """A versioned conforms_to URL names its entry; another schema's does not."""
    by_key = {entry.key: entry for entry in reference.load(reference.SHIPPED)}
    url = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
    assert by_key["subventions"].matches_schema(url)
    assert not by_key["prenoms"].matches_schema(url)
    assert by_key["prenoms"].mentioned_in("Les PRÉNOMS des nouveau-nés, svp")


def test_a_site_file_adds_entries_and_replaces_shipped_ones(tmp_path, ckan_config,
                                                            monkeypatch):
    """The extra file's entries join the list; one with a shipped key replaces it."""
    extra = tmp_path / "local.json"
    extra.write_text(json.dumps({"entries": [
        {"key": "terrasses", "title": "Autorisations de terrasses",
         "schema_url": "https://schema.data.gouv.fr/etalab/schema-terrasses/",
         "levels": ["commune"], "why": "Les commerçants et les habitants les consultent.",
         "frequency": "ANNUAL", "source": "site"},
        {"key": "prenoms", "title": "Prénoms (local)",
         "schema_url": "https://schema.data.gouv.fr/scdl/prenoms/", "levels": ["commune"],
         "why": "Version locale.", "frequency": "ANNUAL", "source": "site"}]}),
        encoding="utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.opendata_governance.opening_reference_extra",
                        str(extra))
    by_key = {entry.key: entry for entry in reference.entries()}
    assert by_key["terrasses"].title == "Autorisations de terrasses"
    assert by_key["prenoms"].title == "Prénoms (local)"
    assert "subventions" in by_key


def test_a_broken_entry_is_refused_naming_the_file_and_the_field(tmp_path):
    """An entry without levels is a ValueError naming the file and what lacks."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"entries": [{"key": "x", "title": "X"}]}),
                      encoding="utf-8")
    with pytest.raises(ValueError) as error:
        reference.load(broken)
    assert "broken.json" in str(error.value) and "levels" in str(error.value)
