"""Command line of territorial consolidation: ``ckan territorial-consolidation``."""
from __future__ import annotations

import importlib

import click
from ckanext.suite.mail_cli import mail_outbox  # the outbox every mailing plugin shares

__all__ = ["territorial_consolidation", "mail_outbox"]


@click.group(name="territorial-consolidation", short_help="Territories, harvests, consolidations.")
def territorial_consolidation() -> None:
    """Territories, partner-portal harvests and consolidations."""


# Each feature module may expose ``COMMANDS``, a list of click commands to add here.
for _name in ("ckanext.territorial_consolidation.territories",
              "ckanext.territorial_consolidation.consolidation_cli",
              "ckanext.territorial_consolidation.demo"):
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as error:
        if not error.name or not _name.startswith(error.name):  # the module itself is absent
            raise
        continue
    for _command in getattr(_module, "COMMANDS", []):
        territorial_consolidation.add_command(_command)
