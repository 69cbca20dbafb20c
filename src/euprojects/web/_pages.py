"""The HTML pages under /{lang}/: home, search, project, organisation, the API page. Each is a
thin call of one Catalog method, rendered; each links its JSON twin."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..catalog import FACETS, PARAMETERS, RANGES, Catalog, SearchQuery, SearchResult
from ..errors import BusyError, QueryError
from ..i18n import texts
from ..settings import LANGUAGES
from ..textview import pick_text
from ..views import FacetValue, OrganisationView
from ._api import client_of, costly_search, similar_or_none
from ._charts import bar_chart, column_chart
from ._openapi import openapi_document
from ._params import (
    PAGE_OFFSET_LIMIT,
    Params,
    blank_free,
    cursor_at,
    cursor_offset,
    page_numbers,
    pick_language,
    search_params,
    toggle,
    with_params,
    without_filters,
)
from ._render import render, twin

__all__ = ["root", "language_root", "home", "search", "project", "organisation", "api_page",
           "page_language", "chips_of", "PAGE_CACHE"]

PAGE_CACHE = {"Cache-Control": "public, max-age=60"}
FACET_SHOWN = 10  # values shown before "more"
RANGE_FIELDS = (
    ("start_date", "date"),
    ("end_date", "date"),
    ("eu_contribution", "number"),
    ("cofinancing_rate", "number"),
)


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog  # Starlette's app state is untyped
    return catalog


def page_language(request: Request) -> str:
    lang: str = request.path_params.get("lang", "")
    if lang not in LANGUAGES:
        raise HTTPException(404)
    return lang


def root(request: Request) -> Response:
    """``/``: to the language the browser prefers."""
    lang = pick_language(request.headers.get("accept-language"),
                         _catalog(request).settings.lang)
    return RedirectResponse(f"/{lang}/", status_code=302, headers={"Vary": "Accept-Language"})


def language_root(request: Request) -> Response:
    """``/fr``: to ``/fr/`` (a relative address: never built from the Host header)."""
    lang = page_language(request)
    return RedirectResponse(f"/{lang}/", status_code=301)


def home(request: Request) -> Response:
    lang = page_language(request)
    info = _catalog(request).info()
    return render(request, lang, "home.html", {"info": info},
                  json_twin="/api/v1/sources", headers=PAGE_CACHE)


def facet_blocks(facets: Mapping[str, Sequence[FacetValue]], names: Iterable[str],
                 params: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The filter boxes of a search page (the facet_boxes macro): each facet of ``names``
    with values, its first values and the rest ("more"), a ticked value always shown."""
    blocks = []
    for name in names:
        values = facets.get(name)
        if not values:
            continue
        shown = [v for i, v in enumerate(values) if i < FACET_SHOWN or v.selected]
        more = [v for i, v in enumerate(values) if i >= FACET_SHOWN and not v.selected]
        blocks.append({
            "name": name,
            "shown": shown,
            "more": more,
            "selected": any(v.selected for v in values),
            "links": {v.value: toggle(params, name, v.value) for v in values},
        })
    return blocks


def _page(given: Params, query: SearchQuery) -> SearchQuery:
    """The query at its ``page`` (the HTML page's own parameter, read before any cursor):
    page n starts after (n - 1) * size results, up to where the cursors end."""
    raw = given.get("page", [None])[0]
    if raw is None:
        return query
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        raise QueryError(f"parameter 'page': {raw!r} is not a page number (1, 2, 3...)", "page")
    offset = (int(raw) - 1) * query.size
    if offset > PAGE_OFFSET_LIMIT:
        raise QueryError(f"parameter 'page': pages end after {PAGE_OFFSET_LIMIT} results; the "
                         "exports give every match", "page")
    return dataclasses.replace(query, cursor=cursor_at(offset) if offset else None)


