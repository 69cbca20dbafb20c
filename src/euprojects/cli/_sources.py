"""The commands that bring data in: ``import <source>`` and ``fetch <source>``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..catalog import (
    CORDIS_FORMATS,
    CORDIS_PROGRAMMES,
    KOHESIO_COUNTRIES,
    KOHESIO_PERIODS,
    SOURCES,
    Fetched,
    ImportReport,
    download,
)
from ..errors import SearchIndexError
from ._common import catalog_of, echo_json, settings_of

__all__ = ["import_group", "fetch_group"]


@click.group(name="import")
def import_group() -> None:
    """Import official files of one source into the store (one transaction per run)."""


def _progress() -> Callable[[str, int, int | None], None] | None:
    """A progress bar on standard error when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(name: str, done: int, expected: int | None) -> None:
        if expected and (done % 25 == 0 or done == expected):
            width = 30
            filled = width * done // expected
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\r{name} [{bar}] {done}/{expected} projects", nl=False, err=True)
        elif not expected and done % 25 == 0:
            click.echo(f"\r{name}: {done} projects", nl=False, err=True)

    return show


def _print_report(report: ImportReport) -> None:
    r = report.to_dict()
    for f in report.files:
        click.echo(f"{f.file} ({f.format}): {f.rows_read} rows read, {f.rows_imported} imported, "
                   f"{f.rows_rejected} rejected, {f.rows_repaired} repaired")
        shown = [i for i in f.issues if i.action != "merged"]
        order = {"rejected": 0, "repaired": 1}
        shown.sort(key=lambda i: order.get(i.action, 2))
        for issue in shown[:20]:
            click.echo(f"  {issue}")
        if len(shown) > 20:
            click.echo(f"  ... and {len(shown) - 20} more (all of them with --json)")
        merged = sum(1 for i in f.issues if i.action == "merged")
        if merged:
            click.echo(f"  {merged} rows merged into a project that another row started "
                       "(same programme and acronym; listed with --json)")
    for kind in ("projects", "participations", "organisations"):
        c = r[kind]
        removed = f", {c['removed']} removed" if c.get("removed") else ""
        relinked = (f"; links changed the organisation of {c['relinked']} records"
                    if c.get("relinked") else "")
        click.echo(f"{kind}: {c['created']} created, {c['updated']} updated, "
                   f"{c['unchanged']} unchanged{removed}{relinked}")
    if not report.changed:
        click.echo("Nothing changed: the store already held exactly these records.")
    click.echo(f"store: import {report.import_id} committed")
    if report.index_error is None:
        click.echo(f"search index: up to date ({report.index_applied} projects applied)")
    else:
        click.echo("search index: not caught up with the store; the next command or "
                   "'euprojects index' applies what is missing")


_IMPORT_HELP = {
    "keep-eu": "Import keep-eu files (xlsx exports or API JSON).",
    "cordis": "Import the official CORDIS datasets: project XML zips or CSV zips (read without "
              "unpacking), or project.csv with organization.csv beside it.",
    "eac": "Import Erasmus+ / Creative Europe project results exports (xls or xlsx).",
    "kohesio": "Import Kohesio project exports (per-country CSV files, 2014-2020 and "
               "2021-2027); a beneficiaries*.csv or nuts*.csv beside them gives names.",
}


