"""OpenDataSoft's free-text vocabularies (and DCAT literals) mapped to EU frequency codes."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from ckanext.territorial_consolidation.harvesters import mapping

__all__ = ["FREE_TEXT_FREQUENCIES", "frequency"]

#: Wordings publishers type in ODS's free-text frequency metadata, beyond the French and
#: English labels of the EU list itself (which ``mapping.map_frequency`` knows).
FREE_TEXT_FREQUENCIES: dict[str, str] = {
    "temps reel": "CONT", "en temps reel": "CONT", "real time": "CONT", "realtime": "CONT",
    "en continu": "CONT", "au fil de l eau": "CONT", "continue": "CONT",
    "ponctuelle": "NEVER", "ponctuel": "NEVER", "aucune": "NEVER", "aucun": "NEVER",
    "pas de mise a jour": "NEVER", "non mis a jour": "NEVER", "one off": "NEVER",
    "journalier": "DAILY", "journaliere": "DAILY", "tous les jours": "DAILY",
    "chaque jour": "DAILY", "une fois par jour": "DAILY", "quotidiennement": "DAILY",
    "toutes les semaines": "WEEKLY", "chaque semaine": "WEEKLY",
    "une fois par semaine": "WEEKLY", "hebdo": "WEEKLY",
    "tous les mois": "MONTHLY", "chaque mois": "MONTHLY", "une fois par mois": "MONTHLY",
    "mensuellement": "MONTHLY",
    "tous les trimestres": "QUARTERLY", "chaque trimestre": "QUARTERLY",
    "tous les 3 mois": "QUARTERLY", "tous les trois mois": "QUARTERLY",
    "tous les 6 mois": "ANNUAL_2", "tous les six mois": "ANNUAL_2",
    "deux fois par an": "ANNUAL_2", "biannuel": "ANNUAL_2", "biannuelle": "ANNUAL_2",
    "tous les ans": "ANNUAL", "chaque annee": "ANNUAL", "une fois par an": "ANNUAL",
    "annuellement": "ANNUAL", "yearly": "ANNUAL",
    "tous les 2 ans": "BIENNIAL", "tous les deux ans": "BIENNIAL",
    "tous les 3 ans": "TRIENNIAL", "tous les trois ans": "TRIENNIAL",
    "tous les 5 ans": "QUINQUENNIAL",
    "irreguliere": "IRREG", "irregulier": "IRREG", "variable": "IRREG",
    "non reguliere": "IRREG", "sans periodicite": "IRREG",
}

# Words around the frequency itself in free text: "Mise à jour mensuelle", "MAJ : annuelle".
_NOISE = re.compile(r"^(mise a jour|mises a jour|maj|actualisation|actualise|frequence|"
                    r"periodicite|update frequency|updated|update)\s*(de|des)?\s*")


def _plain(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def frequency(value: Any) -> str:
    """The EU code of a free-text frequency, an EU code or a frequency URI; ``UNKNOWN``
    for anything else (never guessed)."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    code = mapping.map_frequency(value, FREE_TEXT_FREQUENCIES)
    if code != mapping.UNKNOWN or not isinstance(value, str):
        return code
    stripped = _NOISE.sub("", _plain(value)).strip()
    return mapping.map_frequency(stripped, FREE_TEXT_FREQUENCIES) if stripped else code
