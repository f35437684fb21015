"""Fill empty French translations of one plugin's catalogue from other catalogues.

Usage: fill_from_catalogues.py TARGET.po SOURCE.po|SOURCE.po.part [...]
Used when merging translations written in parts, or shared strings (ckanext/suite)
that another plugin's catalogue already translates. Prints what stays untranslated.
"""
from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _translated(message: object) -> bool:
    """Whether a message has its translation (every form, for a plural entry)."""
    string = message.string
    done = all(string) if isinstance(string, tuple) else bool(string)
    return done and not message.fuzzy


def main(target: str, sources: list[str]) -> int:
    with open(target, "rb") as handle:
        catalogue = read_po(handle, locale="fr")
    known: dict[str, object] = {}
    for source in sources:
        with open(source, "rb") as handle:
            for message in read_po(handle, locale="fr"):
                if message.id and _translated(message):
                    known.setdefault(message.id if isinstance(message.id, str)
                                     else message.id[0], message.string)
    missing = []
    for message in catalogue:
        if not message.id or _translated(message):
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in known:
            message.string = known[key]
            message.flags.discard("fuzzy")
        else:
            missing.append(key)
    with open(target, "wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False)
    for key in missing:
        print(f"untranslated: {key!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
