"""The HTML pages under /{lang}/: home, search, project, organisation, the API page. Each is a
thin call of one Catalog method, rendered; each links its JSON twin."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..catalog import FACETS, PARAMETERS, Catalog, SearchQuery, SearchResult
from ..settings import LANGUAGES
from ..textview import pick_text
from ._api import costly_search
from ._openapi import openapi_document
from ._params import pick_language, search_params, toggle, with_params, without_filters
from ._render import render, twin

__all__ = ["root", "language_root", "home", "search", "project", "organisation", "api_page",
           "page_language"]

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


def _facet_blocks(result: SearchResult,
                  params: dict[str, list[str]]) -> list[dict[str, Any]]:
    blocks = []
    for name in FACETS:
        values = result.facets.get(name)
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


def search(request: Request) -> Response:
    lang = page_language(request)
    # parameters a search does not take (utm_source, fbclid...) are ignored here, so that a
    # shared link works; the API refuses them (docs/search.md)
    params = {k: v for k, v in search_params(request).items() if k in PARAMETERS}
    query = SearchQuery.from_params(params)
    result = costly_search(request, query)
    has_filters = any(k not in {"q", "sort", "size", "cursor", "typos"} for k in params)
    context = {
        "params": params,
        "q": params.get("q", [""])[0],
        "result": result,
        "facets": _facet_blocks(result, params),
        "ranges": RANGE_FIELDS,
        "sort": params.get("sort", [""])[0],
        "has_filters": has_filters,
        "next_params": with_params(params, cursor=result.next_cursor)
        if result.next_cursor else None,
        "first_params": with_params(params) if "cursor" in params else None,
        "unfiltered_params": without_filters(params),
        "export_params": {k: v for k, v in params.items() if k not in {"cursor", "size"}},
    }
    return render(request, lang, "search.html", context,
                  json_twin=twin("/api/v1/projects", params), headers=PAGE_CACHE)


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
    return render(request, lang, "organisation.html", {"view": view, "o": view.organisation},
                  json_twin=f"/api/v1/organisations/{organisation_id}", headers=PAGE_CACHE)


def api_page(request: Request) -> Response:
    lang = page_language(request)
    return render(request, lang, "api.html", {"doc": openapi_document()},
                  json_twin="/api/v1/openapi.json", headers=PAGE_CACHE)
