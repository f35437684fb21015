"""Command line of the reuse tracker: ``ckan reuse-tracker``."""
from __future__ import annotations

import click

from ckanext.reuse_tracker import demo, link_health
from ckanext.suite.mail_cli import mail_outbox  # the outbox every mailing plugin shares
from ckanext.suite.registry import add_commands

__all__ = ["get_commands", "reuse_tracker"]


@click.group(name="reuse-tracker", short_help="Reuses, link health, feedback.")
def reuse_tracker() -> None:
    """Reuses and feedback: link checks, demo data."""


add_commands(reuse_tracker, link_health, demo)


def get_commands() -> list[click.Command]:
    return [reuse_tracker, mail_outbox]
