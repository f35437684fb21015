"""Command line of the DCAT catalogue: ``ckan suite-dcat``."""
from __future__ import annotations

import click

from ckanext.suite_dcat import page_cache, page_search

__all__ = ["suite_dcat"]


@click.group(name="suite-dcat", short_help="The DCAT catalogue's fragment cache.")
def suite_dcat() -> None:
    """The DCAT catalogue (/catalog.ttl)."""


@suite_dcat.command(short_help="Write the catalogue's missing fragments; keep the others.")
def warm() -> None:
    """Walk the Turtle catalogue page by page as an anonymous visitor would: write the
    fragments Redis does not hold and keep the others another
    ``ckanext.suite_dcat.page_cache_seconds``, so that those who walk the catalogue
    (partner and national harvesters) find its pages warm. Daily, from cron."""
    if not page_cache.applies({"format": "ttl"}):
        raise click.ClickException(
            "The fragment cache is off (ckanext.suite_dcat.page_cache_seconds = 0, or "
            "sub-catalogues exposed): nothing to warm.")
    first = page_cache.warm(1)
    pages = max(1, -(-first.count // page_search.per_page()))
    written, kept = first.written, first.kept
    with click.progressbar(length=pages, label="Warming the catalogue pages",
                           show_pos=True, show_eta=True) as bar:
        bar.update(1)
        for page in range(2, pages + 1):
            done = page_cache.warm(page)
            written, kept = written + done.written, kept + done.kept
            bar.update(1)
    click.echo(f"{pages} page(s), {first.count} dataset(s): {written} fragment(s) written, "
               f"{kept} kept.")
