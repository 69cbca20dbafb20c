"""The command line: a thin click wrapper over the Catalog (the data commands in _sources,
the statistics in _stats, what they share in _common)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..catalog import (
    DEFAULT_MODE,
    FORMATS,
    MODES,
    SORTS,
    Catalog,
    ProjectFilter,
    SearchQuery,
)
from ..errors import EuProjectsError
from ..i18n import texts
from ..settings import LANGUAGES, Settings, load_settings
from ..textview import render_project
from ._common import catalog_of, echo_json, search_options, search_params, settings_of
from ._semantic import embed
from ._sources import fetch_group, import_group
from ._stats import stats

__all__ = ["main", "cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (setting 'db', env EUPROJECTS_DB).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Interface language (setting 'lang', env EUPROJECTS_LANG).")
@click.version_option(package_name="euprojects")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, lang: str | None) -> None:
    """Find EU-funded projects: import official open data, look projects up."""
    ctx.ensure_object(dict).update(db=db, lang=lang)


cli.add_command(import_group)
cli.add_command(fetch_group)
cli.add_command(stats)
cli.add_command(embed)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Counts per source and the last imports."""
    data = catalog_of(ctx).info()
    if as_json:
        echo_json(data)
        return
    click.echo(f"database: {data['database']} (schema version {data['schema_version']})")
    if not data["sources"]:
        click.echo("no project yet: run 'euprojects import keep-eu FILE'")
    for name, c in data["sources"].items():
        click.echo(f"{name}: {c['projects']} projects, {c['participations']} participations, "
                   f"{c['organisations']} organisations, last import {c['last_import']}")
    totals = data["totals"]
    click.echo(f"total: {totals['projects']} projects, {totals['participations']} participations, "
               f"{totals['organisations']} organisations")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (what /api/v1/status gives).")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """This node's state: its store, the store's newest change, its index generation and the
    last change it applied, how far behind it is (docs/deploy.md). Exits 1 when not ready.
    Reports, never catches up."""
    catalog = ctx.with_resource(Catalog(settings_of(ctx)))
    data = catalog.status()
    if as_json:
        echo_json(data)
    else:
        store, index = data["store"], data["index"]
        click.echo(f"ready: {'yes' if data['ready'] else 'no: ' + '; '.join(data['reasons'])}")
        click.echo(f"store: {store['database']}")
        if "error" in store:
            click.echo(f"  error: {store['error']}")
        else:
            lag = store["replay_lag_s"]
            kind = "replica" + (f", replay lag {lag} s" if lag is not None else "") \
                if store["replica"] else "primary"
            click.echo(f"  server read: {store['server']} ({kind})")
            click.echo(f"  newest change: {store['last_change']}")
        if index is None:
            click.echo("index: none yet")
        else:
            click.echo(f"index: generation {index['generation']}, last change applied "
                       f"{index['last_change']}, {index['projects']} projects")
        if data["changes_behind"] is not None:
            click.echo(f"behind: {data['changes_behind']} changes")
    if not data["ready"]:
        ctx.exit(1)


@cli.command()
@click.argument("project_id")
@click.option("--json", "as_json", is_flag=True, help="Print the project as JSON.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Language of the labels.")
@click.pass_context
def show(ctx: click.Context, project_id: str, as_json: bool, lang: str | None) -> None:
    """Print one project with every field, in French, English or German."""
    catalog = catalog_of(ctx)
    view = catalog.project(project_id)
    if as_json:
        echo_json(view.to_dict())
    else:
        click.echo(render_project(view, texts(lang or catalog.settings.lang)))


@cli.command(name="list")
@click.option("--source", help="Only this source (keep, cordis...).")
@click.option("--programme", help="Programme name contains this text.")
@click.option("--period", help="Programming period, e.g. 2014-2020.")
@click.option("--country", help="A participant's country (ISO code, e.g. SE).")
@click.option("--started-from", type=click.DateTime(["%Y-%m-%d"]), help="Start date on or after.")
@click.option("--started-until", type=click.DateTime(["%Y-%m-%d"]), help="Start date on or before.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many projects.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON Lines, one project a line.")
@click.pass_context
def list_command(ctx: click.Context, source: str | None, programme: str | None,
                 period: str | None, country: str | None, started_from: datetime | None,
                 started_until: datetime | None, limit: int, as_json: bool) -> None:
    """List projects, newest start first, with simple filters."""
    catalog = catalog_of(ctx)
    filters = ProjectFilter(
        source=source, programme=programme, period=period,
        country=country.upper() if country else None,
        started_from=started_from.date() if started_from else None,
        started_until=started_until.date() if started_until else None,
        limit=limit,
    )
    total = catalog.count_projects(filters)
    for p in catalog.list_projects(filters):
        if as_json:
            click.echo(json.dumps(p.to_dict(), ensure_ascii=False))
        else:
            start = p.start_date.isoformat() if p.start_date else "?"
            click.echo(f"{p.id}\t{start}\t{p.acronym or ''}\t{p.title.text[:70]}")
    if not as_json:
        click.echo(f"({min(limit, total)} of {total} projects)", err=True)


@cli.command()
@click.option("--rebuild", is_flag=True,
              help="Build a new index from the store and switch to it, even if one exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the store's and index's state.")
@click.pass_context
def index(ctx: click.Context, rebuild: bool, as_json: bool) -> None:
    """Bring the search index up to the store (it is derived: always rebuildable): apply the
    changes it lacks, rebuild it when missing or damaged or when its count differs."""
    catalog = ctx.with_resource(Catalog(settings_of(ctx)))  # not _catalog: no catching up first
    if rebuild:
        count = catalog.reindex()
        message = f"index rebuilt: {count} projects"
    else:
        state = catalog.check_index()
        if state.mismatch:
            message = (f"index rebuilt: its project count differed from the store's "
                       f"({state.applied} projects)")
        elif state.rebuilt:
            message = f"index rebuilt: {state.applied} projects"
        elif state.applied:
            message = f"index caught up: {state.applied} changed projects applied"
        else:
            message = "index up to date"
    status = catalog.index_status()
    if as_json:
        echo_json({"message": message, **status})
        return
    click.echo(f"{message}; store {status['store']['projects']} projects (change "
               f"{status['store']['last_change']}), index {status['index']['projects']} "
               f"projects (change {status['index']['last_change']})")


@cli.command()
@click.argument("query", required=False, default="")
@search_options
@click.option("--sort", help=f"One of {', '.join(SORTS)}; prefix '-' for descending.")
@click.option("--size", default=None, help="Results per page, 1 to 100 (default 10).")
@click.option("--cursor", default=None, help="The next_cursor of a previous page.")
@click.option("--no-typos", is_flag=True, help="No typo tolerance (typos=0).")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help=f"Read the words by words, by meaning or both (default {DEFAULT_MODE}).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.pass_context
def search(ctx: click.Context, /, query: str, sort: str | None, size: str | None,
           cursor: str | None, no_typos: bool, mode: str | None, as_json: bool,
           **facets: Any) -> None:
    """Search projects: words, "phrases", -exclusions, OR, prefix*; facets and ranges."""
    params = search_params(query, facets, sort=sort, size=size, cursor=cursor,
                           typos="0" if no_typos else None, mode=mode)
    catalog = catalog_of(ctx)
    result = catalog.search(SearchQuery.from_params(params))
    if as_json:
        echo_json(result.to_dict())
        return
    for item in result.items:
        p = item.project
        start = p.start_date.isoformat() if p.start_date else "?"
        click.echo(f"{p.id}\t{start}\t{p.acronym or ''}\t{p.title.text[:70]}")
    shown = f"{len(result.items)} of {result.total} projects"
    more = f"; next page: --cursor {result.next_cursor}" if result.next_cursor else ""
    click.echo(f"({shown}{more})", err=True)


@cli.command()
@click.argument("query", required=False, default="")
@search_options
@click.option("--sort", help=f"One of {', '.join(SORTS)}; prefix '-' for descending.")
@click.option("--no-typos", is_flag=True, help="No typo tolerance (typos=0).")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help=f"Read the words by words, by meaning or both (default {DEFAULT_MODE}).")
@click.option("--format", "fmt", type=click.Choice([n for n, f in FORMATS.items() if f.whole]),
              default="csv", show_default=True, help="File format.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark (Excel).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output; required for xlsx).")
@click.pass_context
def export(ctx: click.Context, /, query: str, sort: str | None, no_typos: bool,
           mode: str | None, fmt: str, bom: bool, output: Path | None, **facets: Any) -> None:
    """Export every project a search matches (no cap) as CSV, JSON Lines or XLSX."""
    params = search_params(query, facets, sort=sort, typos="0" if no_typos else None,
                           mode=mode)
    search_query = SearchQuery.from_params(params)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE")
    export = catalog_of(ctx).export(search_query, fmt, bom=bom)
    if output is None:
        for chunk in export:
            click.echo(chunk, nl=False)
        return
    if export.format.binary:
        with output.open("wb") as f:
            for chunk in export:
                f.write(chunk)
    else:
        newline = "" if fmt == "csv" else None  # the csv writer ends its rows itself
        with output.open("w", encoding="utf-8", newline=newline) as f:
            for chunk in export:
                f.write(chunk)
    click.echo(f"{export.rows} projects written to {output}", err=True)


@cli.command(name="eval")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mode", "modes", type=click.Choice(MODES), multiple=True,
              help="How the words are read; repeat to compare (default: the search's).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def eval_command(ctx: click.Context, file: Path, modes: tuple[str, ...], as_json: bool) -> None:
    """nDCG@10 and recall@10 of the search over judged queries (JSON Lines), by query
    language and by mode."""
    catalog = catalog_of(ctx)
    reports = {mode: catalog.evaluate(file, mode=mode) for mode in modes or (DEFAULT_MODE,)}
    if as_json:
        echo_json({mode: r.to_dict() for mode, r in reports.items()} if modes
                  else reports[DEFAULT_MODE].to_dict())
        return
    if len(reports) == 1:
        for row in next(iter(reports.values())).per_query:
            click.echo(f"{row['ndcg']:.3f}  {row['recall']:.3f}  {row['query']}"
                       + (f"  {row['params']}" if row["params"] else ""))
    click.echo("language  queries  " + "  ".join(f"{m:>18}" for m in reports))
    first = next(iter(reports.values()))
    for lang, (n, _nd, _rc) in first.by_language().items():
        cells = []
        for report in reports.values():
            _n, nd, rc = report.by_language()[lang]
            cells.append(f"{nd:.3f} / {rc:.3f}".rjust(18))
        click.echo(f"{lang or '-':<8}  {n:>7}  " + "  ".join(cells))
    click.echo(f"{'all':<8}  {len(first.per_query):>7}  " + "  ".join(
        f"{r.ndcg:.3f} / {r.recall:.3f}".rjust(18) for r in reports.values())
        + "   (nDCG@10 / recall@10)")


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@cli.command()
@click.option("--pairs", "pairs", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Measure the linking rules on judged pairs (JSON Lines) instead of listing.")
@click.option("--cross-source", is_flag=True,
              help="Only organisations whose records come from more than one source.")
@click.option("--limit", type=int, default=None, help="List at most this many organisations.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def organisations(ctx: click.Context, pairs: Path | None, cross_source: bool, limit: int | None,
                  as_json: bool) -> None:
    """List the organisations linked from several source records, for review, or measure the
    linking rules' precision and recall on judged pairs (--pairs)."""
    catalog = catalog_of(ctx)
    if pairs is not None:
        report = catalog.evaluate_organisation_pairs(pairs).to_dict()
        if as_json:
            echo_json(report)
            return
        for wrong in report["wrong_links"]:
            click.echo(f"wrong link ({wrong['rule']}): {wrong['a']!r} = {wrong['b']!r}")
        for missed in report["missed"]:
            click.echo(f"missed: {missed['a']!r} = {missed['b']!r}")
        click.echo(f"{report['judged']} judged pairs ({report['same']} same, "
                   f"{report['different']} different; {report['unsure']} unsure, not counted): "
                   f"precision {_ratio(report['precision'])}, recall {_ratio(report['recall'])}")
        for kind, row in report["recall_by_kind"].items():
            click.echo(f"  {kind}: recall {_ratio(row['recall'])} ({row['found']}/{row['same']})")
        return
    merges = [m for m in catalog.organisation_merges()
              if not cross_source or len({s for r in m for s in r.sources}) > 1]
    if limit is not None:
        merges = merges[:limit]
    if as_json:
        echo_json([[r.to_dict() for r in records] for records in merges])
        return
    for records in merges:
        head = records[0]
        click.echo(f"{head.cluster}  {head.organisation.name} "
                   f"({head.organisation.country or '?'}, {head.organisation.city or '?'})")
        for r in records:
            how = "; ".join(f"{rule} with {other}: {detail}" for other, rule, detail in r.links)
            click.echo(f"    {r.organisation.id}  {','.join(r.sources) or '-'}  "
                       f"{r.projects} projects  {r.organisation.name!r}  [{how}]")
    click.echo(f"{len(merges)} organisations linked from several records")


