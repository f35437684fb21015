"""udata (data.gouv.fr) vocabularies mapped to ours: update frequencies to EU codes."""
from __future__ import annotations

from typing import Any

from ckanext.territorial_consolidation.harvesters import mapping

__all__ = ["UDATA_FREQUENCIES", "frequency", "licence"]

#: udata's update frequencies (``udata.core.dataset.constants.UPDATE_FREQUENCIES``) and
#: the EU code of each. Frequencies the EU list has no code for are ``OTHER`` ("another
#: type of regularity"): known to be regular, so neither unknown nor guessed.
UDATA_FREQUENCIES: dict[str, str] = {
    "punctual": "NEVER",
    "continuous": "CONT",
    "hourly": "HOURLY",
    "fourTimesADay": "OTHER",
    "threeTimesADay": "OTHER",
    "semidaily": "DAILY_2",
    "daily": "DAILY",
    "fourTimesAWeek": "OTHER",
    "threeTimesAWeek": "WEEKLY_3",
    "semiweekly": "WEEKLY_2",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "MONTHLY_3",
    "semimonthly": "MONTHLY_2",
    "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY",
    "threeTimesAYear": "ANNUAL_3",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "quinquennial": "QUINQUENNIAL",
    "irregular": "IRREG",
    "unknown": "UNKNOWN",
}


def frequency(value: Any) -> str:
    """The EU code of a udata frequency (or of an EU code/URI, as newer udata sends)."""
    return mapping.map_frequency(value, UDATA_FREQUENCIES)


def licence(value: Any) -> str:
    """The portal's licence id for a udata licence id (``lov2``, ``fr-lo``, ``odc-odbl``...)."""
    return mapping.map_licence(value)