def _pager(params: Params, query: SearchQuery, result: SearchResult) -> dict[str, Any]:
    """Numbered pages over the cursors: where this page starts, the pages to link (each a
    ``page`` parameter, page 1 none) and the range of results shown."""
    size = query.size
    offset = cursor_offset(query.cursor)
    current = offset // size + 1
    last = min(-(-result.total // size), PAGE_OFFSET_LIMIT // size + 1)
    plain = {k: v for k, v in params.items() if k != "cursor"}

    def link(number: int) -> Params:
        return dict(plain, page=[str(number)]) if number > 1 else plain

    return {
        "current": current,
        "pages": [(n, link(n) if n else None) for n in page_numbers(current, last)]
        if last > 1 else [],
        "prev": link(min(current - 1, max(last, 1))) if current > 1 else None,
        "next": link(current + 1) if current < last else None,
        "first": offset + 1,
        "last": offset + len(result.items),
        "first_page": plain,
    }


def chips_of(params: Params, query: SearchQuery) -> list[dict[str, Any]]:
    """The active filters (the words too), each with the parameters without it."""
    chips: list[dict[str, Any]] = []
    if "q" in params:
        chips.append({"kind": "q", "value": query.q, "params": with_params(params, q=None)})
    for name, facet in FACETS.items():
        for value in params.get(name, []):
            chips.append({"kind": "facet", "name": name,
                          "value": value.upper() if facet.upper else value,
                          "params": toggle(params, name, value)})
    for name, kind in RANGES.items():
        low, high = query.ranges.get(name, (None, None))
        for end, bound in (("min", low), ("max", high)):
            if bound is not None:
                chips.append({"kind": end, "name": name, "range": kind, "value": bound,
                              "params": with_params(params, **{f"{name}_{end}": None})})
    return chips


_TERM = re.compile(r'-?"[^"]*"?|\S+')
_MOST_TERMS = 6  # a longer text gets no "without this word" searches (one count each)


def _alternatives(request: Request, query: SearchQuery, params: Params,
                  spelt: str | None) -> list[dict[str, Any]]:
    """For a search that finds nothing, searches near it that do (each counted once), the
    nearest first: the index's spelling of its words (``spelt``), typos allowed again, the
    phrases as words, the text without one of its words (most matches first), then any of
    its words. The filters stay (their chips and "search without filters" remove them)."""
    terms = _TERM.findall(query.q)
    words = [t for t in terms if t != "OR"]
    texts: list[tuple[int, str]] = [(-1, spelt)] if spelt else []
    if any('"' in t for t in words):
        texts.append((1, " ".join(t.replace('"', "") for t in terms)))
    if len(words) >= 2 and "OR" not in terms and len(words) <= _MOST_TERMS:
        texts.extend((2, " ".join(words[:i] + words[i + 1:])) for i in range(len(words)))
        wanted = [w for w in words if not w.startswith("-")]
        if len(wanted) >= 2:
            texts.append((3, " OR ".join(wanted)))
    variants = [(0, with_params(params, typos=None))] if not query.typos else []
    variants += [(rank, with_params(params, q=text)) for rank, text in texts
                 if text.strip() and text != query.q]
    queries = []
    for rank, variant in variants:
        try:
            queries.append((rank, variant, SearchQuery.from_params(variant)))
        except QueryError:
            continue
    catalog = _catalog(request)
    try:
        if any(q.costly for _, _, q in queries):
            with request.app.state.budget.slot(client_of(request)):
                counted = [(r, v, q, catalog.count_matches(q)) for r, v, q in queries]
        else:
            counted = [(r, v, q, catalog.count_matches(q)) for r, v, q in queries]
    except BusyError:  # no alternatives rather than no page
        return []
    found = sorted((c for c in counted if c[3]), key=lambda c: (c[0], -c[3]))
    out: list[dict[str, Any]] = []
    for rank, variant, q, count in found:
        if all(o["q"] != q.q or rank == 0 for o in out):
            out.append({"params": variant, "q": q.q, "typos_on": rank == 0, "count": count})
    return out[:4]


def search(request: Request) -> Response:
    lang = page_language(request)
    clean = blank_free(request)
    if clean is not None:  # a GET form's empty fields: the same search at its clean address
        return RedirectResponse(f"/{lang}/projects{clean}", status_code=301)
    given = search_params(request)
    # parameters a search does not take (utm_source, fbclid...) are ignored here, so that a
    # shared link works; the API refuses them (docs/search.md)
    params = {k: v for k, v in given.items() if k in PARAMETERS}
    query = SearchQuery.from_params(params)
    if "page" in given:
        query = _page(given, query)
        params.pop("cursor", None)
    result = costly_search(request, query)
    has_filters = any(k not in {"q", "sort", "size", "cursor", "typos", "mode"} for k in params)
    chips = chips_of(params, query)
    context = {
        "params": params,
        "q": params.get("q", [""])[0],
        "result": result,
        "facets": facet_blocks(result.facets, FACETS, params),
        "ranges": RANGE_FIELDS,
        "sort": params.get("sort", [""])[0],
        "mode": query.mode,
        "has_filters": has_filters,
        "pager": _pager(params, query, result),
        "chips": chips,
        "clear_params": {k: v for k, v in params.items()
                         if k in {"sort", "size", "typos", "mode"}},
        "alternatives": _alternatives(request, query, params, result.did_you_mean)
        if result.total == 0 and chips else [],
        "spelt_params": with_params(params, q=result.did_you_mean)
        if result.did_you_mean else None,
        "unfiltered_params": without_filters(params),
        "export_params": {k: v for k, v in params.items() if k not in {"cursor", "size"}},
        "stats_params": {k: v for k, v in params.items()
                         if k not in {"cursor", "size", "sort", "page", "mode"}},
    }
    at = with_params(params, cursor=query.cursor)  # the JSON of this page, numbered or not
    return render(request, lang, "search.html", context,
                  json_twin=twin("/api/v1/projects", at), headers=PAGE_CACHE)


def project(request: Request) -> Response:
    lang = page_language(request)
    catalog = _catalog(request)
    project_id = request.path_params["project_id"]
    view = catalog.project(project_id)
    p = view.project
    if p.id != project_id:  # another source's record of a project shown as one
        return RedirectResponse(f"/{lang}/projects/{quote(p.id, safe=':')}", status_code=301)
    texts = [
        (heading, pick_text(values, lang))
        for heading, values in (
            ("Description", p.description),
            ("Expected results", p.expected_results),
            ("Achievements", p.achievements),
        )
    ]
    context = {
        "view": view,
        "p": p,
        "texts": [(h, chosen) for h, chosen in texts if chosen is not None],
        "related": catalog.related_projects(project_id, 10),
        "similar": similar_or_none(catalog, project_id),
    }
    return render(request, lang, "project.html", context,
                  json_twin=f"/api/v1/projects/{project_id}", headers=PAGE_CACHE)


def organisation(request: Request) -> Response:
    lang = page_language(request)
    organisation_id = request.path_params["organisation_id"]
    view = _catalog(request).organisation_view(organisation_id)
    if view.organisation.id != organisation_id:  # a record linked into a larger organisation
        return RedirectResponse(f"/{lang}/organisations/{quote(view.organisation.id, safe=':')}",
                                status_code=301)
    context = {"view": view, "o": view.organisation, "charts": _organisation_charts(lang, view)}
    return render(request, lang, "organisation.html", context,
                  json_twin=f"/api/v1/organisations/{organisation_id}", headers=PAGE_CACHE)


def _organisation_charts(lang: str, view: OrganisationView) -> dict[str, Markup]:
    """An organisation's small charts: the EU amounts it received per start year of its
    projects and per source, and its co-partners by country (each shown with its table)."""
    t = texts(lang)
    euros = t.euros
    charts: dict[str, Markup] = {}
    by_year = view.received_by_year
    if by_year:
        charts["year"] = column_chart(
            id="chart-org-year", title=t.gettext("EU amount received per start year"),
            values={int(y): v for y, v in by_year.items()}, formatter=t.euros_short,
            x_label=t.gettext("Start year"), y_label=t.gettext("EU amount (EUR)"),
            empty=t.gettext("No amount to show."))
    by_source = view.received_by_source
    if by_source:
        charts["source"] = bar_chart(
            id="chart-org-source", title=t.gettext("EU amount received per source"),
            rows=[(t.source(s), v, None) for s, v in by_source.items()], formatter=euros,
            axis_label=t.gettext("EU amount (EUR)"), empty=t.gettext("No amount to show."))
    if view.co_partner_countries:
        charts["countries"] = bar_chart(
            id="chart-org-countries", title=t.gettext("Co-partners by country"),
            rows=[(t.country(c), n, None) for c, n, _ in view.co_partner_countries],
            formatter=t.number, axis_label=t.gettext("Co-partner organisations"),
            empty=t.gettext("No co-partner."), max_rows=10)
    return charts


def api_page(request: Request) -> Response:
    lang = page_language(request)
    return render(request, lang, "api.html", {"doc": openapi_document()},
                  json_twin="/api/v1/openapi.json", headers=PAGE_CACHE)
