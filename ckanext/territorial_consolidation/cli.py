"""Command line of territorial consolidation: ``ckan territorial-consolidation``."""
from __future__ import annotations

import click

from ckanext.suite.mail_cli import mail_outbox  # the outbox every mailing plugin shares
from ckanext.suite.registry import add_commands
from ckanext.territorial_consolidation import demo, territories
from ckanext.territorial_consolidation.consolidation import cli as consolidation_cli

__all__ = ["get_commands", "territorial_consolidation"]


@click.group(name="territorial-consolidation", short_help="Territories, harvests, consolidations.")
def territorial_consolidation() -> None:
    """Territories, partner-portal harvests and consolidations."""


add_commands(territorial_consolidation, territories, consolidation_cli, demo)


def get_commands() -> list[click.Command]:
    return [territorial_consolidation, mail_outbox]