def _make_import_command(source: str) -> click.Command:
    @click.command(name=source, help=_IMPORT_HELP.get(source, f"Import {source} files."))
    @click.argument("files", nargs=-1, required=True,
                    type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
    @click.pass_context
    def command(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
        catalog = catalog_of(ctx)
        report = catalog.import_files(source, list(files), progress=_progress())
        if sys.stderr.isatty():
            click.echo("", err=True)
        if as_json:
            echo_json(report.to_dict())
        else:
            _print_report(report)
        _index_failed(report)

    return command


def _index_failed(report: ImportReport) -> None:
    """An import whose store part committed but whose index update failed ends in error."""
    if report.index_error is not None:
        raise SearchIndexError(f"the store committed import {report.import_id}, but the "
                               f"search index did not catch up: {report.index_error}")


for _source in SOURCES:
    import_group.add_command(_make_import_command(_source))


# -- fetch: download the official files, then import them -------------------------------------


@click.group(name="fetch")
def fetch_group() -> None:
    """Download the official files (resumable, skipped when unchanged), then import them."""


def _fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--json", "as_json", is_flag=True,
                           help="Print the downloads and the import report as JSON.")(command)
    command = click.option("--quiet", "-q", is_flag=True,
                           help="No progress bar (there is none either off a terminal).")(command)
    return click.option("--no-import", is_flag=True, help="Only download.")(command)


def _download_progress(quiet: bool) -> Callable[[str, int, int | None], None] | None:
    """A click progress bar per file on standard error when it is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    bars: dict[str, Any] = {}

    def show(name: str, done: int, expected: int | None) -> None:
        if not expected:
            click.echo(f"\r{name}: {done // 1_000_000} MB", nl=False, err=True)
            return
        if name not in bars:
            bars[name] = click.progressbar(length=expected, label=name, file=sys.stderr)
        bar = bars[name]
        bar.update(done - bar.pos)
        if done >= expected:
            bar.render_finish()

    return show


def _print_fetched(fetched: Fetched, quiet: bool, as_json: bool) -> None:
    downloads, report = fetched.downloads, fetched.report
    if report is not None and sys.stderr.isatty() and not quiet:
        click.echo("", err=True)
    if as_json:
        echo_json({"downloads": [d.to_dict() for d in downloads],
                    "import": report.to_dict() if report else None})
        return
    for d in downloads:
        if d.status == "missing":
            click.echo(f"{d.path}: missing (HTTP 404 Not Found at {d.url}), not imported")
            continue
        what = "unchanged, not downloaded again" if d.status == "unchanged" else d.status
        click.echo(f"{d.path}: {what} ({d.size} bytes, sha256 {d.sha256}) from {d.url}")
    if report is not None:
        _print_report(report)
        _index_failed(report)


def _fetch(ctx: click.Context, source: str, no_import: bool, quiet: bool, as_json: bool,
           **options: Any) -> None:
    if no_import:  # no store opened
        fetched = Fetched(download(settings_of(ctx), source, progress=_download_progress(quiet),
                                   **options), None)
    else:
        fetched = catalog_of(ctx).fetch(source, download_progress=_download_progress(quiet),
                                      import_progress=None if quiet else _progress(), **options)
    _print_fetched(fetched, quiet, as_json)


@fetch_group.command(name="cordis")
@click.option("--programme", "programmes", multiple=True,
              type=click.Choice(list(CORDIS_PROGRAMMES)),
              help="horizon (the default), h2020 or fp7; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(CORDIS_FORMATS), default="xml",
              show_default=True, help="The XML zip (one file per project) or the CSV zip.")
@_fetch_options
@click.pass_context
def fetch_cordis(ctx: click.Context, programmes: tuple[str, ...], fmt: str, no_import: bool,
                 quiet: bool, as_json: bool) -> None:
    """Download the CORDIS project zips (cordis.europa.eu/data), then import them."""
    _fetch(ctx, "cordis", no_import, quiet, as_json, programmes=programmes or ("horizon",),
           fmt=fmt)


@fetch_group.command(name="keep-eu")
@_fetch_options
@click.pass_context
def fetch_keep(ctx: click.Context, no_import: bool, quiet: bool, as_json: bool) -> None:
    """Save the keep.eu Open Data API answer (key: EUPROJECTS_KEEP_API_KEY), then import it."""
    _fetch(ctx, "keep-eu", no_import, quiet, as_json)


@fetch_group.command(name="kohesio")
@click.option("--period", "periods", multiple=True, type=click.Choice(list(KOHESIO_PERIODS)),
              help="2014-2020 or 2021-2027 (default: both); repeat for several.")
@click.option("--country", "countries", multiple=True, metavar="CC",
              help="A two-letter country code (default: the 27 member states); repeat for "
                   "several.")
@_fetch_options
@click.pass_context
def fetch_kohesio(ctx: click.Context, periods: tuple[str, ...], countries: tuple[str, ...],
                  no_import: bool, quiet: bool, as_json: bool) -> None:
    """Download Kohesio's latest CSV exports (one per country and period, with the
    beneficiaries and NUTS exports), then import them."""
    _fetch(ctx, "kohesio", no_import, quiet, as_json,
           periods=periods or tuple(KOHESIO_PERIODS), countries=countries or KOHESIO_COUNTRIES)
