"""Print the README's configuration table from every plugin's declared options
(each plugin's config_declaration.yaml, and ckanext/suite's)."""
from __future__ import annotations

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def rows() -> list[tuple[str, str, str, str]]:
    """(plugin, key, default, first sentence of the description) for every declared option."""
    found = []
    for path in sorted(ROOT.glob("ckanext/*/config_declaration.yaml")):
        plugin = path.parent.name
        declaration = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in declaration.get("groups", []):
            for option in group.get("options", []):
                text = " ".join((option.get("description") or "").split())
                # The first sentence: a period followed by a space or the end.
                sentence = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
                default = option.get("default", "")
                found.append((plugin, option["key"], "" if default is None else str(default),
                              sentence))
    return found


def main() -> int:
    print("| plugin | option | default | meaning |")
    print("|---|---|---|---|")
    for plugin, key, default, description in rows():
        print(f"| {plugin} | `{key}` | {default} | {description} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
