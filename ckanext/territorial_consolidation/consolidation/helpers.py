"""Template helpers for consolidations: labels and the coverage grid (server-rendered SVG)."""
from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

import ckan.plugins.toolkit as tk

__all__ = ["consolidation_verdict_label", "consolidation_coverage_label",
           "consolidation_coverage_svg", "consolidation_state_label",
           "consolidation_coverage_colors"]

#: Colours of the coverage statuses, readable by colour-blind people (Okabe-Ito) and
#: doubled by a letter in each cell.
COLORS = {"valid": "#009E73", "invalid": "#D55E00", "unreachable": "#CC79A7",
          "unknown": "#E69F00", "none": "#BBBBBB"}
LETTERS = {"valid": "✓", "invalid": "✗", "unreachable": "!", "unknown": "?", "none": ""}


def consolidation_verdict_label(verdict: str) -> str:
    """A source's verdict in words."""
    return {"valid": tk._("valid"), "partial": tk._("partially valid"),
            "invalid": tk._("invalid"), "unreachable": tk._("unreachable"),
            "unknown": tk._("not validated yet")}.get(
        verdict, verdict)


def consolidation_state_label(state: str) -> str:
    """A run's state in words."""
    return {"pending": tk._("queued"), "running": tk._("running"),
            "succeeded": tk._("published"), "unchanged": tk._("unchanged"),
            "failed": tk._("failed")}.get(state, state)


def consolidation_coverage_label(status: str) -> str:
    """A commune's coverage status in words."""
    return {"valid": tk._("publishes a valid file"),
            "invalid": tk._("publishes an invalid file"),
            "unreachable": tk._("publishes a file that could not be read"),
            "unknown": tk._("publishes a file not validated yet"),
            "none": tk._("publishes no file")}.get(status, status)


def consolidation_coverage_colors() -> dict[str, str]:
    return dict(COLORS)


def consolidation_coverage_svg(rows: list[dict[str, Any]], cell: int = 28) -> Markup:
    """A grid of the communes, one square each coloured by status, names in tooltips."""
    count = len(rows)
    columns = max(1, min(30, math.ceil(math.sqrt(count * 2))))
    lines = max(1, math.ceil(count / columns))
    gap = 3
    width, height = columns * (cell + gap), lines * (cell + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-grid" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="{escape(tk._("Coverage of the communes"))}">']
    for index, row in enumerate(rows):
        x, y = (index % columns) * (cell + gap), (index // columns) * (cell + gap)
        status = row.get("status", "none")
        label = f"{row.get('name', '')} ({row.get('code', '')}) — " \
                f"{consolidation_coverage_label(status)}"
        parts.append(
            f'<g class="coverage-{escape(status)}"><title>{escape(label)}</title>'
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3" '
            f'fill="{COLORS.get(status, COLORS["none"])}"/>'
            f'<text x="{x + cell / 2}" y="{y + cell / 2 + 5}" text-anchor="middle" '
            f'font-size="14" fill="#fff">{LETTERS.get(status, "")}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
