"""The statistics of a search: the page ``/{lang}/statistics``, its JSON twin
``/api/v1/statistics`` and the CSV of each table ``/api/v1/statistics.csv?table=…``. Each takes
the search page's parameters (the words and the filters; the sort and the page change nothing)
and ``order`` (``<table>:<column>``, ``-`` for descending, once per table)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..catalog import Catalog, SearchQuery, Statistics
from ..errors import EuProjectsError, QueryError
from ..i18n import Texts, texts
from ..statistics import COLUMNS, PLACE_TABLES, TABLES, parse_order
from ._api import API_CACHE, client_of
from ._charts import bar_chart, column_chart
from ._map import ATTRIBUTION, Boundaries, choropleth
from ._pages import PAGE_CACHE, chips_of, page_language
from ._params import Params, blank_free, query_string, search_params, with_params
from ._render import FACET_TITLES, render

__all__ = ["statistics_page", "statistics_api", "statistics_csv", "COLUMN_LABELS",
           "TABLE_TITLES"]

# the parameters of the statistics besides a search's; a search's own sort and page are
# dropped (they change nothing)
_OWN = ("order", "map", "measure")
_IGNORED = ("sort", "size", "cursor", "page")
_SHOWN_ROWS = 25  # a table on the page shows its first rows; the CSV and the JSON hold all
_CHART_ROWS = 10


def _(message: str) -> str:
    """Marks a text for extraction; translated where it is shown."""
    return message


TABLE_TITLES = {
    "year": _("Start year"),
    **{name: FACET_TITLES[name] for name in TABLES if name in FACET_TITLES},
    "organisation": _("Organisations that received most"),
}
COLUMN_LABELS = {
    "key": _("Value"),
    "name": _("Organisation"),
    "country": _("Country"),
    "projects": _("Projects"),
    "projects_share": _("Share of the projects"),
    "eu": _("EU amount of these projects"),
    "eu_share": _("Share of the EU amount"),
    "total": _("Total budget of these projects"),
    "participations": _("Participations of partners there"),
    "received": _("Amount received by partners there"),
    "received_share": _("Share of the amount received"),
    "known": _("Participations with a known amount"),
}
PLACE_PROJECTS = _("Projects with a partner there")
MEASURES = {"projects": _("Projects with a partner in the region"),
            "received": _("Amount received by partners in the region")}
MAP_LEVELS = {"country": 0, "nuts1": 1, "nuts2": 2, "nuts3": 3}
# ISO 3166 codes whose NUTS code differs (the map's level 0 is NUTS)
_NUTS_COUNTRY = {"GR": "EL", "GB": "UK"}
_ISO_COUNTRY = {v: k for k, v in _NUTS_COUNTRY.items()}


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def _split(request: Request, names: tuple[str, ...] = _OWN
           ) -> tuple[Params, Params, SearchQuery]:
    """(the search's parameters, the statistics' own ``names``, the query)."""
    given = search_params(request)
    own = {k: v for k, v in given.items() if k in names}
    params = {k: v for k, v in given.items() if k not in names and k not in _IGNORED}
    return params, own, SearchQuery.from_params(params)


def _statistics(request: Request, query: SearchQuery) -> Statistics:
    """The statistics: kept ones at once; others within the costly-request budget, whatever
    the query (counting a large match reads every participation of it: docs/statistics.md)."""
    catalog = _catalog(request)
    if catalog.has_statistics(query):
        return catalog.statistics(query)
    with request.app.state.budget.slot(client_of(request)):
        return catalog.statistics(query)


def statistics_api(request: Request) -> Response:
    _params, own, query = _split(request)
    orders = parse_order(own.get("order", []))
    return JSONResponse(_statistics(request, query).to_dict(orders), headers=API_CACHE)


def statistics_csv(request: Request) -> Response:
    """One table as CSV: ``table`` names it; ``lang`` writes the headers in that language."""
    _params, own, query = _split(request, (*_OWN, "table", "lang"))
    table = own.get("table", [""])[0]
    lang = own.get("lang", [""])[0]
    if table not in TABLES:
        raise QueryError(f"parameter 'table': give one of {', '.join(TABLES)}", "table")
    if lang and lang not in ("fr", "en", "de"):
        raise QueryError("parameter 'lang': give fr, en or de", "lang")
    orders = parse_order(own.get("order", []))
    stats = _statistics(request, query)
    t = texts(lang) if lang else None
    columns = COLUMNS[table]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    labels = _labels(table)
    writer.writerow([t.gettext(labels[c]) if t else ("value" if c == "key" else c)
                     for c in columns])
    for row in stats.table(table, orders.get(table)):
        writer.writerow(["" if row.value(c) is None else str(row.value(c)) for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="statistics-{table}.csv"',
        **API_CACHE})


# -- the page ---------------------------------------------------------------------------------


def _label(t: Texts, table: str, key: str, names: Mapping[str, str]) -> str:
    """A row's value as a reader reads it: a country's name, a region's name and code."""
    if table == "country":
        return t.country(key)
    if table in PLACE_TABLES:
        name = names.get(key)
        return f"{name} ({key})" if name else key
    if table == "source":
        return t.source(key)
    return key


