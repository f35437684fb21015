"""The ``search-index rebuild-fast`` command of this backend (``rebuild.py``)."""
from __future__ import annotations

from typing import Any, Callable, Optional

import click

from . import backend, rebuild

__all__ = ["rebuild_fast", "replace_core_command"]

#: Core's own command, for a portal that unloaded this backend (back on Solr).
_core_rebuild_fast: Optional[Callable[[], Any]] = None


def replace_core_command(group: click.Group) -> None:
    """Put ``rebuild_fast`` in the place of core's command in its ``search-index`` group."""
    global _core_rebuild_fast
    current = group.commands.get("rebuild-fast")
    if current is rebuild_fast:
        return
    _core_rebuild_fast = current.callback if current is not None else None
    group.add_command(rebuild_fast, "rebuild-fast")


@click.command("rebuild-fast", short_help="Reindex with one process per core; resumable")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Processes indexing in parallel (default: one per core).")
@click.option("--batch", type=click.IntRange(min=1), default=rebuild.BATCH, show_default=True,
              help="Datasets indexed and committed together.")
@click.option("--restart", is_flag=True,
              help="Forget an interrupted run and index every dataset again.")
@click.option("--one-by-one", is_flag=True,
              help="Show each dataset through package_show, as core does (slower); by "
                   "default a batch's datasets are read together when no plugin replaces "
                   "package_show.")
def rebuild_fast(processes: Optional[int], batch: int, restart: bool, one_by_one: bool) -> None:
    """Index every dataset, in batches committed as they go. After an interruption the
    same command goes on with the datasets the interrupted run had not indexed yet."""
    if not backend.is_active() and _core_rebuild_fast is not None:
        _core_rebuild_fast()
        return
    work = rebuild.plan(restart=restart)
    if work.resumed:
        click.echo(f"Resuming the run started {work.started:%Y-%m-%d %H:%M:%S %Z}: "
                   f"{len(work.ids)} dataset(s) left.")
    with click.progressbar(length=len(work.ids), label="Indexing datasets",
                           show_pos=True, show_eta=True) as bar:
        outcome = rebuild.run(work, processes=processes, batch=batch, progress=bar.update,
                              one_by_one=one_by_one)
    click.echo(f"{outcome.indexed} dataset(s) indexed in {outcome.seconds:.1f} s "
               f"({outcome.rate:.0f}/s).")
    if outcome.failed:
        click.echo(f"{len(outcome.failed)} dataset(s) could not be indexed; run the command "
                   "again to retry them:", err=True)
        for package_id, reason in outcome.failed[:10]:
            click.echo(f"  {package_id}: {reason}", err=True)
        if len(outcome.failed) > 10:
            click.echo(f"  ... and {len(outcome.failed) - 10} more (see the log)", err=True)
        raise click.exceptions.Exit(1)
