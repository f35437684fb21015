"""Small accessible charts rendered server-side as inline SVG, without any JavaScript."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from markupsafe import Markup

import ckan.plugins.toolkit as tk

from ckanext.suite import formats, svg

__all__ = ["Series", "bars", "dashboard_charts", "gauge", "stacked_bars"]

WIDTH = svg.WIDTH
LABEL_WIDTH = 210
VALUE_WIDTH = 60
ROW = 26
BAR = 18
TOP = 8
LEGEND = 26
#: Colours readable by colour-blind people (Okabe-Ito palette) and on white.
BLUE, ORANGE, RED, GREEN, GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#BBBBBB"
_MAX_LABEL = 30


class Series:
    """One series of a stacked bar chart: its label, colour and one value per category."""

    def __init__(self, label: str, color: str, values: Sequence[float]) -> None:
        self.label = label
        self.color = color
        self.values = list(values)


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[:_MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    return formats.suite_decimal(value)


def _frame(chart_id: str, title: str, description: str, height: int, body: str) -> Markup:
    """The chart as a figure: its title shown above the SVG."""
    return Markup(
        '<figure class="governance-figure"><figcaption class="governance-chart-title">'
        '{title}</figcaption>{svg}</figure>').format(
            title=title, svg=svg.frame("governance-chart", chart_id, title, description,
                                       height, body))


def _empty(chart_id: str, title: str, description: str, message: str) -> Markup:
    return _frame(chart_id, title, description, *svg.empty(message))


def _row_label(y: int, label: str) -> str:
    return Markup('<text x="{x}" y="{y}" text-anchor="end" fill="#333">{text}</text>').format(
        x=LABEL_WIDTH - 8, y=y + BAR - 5, text=_short(label))


def _legend(series: Sequence[Series], y: int) -> str:
    parts, x = [], LABEL_WIDTH
    for item in series:
        parts.append(Markup(
            '<rect x="{x}" y="{y}" width="12" height="12" fill="{color}"/>'
            '<text x="{tx}" y="{ty}" fill="#333">{label}</text>').format(
                x=x, y=y, color=item.color, tx=x + 16, ty=y + 11, label=item.label))
        x += 24 + 7 * len(item.label)
    return "".join(parts)


def stacked_bars(chart_id: str, title: str, description: str, categories: Sequence[str],
                 series: Sequence[Series], empty: str) -> Markup:
    """Horizontal bars, one per category, stacking the series; a legend below.

    Each segment carries its own ``<title>`` ("category — series: value"),
    read by screen readers and shown on hover.
    """
    if not categories:
        return _empty(chart_id, title, description, empty)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / (max(totals) or 1)
    parts = []
    for i, category in enumerate(categories):
        y = TOP + i * ROW
        parts.append(_row_label(y, category))
        x = float(LABEL_WIDTH)
        for item in series:
            value = item.values[i]
            if value <= 0:
                continue
            width = value * scale
            parts.append(Markup(
                '<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{color}">'
                '<title>{category} — {label} : {value}</title></rect>').format(
                    x=x, y=y, w=width, h=BAR, color=item.color, category=category,
                    label=item.label, value=_number(value)))
            x += width
        parts.append(Markup('<text x="{x:.1f}" y="{y}" fill="#333">{value}</text>').format(
            x=x + 4, y=y + BAR - 5, value=_number(totals[i])))
    legend_y = TOP + len(categories) * ROW + 4
    parts.append(_legend(series, legend_y))
    return _frame(chart_id, title, description, legend_y + LEGEND, "".join(parts))


def bars(chart_id: str, title: str, description: str, categories: Sequence[str],
         values: Sequence[float], color: str, empty: str,
         value_labels: Optional[Sequence[str]] = None) -> Markup:
    """Horizontal bars, one per category, each with its value written after it."""
    if not categories:
        return _empty(chart_id, title, description, empty)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / (max(values) or 1)
    parts = []
    for i, (category, value) in enumerate(zip(categories, values)):
        y = TOP + i * ROW
        shown = value_labels[i] if value_labels else _number(value)
        parts.append(_row_label(y, category))
        parts.append(Markup(
            '<rect x="{x}" y="{y}" width="{w:.1f}" height="{h}" fill="{color}">'
            '<title>{category} : {shown}</title></rect>'
            '<text x="{tx:.1f}" y="{ty}" fill="#333">{shown}</text>').format(
                x=LABEL_WIDTH, y=y, w=max(value * scale, 0), h=BAR, color=color,
                category=category, shown=shown, tx=LABEL_WIDTH + value * scale + 4,
                ty=y + BAR - 5))
    return _frame(chart_id, title, description, TOP + len(categories) * ROW + 4,
                  "".join(parts))


def gauge(chart_id: str, title: str, description: str, share: Optional[float],
          label: str) -> Markup:
    """A horizontal gauge from 0 to 100 %, filled to ``share`` (0 to 1), ``label`` beside it."""
    filled = (WIDTH - LABEL_WIDTH) * (share or 0)
    color = GREEN if (share or 0) >= 0.8 else ORANGE if (share or 0) >= 0.5 else RED
    body = Markup(
        '<rect x="0" y="8" width="{full}" height="22" rx="4" fill="#EEEEEE"/>'
        '<rect x="0" y="8" width="{filled:.1f}" height="22" rx="4" fill="{color}">'
        '<title>{label}</title></rect>'
        '<text x="{tx}" y="24" fill="#333" font-size="14">{label}</text>').format(
            full=WIDTH - LABEL_WIDTH, filled=filled, color=color, label=label,
            tx=WIDTH - LABEL_WIDTH + 10)
    return _frame(chart_id, title, description, 38, body)


def _percent(share: Optional[float]) -> str:
    if share is None:
        return tk._("no dataset")
    return formats.suite_percent(share)


def _publicity(chart_id: str, title: str, categories: list[str],
               items: list[dict[str, Any]]) -> Markup:
    return stacked_bars(
        chart_id, title,
        tk._("Number of public and private datasets, one bar each"),
        categories,
        [Series(tk._("Public"), BLUE, [item["public"] for item in items]),
         Series(tk._("Private"), ORANGE, [item["private"] for item in items])],
        empty=tk._("No dataset"))


def _organization_charts(org: dict[str, Any]) -> dict[str, Markup]:
    services = org["services"]
    names = [service["title"] for service in services]
    chart_id = "governance-{}".format(org["name"])
    ages = org["pending_review_age_days"]["buckets"]
    age_labels = [tk._("Less than 7 days"), tk._("7 to 30 days"), tk._("More than 30 days")]
    return {
        "publicity": _publicity(
            chart_id + "-publicity",
            tk._("Public and private datasets per service of {organization}").format(
                organization=org["title"]), names, services),
        "overdue": bars(
            chart_id + "-overdue",
            tk._("Overdue datasets per service of {organization}").format(
                organization=org["title"]),
            tk._("Number of datasets whose data update is overdue, per service"),
            names, [service["overdue"] for service in services], RED,
            empty=tk._("No service")),
        "metadata": gauge(
            chart_id + "-metadata",
            tk._("Share of datasets of {organization} with complete metadata").format(
                organization=org["title"]),
            tk._("Complete metadata: {n} of {total} datasets").format(
                n=org["complete_metadata"], total=org["datasets"]),
            org["complete_metadata_share"], _percent(org["complete_metadata_share"])),
        "reviews": bars(
            chart_id + "-reviews",
            tk._("Pending reviews of {organization} by age").format(
                organization=org["title"]),
            tk._("Number of sign-off requests waiting for a decision, by time waited"),
            age_labels, [ages["under_7_days"], ages["7_to_30_days"], ages["over_30_days"]],
            ORANGE, empty=tk._("No pending review")),
    }


def dashboard_charts(figures: dict[str, Any]) -> dict[str, Any]:
    """The charts of the dashboard page: an overview, then each organization's charts by id."""
    organizations = figures["organizations"]
    totals = figures["totals"]
    return {
        "overview": _publicity(
            "governance-overview", tk._("Public and private datasets per organization"),
            [org["title"] for org in organizations], organizations),
        "metadata": gauge(
            "governance-overview-metadata",
            tk._("Share of datasets with complete metadata"),
            tk._("Complete metadata: {n} of {total} datasets").format(
                n=totals["complete_metadata"], total=totals["datasets"]),
            totals["complete_metadata_share"], _percent(totals["complete_metadata_share"])),
        "organizations": {org["id"]: _organization_charts(org) for org in organizations},
    }