def _filter_link(lang: str, params: Params, table: str, key: str) -> str | None:
    """The search filtered to a row's value (a year: its start dates)."""
    if table == "organisation":
        return f"/{lang}/organisations/{key}"
    if table == "year":
        return f"/{lang}/projects" + query_string(with_params(
            params, start_date_min=f"{key}-01-01", start_date_max=f"{key}-12-31"))
    values = params.get(table, [])
    return f"/{lang}/projects" + query_string(
        {**params, table: values if key in values else [*values, key]})


def _labels(table: str) -> dict[str, str]:
    """The column headings of a table (messages): the value column is named by the table."""
    labels = {c: COLUMN_LABELS[c] for c in COLUMNS[table]}
    labels["key"] = TABLE_TITLES[table]
    if table in PLACE_TABLES:
        labels["projects"] = PLACE_PROJECTS
    return labels


def _sort_link(params: Params, own: Params, table: str, column: str,
               current: tuple[str, bool] | None) -> Params:
    """The page with ``table`` sorted by ``column``: largest first, then (clicked again)
    smallest first; the other tables keep their order."""
    descending = current != (column, True)
    kept = [o for o in own.get("order", []) if not o.startswith(f"{table}:")]
    return {**params, **{k: v for k, v in own.items() if k != "order"},
            "order": [*kept, f"{table}:{'-' if descending else ''}{column}"]}


def _boundaries(catalog: Catalog) -> Boundaries | None:
    """The map's boundaries, or None when the setting names none (the page says so)."""
    if catalog.settings.geo_dir is None:
        return None
    return Boundaries.load(catalog.settings.geo_dir)


def _map(t: Texts, lang: str, params: Params, stats: Statistics, boundaries: Boundaries,
         table: str, measure: str) -> tuple[Markup, list[str]]:
    """The choropleth of one place table and measure, and the codes it cannot draw."""
    level = MAP_LEVELS[table]
    values: dict[str, Decimal] = {}
    for row in stats.table(table):
        value = row.value(measure)
        if value:
            values[_NUTS_COUNTRY.get(row.key, row.key) if level == 0 else row.key] = \
                Decimal(value)
    fmt = t.euros if measure == "received" else t.number

    def href(code: str) -> str:
        key = _ISO_COUNTRY.get(code, code) if level == 0 else code
        return _filter_link(lang, params, table, key) or ""

    def describe(count: int, top: str | None) -> str:
        if top is None:
            return t.gettext("No region has a value.")
        return t.gettext("%(count)s regions have a value; the highest is %(top)s.") % {
            "count": t.number(count), "top": top}

    names = {code: t.country(_ISO_COUNTRY.get(code, code)) for code in
             boundaries.regions(0)} if level == 0 else None
    svg = choropleth(boundaries, level, values, title=t.gettext(MEASURES[measure]),
                     legend_title=t.gettext(MEASURES[measure]), fmt=fmt, href=href,
                     describe=describe, names=names, no_data=t.gettext("no value"),
                     map_id="map", region_label=lambda name, code, value: t.gettext(
                         "%(name)s (%(code)s): %(value)s") % {
                             "name": name, "code": code, "value": value})
    return svg, boundaries.unknown(level, values)


