"""Compile every plugin's .po catalogue into the .mo file CKAN loads."""
from __future__ import annotations

import pathlib
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted(ROOT.glob("ckanext/*/i18n/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        compiled += 1
    if compiled:
        print(f"Compiled {compiled} translation catalogue(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
