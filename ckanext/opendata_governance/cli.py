"""Command line of the governance plugin: ``ckan opendata-governance`` and ``ckan opendata-demo``."""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Optional, Sequence

import datetime as dt

import click

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import demo, reminders

__all__ = ["opendata_governance", "opendata_demo"]


@click.group(name="opendata-governance", short_help="Dataset governance tasks.")
def opendata_governance() -> None:
    """Dataset governance: update cadence reminders."""


@opendata_governance.command()
@click.option("--dry-run", is_flag=True,
              help="List the reminders that would be sent; send and record nothing.")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Plan as if today were this day (YYYY-MM-DD).")
def remind(dry_run: bool, date_: Optional[dt.datetime]) -> None:
    """Mail today's update reminders; meant to run once a day from cron.

    Owner services hear before and on the due date, the organization's
    admins after the escalation delay. A reminder is sent once per
    dataset, due date and step; a failed mail is tried again next run.
    """
    report = reminders.run(today=date_.date() if date_ else None, dry_run=dry_run)
    if report.outcomes:
        click.echo("{:<40} {:<10} {:<10} {}".format("dataset", "step", "due", "recipients"))
    for outcome in report.outcomes:
        reminder = outcome.reminder
        click.echo("{:<40} {:<10} {:<10} {}".format(
            reminder.dataset_name, reminder.step, reminder.due.isoformat(),
            ", ".join(email for _name, email in outcome.recipients) or "-"))
        if outcome.error:
            tk.error_shout("{}: {}".format(reminder.dataset_name, outcome.error))
    if dry_run:
        click.echo("Dry run: {} reminder(s) would be sent, {} dataset(s) would be re-indexed.".format(
            len([o for o in report.outcomes if o.recipients]), len(report.reindexed)))
    else:
        click.echo("{} reminder(s) sent, {} failed, {} dataset(s) re-indexed.".format(
            len(report.sent), len(report.failed), len(report.reindexed)))


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
