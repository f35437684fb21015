"""Command line of the governance plugin: ``ckan opendata-governance`` and ``ckan opendata-demo``."""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Optional, Sequence

import datetime as dt

import click

import ckan.plugins.toolkit as tk

from ckanext.opendata_governance import checks, demo, licence_migration, reminders
from ckanext.suite import licences as licences_register
from ckanext.suite.mail_cli import mail_outbox  # the outbox every mailing plugin shares

__all__ = ["opendata_governance", "opendata_demo", "mail_outbox"]


@click.group(name="opendata-governance", short_help="Dataset governance tasks.")
def opendata_governance() -> None:
    """Dataset governance: update cadence reminders, automated checks."""


@opendata_governance.command()
@click.option("--dry-run", is_flag=True,
              help="List the reminders that would be sent; send and record nothing.")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Plan as if today were this day (YYYY-MM-DD).")
def remind(dry_run: bool, date_: Optional[dt.datetime]) -> None:
    """Mail today's update reminders; meant to run once a day from cron.

    Owner services hear before and on the due date, the organization's
    admins after the escalation delay. A reminder is sent once per
    dataset, due date and step; its mails go through the outbox, which retries
    them while the mail server is down (`ckan mail-outbox flush`).
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


@opendata_governance.command()
@click.argument("dataset", required=False)
@click.option("--all", "all_", is_flag=True, help="Check every dataset of the portal.")
@click.option("--sync", is_flag=True,
              help="Run heavy checks now, even on big files, instead of in a background job.")
def check(dataset: Optional[str], all_: bool, sync: bool) -> None:
    """Run the automated checks of DATASET (id or name), or of every dataset with --all,
    store their results and print a summary."""
    if bool(dataset) == all_:
        tk.error_shout("Give a dataset, or --all.")
        raise click.exceptions.Exit(2)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    names = [dataset] if dataset else _all_datasets(site_user)
    rows = []
    with click.progressbar(names, label="Checks", item_show_func=lambda name: name) as bar:
        for name in bar:
            context: Any = {"user": site_user, "opendata_governance_cli": True}
            try:
                outcome = tk.get_action("governance_check_run")(
                    context, {"id": name, **({"sync": True} if sync else {})})
            except tk.ObjectNotFound:
                rows.append((name, None))
                continue
            rows.append((name, outcome))
    _print_check_summary(rows)
    if any(outcome is None for _name, outcome in rows):
        raise click.exceptions.Exit(1)


def _all_datasets(site_user: str) -> list[str]:
    names: list[str] = []
    while True:
        page = tk.get_action("package_search")(
            {"user": site_user, "ignore_auth": True},
            {"q": "*:*", "include_private": True, "rows": 500, "start": len(names),
             "fl": "name", "sort": "name asc"})["results"]
        names.extend(item["name"] for item in page)
        if len(page) < 500:
            return names


def _print_check_summary(rows: list[tuple[str, Optional[dict[str, Any]]]]) -> None:
    line = "{:<40} {:>6} {:>6} {:>6} {:>7} {:>7}  {}"
    click.echo(line.format("dataset", "passed", "failed", "error", "not_run", "pending",
                           "blocking"))
    for name, outcome in rows:
        if outcome is None:
            click.echo("{:<40} not found".format(name))
            continue
        results = outcome["results"]
        count = {status: len([r for r in results if r["status"] == status])
                 for status in ("passed", "failed", "error", checks.NOT_RUN)}
        blocking = sorted({r["check_id"] for r in checks.blocking_failures(results)})
        click.echo(line.format(name[:40], count["passed"], count["failed"], count["error"],
                               count[checks.NOT_RUN], len(outcome["pending"]),
                               ", ".join(blocking) or "-"))


@opendata_governance.command("datastore-token")
def datastore_token() -> None:
    """Print a new API token of the site user (created if missing), for
    ckanext.xloader.api_token: the jobs worker downloads uploads and reports its loads
    with it."""
    context = {"ignore_auth": True}
    site_user = tk.get_action("get_site_user")(context, {})
    token = tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"user": site_user["name"], "name": "xloader"})["token"]
    click.echo(token)


@opendata_governance.command()
@click.argument("resource")
@click.option("--pages", help="PDF pages to read, e.g. 3-7 or 1,4-6 (all by default).")
@click.option("--sheets", help="Sheets to read, separated by commas (all by default).")
@click.option("--tables", help="Numbers of the tables to extract, from 0, separated by "
                               "commas (the first by default).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="Write the CSV to this file ('-' for standard output) instead of "
                   "adding a resource to the dataset.")
@click.option("--target", help="Id of an earlier extraction of RESOURCE to replace (its "
                               "choices are kept for those not given), instead of adding "
                               "a new resource.")
@click.option("--list", "list_", is_flag=True, help="List the tables found and stop.")
def extract(resource: str, pages: Optional[str], sheets: Optional[str],
            tables: Optional[str], out: Optional[str], target: Optional[str],
            list_: bool) -> None:
    """Extract the tables of a PDF, XLSX, XLS or ODS RESOURCE (id) into CSV: a file with
    --out, else a CSV resource of its dataset (which the checks and the gate then see)."""
    if list_ or out:
        _extract_to_file(resource, pages, sheets, tables, out, list_)
    else:
        _extract_to_resource(resource, {"pages": pages, "sheets": sheets, "target": target,
                                        "tables": tables or (None if target else "0")})


def _extract_to_resource(resource: str, choices: dict[str, Optional[str]]) -> None:
    from ckanext.opendata_governance.extract import jobs

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    with _ExtractBar() as progress:
        # Batch work: read here, whatever the size, with the bar.
        context = {"user": site_user, "ignore_auth": True, jobs.IN_JOB: True,
                   jobs.PROGRESS: progress}
        try:
            made = tk.get_action("resource_table_extract")(
                context, {"id": resource, **{k: v for k, v in choices.items() if v}})
        except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized) as error:
            tk.error_shout(getattr(error, "error_dict", None) or error)
            raise click.exceptions.Exit(1)
    click.echo("Resource {} {} in dataset {}.".format(
        made["id"], "updated" if choices.get("target") else "created", made["package_id"]))


def _extract_to_file(resource: str, pages: Optional[str], sheets: Optional[str],
                     tables: Optional[str], out: Optional[str], list_: bool) -> None:
    from ckanext.opendata_governance.extract import ExtractLimits, csvout
    from ckanext.opendata_governance.extract import pipeline
    from ckanext.opendata_governance.extract import resource as source
    from ckanext.suite.file_limits import FileError

    try:
        found = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource})
        limits = ExtractLimits()
        with source.local_file(found, limits.max_bytes) as path, \
                _ExtractBar() as progress:
            args = (path, source.format_of(found))
            kwargs: dict[str, Any] = {
                "limits": limits, "progress": progress,
                "sheets": [s.strip() for s in sheets.split(",")] if sheets else None,
                "pages": pipeline.parse_pages(pages) if pages else None}
            if list_:
                for table in pipeline.preview_path(*args, **kwargs):
                    click.echo("{index}\t{location}\t{row_count} rows\tconfidence "
                               "{confidence}\t{columns}".format(
                                   columns=" | ".join(table["header"]), **table))
                return
            choose = [int(n) for n in (tables or "0").split(",")]
            table = pipeline.extract_path(*args, choose=choose, **kwargs)
        with click.open_file(out, "w", encoding="utf-8") as stream:
            count = csvout.write_csv(table, stream)
    except tk.ObjectNotFound:
        tk.error_shout("Resource not found: {}".format(resource))
        raise click.exceptions.Exit(1)
    except (FileError, source.SourceError) as error:
        tk.error_shout(error.translated(tk._) if isinstance(error, FileError) else error)
        raise click.exceptions.Exit(1)
    except ValueError:
        tk.error_shout("--tables takes numbers separated by commas.")
        raise click.exceptions.Exit(2)
    if out != "-":
        click.echo("{} rows of {} written to {}.".format(count, table.location, out))


class _ExtractBar:
    """A progress bar over the pages (or sheets) read, opened once their number is known."""

    def __enter__(self) -> Any:
        self.bar: Any = None
        self.shown = 0

        def progress(done: int, total: int) -> None:
            if not total:
                return  # sheets: their number is unknown until the end, and they are few
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="Pages",
                                             file=click.get_text_stream("stderr"))
                self.bar.__enter__()
            self.bar.update(done - self.shown)
            self.shown = done

        return progress

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@opendata_governance.group()
def licences() -> None:
    """The portal's licence register (ckanext/suite/data/licences.json)."""