def statistics_page(request: Request) -> Response:
    lang = page_language(request)
    clean = blank_free(request)
    if clean is not None:
        return RedirectResponse(f"/{lang}/statistics{clean}", status_code=301)
    params, own, query = _split(request)
    orders = parse_order(own.get("order", []))
    table = own.get("map", ["country"])[0]
    measure = own.get("measure", ["projects"])[0]
    if table not in MAP_LEVELS:
        raise QueryError(f"parameter 'map': give one of {', '.join(MAP_LEVELS)}", "map")
    if measure not in MEASURES:
        raise QueryError(f"parameter 'measure': give one of {', '.join(MEASURES)}", "measure")
    stats = _statistics(request, query)
    t = texts(lang)
    catalog = _catalog(request)
    try:
        boundaries = _boundaries(catalog)
    except EuProjectsError:  # the page without its map rather than no page
        boundaries = None
    names = boundaries.names if boundaries is not None else {}
    money = t.euros
    tables = []
    for name in TABLES:
        order = orders.get(name)
        rows = stats.table(name, order)
        chart_column = "received" if name in PLACE_TABLES or name == "organisation" else "eu"
        charted = sorted(rows, key=lambda r: r.value(chart_column) or 0, reverse=True)
        chart = None
        if name != "year":
            chart = bar_chart(
                id=f"chart-{name}", title=t.gettext(TABLE_TITLES[name]),
                rows=[(_label(t, name, r.key, names) if name != "organisation"
                       else str(r.value("name")), r.value(chart_column) or Decimal(0),
                       _filter_link(lang, params, name, r.key))
                      for r in charted[:_CHART_ROWS] if r.value(chart_column)],
                formatter=money, axis_label=t.gettext(COLUMN_LABELS[chart_column]),
                empty=t.gettext("No amount to show."))
        current = order or None
        tables.append({
            "name": name, "title": TABLE_TITLES[name], "columns": COLUMNS[name],
            "labels": _labels(name),
            "rows": [(r, _label(t, name, r.key, names), _filter_link(lang, params, name, r.key))
                     for r in rows[:_SHOWN_ROWS]],
            "count": len(rows), "chart": chart,
            "sort_links": {c: _sort_link(params, own, name, c, current)
                           for c in COLUMNS[name]},
            "current": current,
        })
    years = {int(r.key): r for r in stats.table("year")}
    year_charts = [
        column_chart(id="chart-year-projects", title=t.gettext("Projects by start year"),
                     values={y: r.projects for y, r in years.items()}, formatter=t.number,
                     x_label=t.gettext("Start year"), y_label=t.gettext("Projects"),
                     empty=t.gettext("No project has a start date.")),
        column_chart(id="chart-year-eu", title=t.gettext("EU amount by start year"),
                     values={y: r.value("eu") or Decimal(0) for y, r in years.items()},
                     formatter=t.euros_short, x_label=t.gettext("Start year"),
                     y_label=t.gettext("EU amount (EUR)"),
                     empty=t.gettext("No project has a start date.")),
    ]
    map_svg, unknown = (_map(t, lang, params, stats, boundaries, table, measure)
                        if boundaries is not None else (None, []))
    context = {
        "params": params, "own": own, "stats": stats, "tables": tables,
        "year_charts": year_charts, "map_svg": map_svg, "map_table": table,
        "map_measure": measure, "map_levels": MAP_LEVELS, "measures": MEASURES,
        "unknown_regions": unknown, "attribution": ATTRIBUTION,
        "chips": chips_of(params, query),
        "column_labels": COLUMN_LABELS, "q": params.get("q", [""])[0],
        "money_of": lambda v: money(v) if v is not None else "",
        "search_link": f"/{lang}/projects" + query_string(params),
        "map_link": lambda **c: f"/{lang}/statistics" + query_string(
            with_params({**params, **own}, **c)),
    }
    return render(request, lang, "statistics.html", context,
                  json_twin=f"/api/v1/statistics{query_string(params)}", headers=PAGE_CACHE)
