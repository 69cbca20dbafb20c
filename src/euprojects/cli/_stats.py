"""``euprojects stats``: the statistics of a search (docs/statistics.md) as tables in a
terminal, or as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from ..catalog import STATISTICS_TABLES, SearchQuery
from ..i18n import texts
from ..statistics import COLUMNS
from ._common import catalog_of, echo_json, search_options, search_params

__all__ = ["stats"]

_ROWS = 10  # rows of each table in a terminal (--rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value.as_tuple().exponent == -2 else f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


_TEXT_COLUMNS = ("key", "name", "country")


def _table(columns: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    """Columns aligned: text to the left, figures to the right."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]

    def line(cells: list[str] | tuple[str, ...]) -> str:
        return "  ".join(v.ljust(w) if c in _TEXT_COLUMNS else v.rjust(w)
                         for v, w, c in zip(cells, widths, columns, strict=True)).rstrip()

    return [line(columns), *(line(row) for row in rows)]


@click.command()
@click.argument("query", required=False, default="")
@search_options
@click.option("--no-typos", is_flag=True, help="No typo tolerance (typos=0).")
@click.option("--table", "tables", multiple=True, type=click.Choice(STATISTICS_TABLES),
              help="Only this table; repeat for several (default: every table).")
@click.option("--rows", type=click.IntRange(min=1), default=_ROWS, show_default=True,
              help="Rows of each table (the JSON holds every row).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole statistics as JSON.")
@click.pass_context
def stats(ctx: click.Context, /, query: str, no_typos: bool, tables: tuple[str, ...], rows: int,
          as_json: bool, **facets: Any) -> None:
    """Statistics of a search: totals, per start year, per facet value, per place (projects
    with a partner there; amount received by partners there) and the organisations that
    received most."""
    params = search_params(query, facets, typos="0" if no_typos else None)
    result = catalog_of(ctx).statistics(SearchQuery.from_params(params))
    if as_json:
        echo_json(result.to_dict())
        return
    t = texts("en")
    totals = result.to_dict()["totals"]
    for name, value in totals.items():
        if name != "currency":
            shown = _cell(Decimal(value) if isinstance(value, str) else value)
            click.echo(f"{name.replace('_', ' ')}: {shown or '-'}")
    click.echo("(amounts in EUR)")
    for name in tables or STATISTICS_TABLES:
        table = result.table(name)
        if not table:
            continue
        columns = COLUMNS[name]
        click.echo(f"\n{name} ({len(table)} rows)")
        cells = [[t.country(r.key) if name == "country" and c == "key" else _cell(r.value(c))
                  for c in columns] for r in table[:rows]]
        for line in _table(columns, cells):
            click.echo(line)
