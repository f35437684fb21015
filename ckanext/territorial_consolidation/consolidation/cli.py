"""``ckan territorial-consolidation run ID``, ``run-due`` and ``consolidation-demo``."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import click

__all__ = ["COMMANDS", "run", "run_due", "consolidation_demo"]

_PERIODS = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7),
            "monthly": dt.timedelta(days=30)}


def _echo_run(result: dict[str, Any]) -> None:
    report = result.get("report") or {}
    click.echo(f"{result['state']}: {report.get('sources_found', 0)} sources "
               f"({report.get('sources_valid', 0)} valid, {report.get('sources_partial', 0)} "
               f"partially valid, {report.get('sources_invalid', 0)} invalid, "
               f"{report.get('sources_unreachable', 0)} unreachable), "
               f"{report.get('rows_in', 0)} rows read, {report.get('rows_out', 0)} published, "
               f"{report.get('rows_rejected', 0)} rejected, "
               f"{report.get('duplicates', 0)} duplicates")
    if result.get("error"):
        click.echo(f"error: {result['error']}", err=True)


def _execute(consolidation_id: str, quiet: bool = False) -> dict[str, Any]:
    from ckanext.territorial_consolidation.consolidation import run as runner

    if quiet:
        return runner.execute(consolidation_id)
    bar: Optional[Any] = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label="Sources", file=None)
            bar.__enter__()
        bar.update(1)

    try:
        return runner.execute(consolidation_id, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@click.command(name="run", short_help="Run a consolidation now.")
@click.argument("consolidation_id")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(consolidation_id: str, quiet: bool) -> None:
    """Run the consolidation CONSOLIDATION_ID (id or name) now, with a progress bar."""
    import ckan.plugins.toolkit as tk
    from ckanext.territorial_consolidation.model.consolidation import Consolidation

    consolidation = Consolidation.get(consolidation_id)
    if consolidation is None:
        raise click.ClickException(tk._("Consolidation not found"))
    result = _execute(consolidation.id, quiet)
    _echo_run(result)
    if result["state"] == "failed":
        raise SystemExit(1)


@click.command(name="run-due", short_help="Run the consolidations whose schedule is due.")
def run_due() -> None:
    """Run every consolidation whose schedule (daily, weekly, monthly) is due; for cron."""
    from ckan import model
    from ckanext.territorial_consolidation.model.consolidation import (
        Consolidation, ConsolidationRun)

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for consolidation in model.Session.query(Consolidation).filter(
            Consolidation.schedule.in_(list(_PERIODS))).order_by(Consolidation.name):
        last = (model.Session.query(ConsolidationRun.created)
                .filter(ConsolidationRun.consolidation_id == consolidation.id)
                .order_by(ConsolidationRun.created.desc()).limit(1).scalar())
        if last is not None and now - last < _PERIODS[consolidation.schedule]:
            continue
        click.echo(consolidation.name)
        _echo_run(_execute(consolidation.id, quiet=True))


@click.command(name="consolidation-demo",
               short_help="Set up and run the demo consolidation of SCDL subventions.")
def consolidation_demo() -> None:
    """Publish the demo communes' subventions files and consolidate them over Rennes Métropole.

    Needs the demo organizations (``ckan opendata-demo load``); safe to run again.
    """
    from ckanext.territorial_consolidation.consolidation.demo import load_consolidation_demo

    result = load_consolidation_demo()
    click.echo(f"sources: {', '.join(result['sources']) or '-'}")
    if result["run"]:
        _echo_run(result["run"])


COMMANDS = [run, run_due, consolidation_demo]
