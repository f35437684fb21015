"""Strings of ckanext-xloader, ckanext-geoview and CKAN's datastore that their French
catalogues lack: CKAN merges every plugin's catalogue into one (the last loaded wins), so
ours translates them. Listed here so that scripts/i18n-extract.sh keeps them."""
from __future__ import annotations

from ckanext.opendata_governance.datastore import N_

__all__ = ["BORROWED"]


BORROWED = (
    # ckanext-xloader: its badges (helpers.py) and its DataStore tab.
    N_("Running"), N_("Inactive"),
    N_("Data awaiting load to DataStore"), N_("Loading data into DataStore"),
    N_("Failed to load data into DataStore"), N_("Data loaded into DataStore"),
    N_("Data available in DataStore"), N_("Resource not active in DataStore"),
    N_("DataStore status unknown"), N_("Last Updated Not Available"), N_("datastore"),
    N_("Are you sure you want to delete the DataStore and Data Dictionary?"),
    N_("Delete from DataStore"),
    N_("DataStore and Data Dictionary deleted for resource %s"),
    N_("Cannot upload resource %s to the DataStore because the resource did not pass "
       "validation yet."),
    N_("Strip Extra Leading and Trailing White Space"),
    # CKAN datastore's Data API window.
    N_("Access resource data via a web API with powerful query support"),
    N_("Access resource data via a web API with powerful query support."),  # CKAN 2.12
    N_("Code examples:"),
    N_('Get 5 results containing "jones" in any field:'),
    N_('Get results with either "watershed" or "survey" as subject and "active" as its '
       'stage:'),
    # ckanext-geoview.
    N_("Map viewer"), N_("Map Type"), N_("Custom URL"),
    # CKAN datastore's dump (its French catalogue leaves it empty).
    N_("DataStore resource not found"),
    # CKAN's file sizes ("50 mébi" in its French catalogue).
    N_("{kibibytes} KiB"), N_("{mebibytes} MiB"), N_("{gibibytes} GiB"),
    N_("{tebibytes} TiB"),
)