def _mapping(ctx: click.Context, param: click.Parameter, values: Sequence[str]
             ) -> dict[str, str]:
    pairs = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"expected OLD=NEW, got {value!r}")
        pairs[old] = new
    return pairs


@licences.command()
@click.option("--dry-run", is_flag=True,
              help="List the datasets that would change; change nothing.")
@click.option("--map", "extra", multiple=True, callback=_mapping, metavar="OLD=NEW",
              help="Also move licence id OLD to the register's id NEW (repeatable).")
def migrate(dry_run: bool, extra: dict[str, str]) -> None:
    """Give datasets whose licence id is an alias (lov2, fr-lo, other-at, cc-by...) the
    register's id; datasets with an unrecognised id are listed and left as they are."""
    unknown_targets = sorted(set(extra.values()) - set(licences_register.ids()))
    if unknown_targets:
        tk.error_shout("Not in the licence register: {}".format(", ".join(unknown_targets)))
        raise click.exceptions.Exit(2)
    report = (licence_migration.plan if dry_run else licence_migration.migrate)(extra)
    for change in report.movable:
        outcome = "would move" if dry_run else ("FAILED" if change.error else "moved")
        click.echo("{:<40} {:<14} -> {:<14} {}".format(change.name, change.old, change.new,
                                                     outcome))
        if change.error:
            tk.error_shout("{}: {}".format(change.name, change.error))
    for change in report.unknown:
        click.echo("{:<40} {:<14} not recognised, left as is (use --map)".format(
            change.name, change.old))
    moved = len(report.movable) - len(report.failed)
    if dry_run:
        click.echo("Dry run: {} dataset(s) would move, {} not recognised.".format(
            len(report.movable), len(report.unknown)))
    else:
        click.echo("{} dataset(s) moved, {} failed, {} not recognised.".format(
            moved, len(report.failed), len(report.unknown)))
    if report.failed:
        raise click.exceptions.Exit(1)


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
