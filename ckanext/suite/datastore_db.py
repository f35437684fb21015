"""The DataStore's database beside CKAN's: where it is, and CKAN's own permission script.

The suite's convention: the DataStore of the database ``X`` is ``X_datastore``, owned by
CKAN's role (which writes), read by the role ``datastore_ro`` (``datastore_search_sql``
runs as that role). ``scripts/ensure-datastore-db.sh`` creates both and runs

    python -m ckanext.suite.datastore_db MAIN_DB_URL

whose output is ``ckan datastore set-permissions``'s SQL for those URLs, rendered
without a configuration file (the command itself needs the datastore plugin loaded).
"""
from __future__ import annotations

import sys

from sqlalchemy.engine import make_url

READ_ROLE = "datastore_ro"

__all__ = ["READ_ROLE", "datastore_urls", "permissions_sql"]


def datastore_urls(main_url: str) -> tuple[str, str]:
    """The DataStore's write and read URLs for CKAN's database URL ``main_url``."""
    main = make_url(main_url)
    database = f"{main.database}_datastore"
    write = main.set(database=database)
    read = main.set(database=database, username=READ_ROLE, password=None)
    return (write.render_as_string(hide_password=False),
            read.render_as_string(hide_password=False))


def permissions_sql(main_url: str) -> str:
    """CKAN's set-permissions script for ``main_url`` and its DataStore."""
    from ckanext.datastore.cli import permissions_sql as ckan_permissions_sql

    main = make_url(main_url)
    write, read = (make_url(url) for url in datastore_urls(main_url))
    return ckan_permissions_sql(maindb=main.database, datastoredb=write.database,
                                mainuser=main.username, writeuser=write.username,
                                readuser=read.username)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m ckanext.suite.datastore_db MAIN_DB_URL")
    print(permissions_sql(sys.argv[1]))
