"""Actions of the governance plugin: DataStore queries the database refuses are the caller's error."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

__all__ = ["datastore_search_sql"]


@tk.chained_action
def datastore_search_sql(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's ``datastore_search_sql``; a query PostgreSQL refuses while running it (a
    division by zero, a bad cast) is a ``ValidationError`` on ``sql`` (409), not a 500.

    :param sql: a single SQL select statement
    """
    try:
        return original(context, data_dict)
    except sa.exc.DBAPIError as error:
        message = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise tk.ValidationError({"sql": [tk._(
            "The database refused the query: {error}").format(error=message)]}) from error


def _sql_search_enabled() -> bool:
    """Whether the DataStore offers ``datastore_search_sql`` (an option, off by default)."""
    return p.plugin_loaded("datastore") and tk.asbool(
        tk.config.get("ckan.datastore.sqlsearch.enabled"))


datastore_search_sql.available = _sql_search_enabled  # type: ignore[attr-defined]
