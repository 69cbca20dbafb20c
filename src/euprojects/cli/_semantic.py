"""The command that embeds the projects' texts for search by meaning
(docs/semantic-search.md)."""

from __future__ import annotations

import sys
from contextlib import ExitStack

import click
from click._termui_impl import ProgressBar

from ..catalog import Catalog
from ._common import echo_json, settings_of

__all__ = ["embed"]


@click.command()
@click.option("--batch", default=32, show_default=True, type=click.IntRange(1, 1024),
              help="Texts embedded at a time (each batch is kept in the store at once).")
@click.option("--limit", default=None, type=click.IntRange(1),
              help="Embed at most this many projects now (a next run goes on).")
@click.option("--index-every", default=600, show_default=True, type=click.IntRange(1),
              help="Seconds of work between two rebuilds of the vector index.")
@click.option("--rebuild-index", is_flag=True,
              help="Only rebuild the vector index from the vectors the store holds.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def embed(ctx: click.Context, batch: int, limit: int | None, index_every: int,
          rebuild_index: bool, as_json: bool) -> None:
    """Embed the projects whose text has no vector yet (resumable: stop it at any time; a
    portal serving meanwhile uses the vectors as the vector index is rebuilt)."""
    catalog = ctx.with_resource(Catalog(settings_of(ctx)))
    if rebuild_index:
        count = catalog.rebuild_vectors()
        if as_json:
            echo_json({"indexed": count})
        else:
            click.echo(f"vector index rebuilt: {count} vectors")
        return
    bars: list[ProgressBar[int]] = []  # made at the first batch, when the total is known
    with ExitStack() as stack:

        def progress(done: int, total: int) -> None:
            if as_json:
                return
            if not bars:
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="embedding", show_pos=True, show_eta=True,
                    file=sys.stderr)))
            bars[0].update(done - bars[0].pos)

        report = catalog.embed(progress, batch=batch, limit=limit, index_every=index_every)
    if as_json:
        echo_json({"embedded": report.embedded, "unchanged": report.unchanged,
                   "indexed": report.indexed, "seconds": report.seconds})
        return
    click.echo(f"{report.embedded} projects embedded, {report.unchanged} unchanged; vector "
               f"index: {report.indexed} vectors ({report.seconds} s)")