def _settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as EUPROJECTS_* variables, for server worker processes to read back."""
    out = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if value is not None:
            out[f"EUPROJECTS_{f.name.upper()}"] = str(value)
    return out


@cli.command()
@click.option("--host", default=None, help="Address to listen on (setting 'host').")
@click.option("--port", default=None, help="TCP port (setting 'port').")
@click.option("--workers", default=None,
              help="Server processes (setting 'workers'; 0: one per core, at most 8).")
@click.option("--keep-alive", "keep_alive_timeout", default=None,
              help="Seconds an idle connection stays open (setting 'keep_alive_timeout').")
@click.option("--header-timeout", default=None,
              help="Seconds a client has to send a request's headers (setting "
                   "'header_timeout').")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: str | None, workers: str | None,
          keep_alive_timeout: str | None, header_timeout: str | None) -> None:
    """Serve the portal and the JSON API (uvicorn). Checks the store first (a damaged one
    is refused) and brings the search index up to it."""
    import uvicorn  # only this command needs the server

    obj = ctx.ensure_object(dict)
    settings = load_settings({"db": obj.get("db"), "lang": obj.get("lang"), "host": host,
                              "port": port, "workers": workers,
                              "keep_alive_timeout": keep_alive_timeout,
                              "header_timeout": header_timeout})
    with Catalog(settings) as catalog:
        if settings.follow_seconds > 0:
            # a node of several (docs/deploy.md): it serves at once, not ready until its
            # index is of its store, which each worker's follower builds and keeps up
            click.echo("checking the store; the index follows it while serving ...", err=True)
            catalog.check_store()
        else:
            click.echo("checking the store, and the search index against it ...", err=True)
            catalog.check()
        projects = catalog.count_projects()
    os.environ.update(_settings_environment(settings))

    click.echo(f"euprojects portal: {projects} projects, {settings.worker_count} worker "
               f"processes. Open {settings.public_url}/ in a browser (Ctrl+C stops it).")
    # By name, so that every worker process builds its own app (and catalog) from the settings,
    # and speaks HTTP through uvicorn's h11 protocol with a header timeout (web/_server.py).
    uvicorn.run("euprojects.web:create_app_from_env", factory=True, host=settings.host,
                port=settings.port, workers=settings.worker_count, log_level="warning",
                access_log=False, http="euprojects.web._server:HeaderTimeoutProtocol",
                timeout_keep_alive=settings.keep_alive_timeout)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="euprojects", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except EuProjectsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # a file the command writes or reads outside the store
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
