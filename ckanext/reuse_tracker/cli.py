"""Command line of the reuse tracker: ``ckan reuse-tracker``."""
from __future__ import annotations

import importlib

import click
from ckanext.suite.mail_cli import mail_outbox  # the outbox every mailing plugin shares

__all__ = ["reuse_tracker", "mail_outbox"]


@click.group(name="reuse-tracker", short_help="Reuses, link health, feedback.")
def reuse_tracker() -> None:
    """Reuses and feedback: link checks, demo data."""


# Each feature module may expose ``COMMANDS``, a list of click commands to add here.
for _name in (
        "ckanext.reuse_tracker.link_health",
        "ckanext.reuse_tracker.demo",
):
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as error:
        if not error.name or not _name.startswith(error.name):  # the module itself is absent
            raise
        continue
    for _command in getattr(_module, "COMMANDS", []):
        reuse_tracker.add_command(_command)
