"""The Table Schemas shipped with the plugin (table_schemas/), by URL, with their titles."""
from __future__ import annotations

import functools
import json
import pathlib

__all__ = ["FOLDER", "shipped"]

FOLDER = pathlib.Path(__file__).resolve().parent / "table_schemas"


@functools.lru_cache(maxsize=1)
def shipped() -> dict[str, str]:
    """Each shipped schema's URL (``index.json``) to its title (the descriptor's ``title``
    and ``version``, else its file name), in the index's order."""
    index = json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))
    titles: dict[str, str] = {}
    for url, file_name in index.items():
        descriptor = json.loads((FOLDER / file_name).read_text(encoding="utf-8"))
        title, version = descriptor.get("title"), descriptor.get("version")
        titles[url] = (f"{title} ({version})" if title and version
                       else str(title or file_name))
    return titles
