"""Command line of the mail outbox: ``ckan mail-outbox flush|list|retry``."""
from __future__ import annotations

from typing import Optional

import click

from ckanext.suite import mail

__all__ = ["mail_outbox"]


@click.group(name="mail-outbox", short_help="Send, list and retry the suite's queued mails.")
def mail_outbox() -> None:
    """The mails of opendata_governance, reuse_tracker and territorial_consolidation wait
    in their outbox until sent; cron runs ``flush`` every few minutes."""


@mail_outbox.command()
@click.option("--retry-now", is_flag=True,
              help="Also try the mails waiting for their next attempt (after an outage).")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many per outbox.")
def flush(retry_now: bool, limit: Optional[int]) -> None:
    """Send the mails that are due; a failure is retried later, up to the attempt limit."""
    result = mail.flush(retry_now=retry_now, limit=limit)
    click.echo("sent: {sent}, still pending: {pending}, failed for good: {failed}".format(
        **result))


@mail_outbox.command(name="list")
@click.option("--state", type=click.Choice(mail.STATES), help="Only mails in this state.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_(state: Optional[str], limit: int) -> None:
    """Count the mails by state and list the latest ones (failed first to look at)."""
    counts = mail.counts()
    click.echo(", ".join(f"{name}: {counts.get(name, 0)}" for name in mail.STATES))
    for row in mail.messages(state, limit):
        click.echo("{created:%Y-%m-%d %H:%M} {state:<8} {attempts:>2} {id} {owner} "
                   "{recipient_email} | {subject}{error}".format(
                       **row, error=f" | {row['last_error']}" if row["last_error"] else ""))


@mail_outbox.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every failed mail.")
def retry(ids: tuple[str, ...], all_: bool) -> None:
    """Queue failed mails again (by id, or --all) with a fresh count of attempts."""
    if not ids and not all_:
        raise click.UsageError("Give mail ids, or --all.")
    changed = mail.retry(None if all_ else list(ids))
    click.echo(f"{changed} mail(s) queued again; `ckan mail-outbox flush` sends them.")
