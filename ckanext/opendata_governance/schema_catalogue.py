"""The Table Schemas shipped with the plugin (table_schemas/), by URL, with their titles."""
from __future__ import annotations

import functools

from ckanext.opendata_governance import schema_reference

__all__ = ["shipped"]


@functools.lru_cache(maxsize=1)
def shipped() -> dict[str, str]:
    """Each shipped schema's URL (``index.json``) to its title (the descriptor's ``title``
    and ``version``, else its file name), in the index's order."""
    titles: dict[str, str] = {}
    for url, file_name in schema_reference.known_schemas().items():
        descriptor = schema_reference.descriptor(url)
        title, version = descriptor.get("title"), descriptor.get("version")
        titles[url] = (f"{title} ({version})" if title and version
                       else str(title or file_name))
    return titles
