"""Command line of the governance plugin: ``ckan opendata-demo``."""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Optional, Sequence

import click

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import demo

__all__ = ["opendata_demo"]


@click.group(name="opendata-demo", short_help="Demo content of the open-data portal.")
def opendata_demo() -> None:
    """Demo content: Rennes Métropole, three member communes and their datasets."""


@opendata_demo.command()
def load() -> None:
    """Create the demo organizations, groups and datasets that are missing.

    Safe to run again: objects already there are kept as they are.
    """
    try:
        summary = demo.load_demo(progress=_progress_bar)
    except demo.DemoError as error:
        tk.error_shout(error)
        raise click.exceptions.Exit(1)
    except tk.ValidationError as error:
        tk.error_shout("The portal refused a demo object: {}".format(error.error_dict))
        raise click.exceptions.Exit(1)
    for line in summary.lines():
        click.echo(line)


def _progress_bar(datasets: Sequence[dict[str, Any]]
                  ) -> ContextManager[Iterable[dict[str, Any]]]:
    def current(dataset: Optional[dict[str, Any]]) -> Optional[str]:
        return dataset["name"] if dataset else None

    return click.progressbar(datasets, label="Datasets", item_show_func=current)
