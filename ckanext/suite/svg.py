"""The frame shared by the suite's inline SVG charts: accessible title, description and viewBox."""
from __future__ import annotations

from markupsafe import Markup

__all__ = ["WIDTH", "empty", "frame"]

#: Width of the viewBox of every chart; the SVG itself scales to its container.
WIDTH = 640


def frame(css_class: str, chart_id: str, title: str, description: str, height: int,
          body: str) -> Markup:
    """The chart's ``<svg>``, its title and description announced by screen readers
    (role="img" with aria-labelledby) and shown as a tooltip."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" '
        'viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet" '
        'font-family="sans-serif" font-size="12">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '{body}</svg>').format(css_class=css_class, w=WIDTH, h=height, id=chart_id,
                               title=title, desc=description, body=Markup(body))


def empty(message: str) -> tuple[int, Markup]:
    """The height and body of a chart with no data: one grey line of text."""
    return 30, Markup('<text x="0" y="18" fill="#666">{}</text>').format(message)
