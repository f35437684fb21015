"""Template helpers for reuse statistics: figures and small inline SVG charts (no JavaScript)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Sequence

from markupsafe import Markup

import ckan.plugins.toolkit as tk
from ckanext.suite import formats, svg
from ckanext.suite.pages import user_context as _context

__all__ = ["reuse_stats_org_charts", "reuse_month_chart", "reuse_bar_chart",
           "reuse_month_label"]

#: Months shown on an organization's chart.
ORG_CHART_MONTHS = 12
#: Okabe-Ito blue and orange: readable by colour-blind people, on white.
BLUE, ORANGE = "#0072B2", "#E69F00"
WIDTH = svg.WIDTH


def reuse_month_label(key: str, short: bool = False) -> str:
    """``2026-03`` as "March 2026" (or "Mar"), in the page's language ("mars 2026")."""
    try:
        day = dt.datetime.strptime(key, "%Y-%m")
    except (TypeError, ValueError):
        return key or ""
    return formats.suite_month(day, short=short)


def _frame(chart_id: str, title: str, description: str, height: int, body: str) -> Markup:
    return svg.frame("reuse-chart", chart_id, title, description, height, body)


def _empty(chart_id: str, title: str, description: str, message: str) -> Markup:
    return _frame(chart_id, title, description, *svg.empty(message))


def reuse_month_chart(chart_id: str, title: str, groups: Sequence[dict[str, Any]],
                      color: str = BLUE) -> Markup:
    """Vertical bars, one per month (``groups`` of ``reuse_stats`` by month)."""
    description = tk._("Number of reuses published each month")
    if not groups:
        return _empty(chart_id, title, description, tk._("No published reuse"))
    top, axis, height = 16, 36, 140
    peak = max(group["count"] for group in groups) or 1
    slot = WIDTH / len(groups)
    short = len(groups) > 6
    step = -(-len(groups) // 12)  # at most 12 month labels
    bar = max(slot * 0.7, 2)
    parts = [Markup('<line x1="0" y1="{y}" x2="{w}" y2="{y}" stroke="#999"/>').format(
        y=top + height, w=WIDTH)]
    for i, group in enumerate(groups):
        h = group["count"] / peak * height
        x = i * slot + (slot - bar) / 2
        label = reuse_month_label(group["key"])
        parts.append(Markup(
            '<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}">'
            '<title>{label} : {n}</title></rect>').format(
                x=x, y=top + height - h, w=bar, h=h, color=color, label=label,
                n=group["count"]))
        if group["count"] and slot >= 18:  # narrower bars keep their count in the tooltip
            parts.append(Markup(
                '<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="#333">{n}</text>'
            ).format(x=x + bar / 2, y=top + height - h - 3, n=group["count"]))
        if i % step:
            continue  # too many months to label each one
        middle = min(max(x + bar / 2, 16), WIDTH - 16)  # labels stay inside the frame
        parts.append(Markup(
            '<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="#333">{label}</text>'
        ).format(x=middle, y=top + height + 16,
                 label=reuse_month_label(group["key"], short=short)))
        # Short labels drop the year: it goes under the first month and each January
        # (under every label when months are skipped).
        if short and (i == 0 or group["key"].endswith("-01") or step > 1):
            parts.append(Markup(
                '<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="#666">{year}</text>'
            ).format(x=middle, y=top + height + 30, year=group["key"][:4]))
    return _frame(chart_id, title, description, top + height + axis, "".join(parts))


def reuse_bar_chart(chart_id: str, title: str, description: str,
                    groups: Sequence[dict[str, Any]], color: str = ORANGE,
                    empty: Optional[str] = None) -> Markup:
    """Horizontal bars, one per group with a count, its value written after it."""
    groups = [group for group in groups if group["count"]]
    if not groups:
        return _empty(chart_id, title, description, empty or tk._("No published reuse"))
    label_width, value_width, row, bar, top = 200, 40, 26, 18, 4
    peak = max(group["count"] for group in groups) or 1
    scale = (WIDTH - label_width - value_width) / peak
    parts = []
    for i, group in enumerate(groups):
        y = top + i * row
        label = str(group["label"])
        short = label if len(label) <= 30 else label[:29] + "…"
        width = group["count"] * scale
        parts.append(Markup(
            '<text x="{lx}" y="{ty}" text-anchor="end" fill="#333">{short}</text>'
            '<rect x="{x}" y="{y}" width="{w:.1f}" height="{h}" fill="{color}">'
            '<title>{label} : {n}</title></rect>'
            '<text x="{vx:.1f}" y="{ty}" fill="#333">{n}</text>').format(
                lx=label_width - 8, ty=y + bar - 5, short=short, x=label_width, y=y,
                w=width, h=bar, color=color, label=label, n=group["count"],
                vx=label_width + width + 4))
    return _frame(chart_id, title, description, top + len(groups) * row + 4, "".join(parts))


def reuse_stats_org_charts(organization: dict[str, Any]) -> dict[str, Any]:
    """Figures and charts of an organization's tab: reuses of its data per month and type.

    Counts only what the current user may see (``reuse_stats``).
    """
    action = tk.get_action("reuse_stats")
    by_month = action(_context(), {"organization": organization["id"], "group_by": "month",
                                   "months": ORG_CHART_MONTHS, "most_reused": 5})
    by_type = action(_context(), {"organization": organization["id"], "group_by": "type",
                                  "most_reused": 0})
    chart_id = "reuse-stats-{}".format(organization["name"])
    name = organization.get("title") or organization["name"]
    return {
        "total": by_type["total"],
        "most_reused": by_month["most_reused"],
        "months": reuse_month_chart(
            chart_id + "-months",
            tk._("Reuses of the data of {organization} published per month").format(
                organization=name), by_month["groups"]),
        "types": reuse_bar_chart(
            chart_id + "-types",
            tk._("Reuses of the data of {organization} by type").format(organization=name),
            tk._("Number of published reuses of each type"), by_type["groups"]),
    }
