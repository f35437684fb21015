"""Names in French alphabetical order."""
from __future__ import annotations

import unicodedata
from typing import Optional

__all__ = ["collation_key"]


def collation_key(name: Optional[str]) -> tuple[str, str]:
    """Sorts names as a French reader expects: accents and case set aside first
    (Bécherel, Brécé, Bruz), then the exact spelling to order names equal without them."""
    text = name or ""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold(), text
