"""The organisation search: the page ``/{lang}/organisations`` and its JSON twin
``/api/v1/organisations``, which read the same parameters (``q``, a parameter per facet of
ORG_FACETS, ``sort``, ``page``, ``size``) and the same view (views.OrganisationSearch); and
the partner finder, ``/{lang}/partners`` and ``/api/v1/partners``, which read a project
search's parameters (views.PartnerSearch). docs/organisation-search.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from ..catalog import (
    ORG_FACETS,
    ORG_FORMATS,
    Catalog,
    OrganisationQuery,
    OrganisationSearch,
    SearchQuery,
)
from ..errors import QueryError
from ..i18n import texts
from ._api import API_CACHE
from ._pages import PAGE_CACHE, facet_blocks, page_language
from ._params import Params, blank_free, search_params, with_params
from ._render import render, twin

__all__ = ["organisations_page", "organisations_api", "partners_page", "partners_api",
           "ORG_SORT_LABELS", "PARTNERS_MAX", "ORGANISATION_EXPORTS"]


def _(message: str) -> str:
    """Marks a text for extraction; translated where it is shown."""
    return message


ORG_SORT_LABELS = {
    "projects": _("Most projects"),
    "received": _("Largest amount received"),
    "latest": _("Latest project"),
}
_PAGE_LINKS = 2  # pages linked on each side of the current one
PARTNERS_MAX = 50  # organisations the partner finder gives at most


def _search(request: Request, params: Params) -> OrganisationSearch:
    catalog: Catalog = request.app.state.catalog
    return catalog.search_organisations(OrganisationQuery.from_params(params))


def organisations_api(request: Request) -> Response:
    found = _search(request, search_params(request))
    return JSONResponse(found.to_dict(), headers=API_CACHE)


def _pager(params: Params, found: OrganisationSearch) -> dict[str, Any]:
    current, last = found.query.page, found.pages
    pages = [n for n in range(current - _PAGE_LINKS, current + _PAGE_LINKS + 1) if 1 <= n <= last]
    return {
        "current": current,
        "last": last,
        "pages": [(n, with_params(params, page=str(n) if n > 1 else None)) for n in pages],
        "first": (current - 1) * found.query.size + 1,
        "shown_last": (current - 1) * found.query.size + len(found.items),
    }


def organisations_page(request: Request) -> Response:
    lang = page_language(request)
    clean = blank_free(request)
    if clean is not None:  # a GET form's empty fields: the same search at its clean address
        return RedirectResponse(f"/{lang}/organisations{clean}", status_code=301)
    params = {k: v for k, v in search_params(request).items() if k != "lang"}
    found = _search(request, params)
    context = {
        "params": params,
        "q": params.get("q", [""])[0],
        "found": found,
        "facets": facet_blocks(found.facets, ORG_FACETS, params),
        "sort": params.get("sort", [""])[0],
        "pager": _pager(params, found),
        "has_filters": any(name in params for name in ORG_FACETS),
        "unfiltered_params": {k: v for k, v in params.items() if k in {"q", "sort", "size"}},
        "export_params": {k: v for k, v in params.items() if k not in {"page", "size"}},
        "ORG_SORT_LABELS": ORG_SORT_LABELS,
    }
    return render(request, lang, "organisations.html", context,
                  json_twin=twin("/api/v1/organisations", params), headers=PAGE_CACHE)


def _partner_query(request: Request) -> tuple[Params, SearchQuery]:
    """The partner finder's parameters: a project search's words and filters (``country``:
    the organisations' countries as well), and ``size``."""
    params = {k: v for k, v in search_params(request).items() if k != "lang"}
    own = {k: v for k, v in params.items() if k not in {"size", "sort", "cursor"}}
    return params, SearchQuery.from_params(own)


def _partner_size(params: Params) -> int:
    raw = params.get("size", ["10"])[-1]
    if not raw.isdigit() or not 1 <= int(raw) <= PARTNERS_MAX:
        raise QueryError(f"size: a whole number from 1 to {PARTNERS_MAX}", "size")
    return int(raw)


def partners_api(request: Request) -> Response:
    params, query = _partner_query(request)
    if not query.q.strip():
        raise QueryError("q: the partner finder needs words", "q")
    catalog: Catalog = request.app.state.catalog
    found = catalog.find_partners(query, _partner_size(params))
    return JSONResponse(found.to_dict(), headers=API_CACHE)


def partners_page(request: Request) -> Response:
    lang = page_language(request)
    clean = blank_free(request)
    if clean is not None:
        return RedirectResponse(f"/{lang}/partners{clean}", status_code=301)
    params, query = _partner_query(request)
    catalog: Catalog = request.app.state.catalog
    found = catalog.find_partners(query, _partner_size(params)) if query.q.strip() else None
    countries = catalog.search_organisations(OrganisationQuery(size=1)).facets.get("country", ())
    context = {
        "params": params,
        "q": params.get("q", [""])[0],
        "found": found,
        "chosen": set(params.get("country", [])),
        "countries": sorted((v.value for v in countries), key=texts(lang).country),
    }
    return render(request, lang, "partners.html", context,
                  json_twin=twin("/api/v1/partners", params) if found else None,
                  headers=PAGE_CACHE)


def _organisations_export(fmt: str) -> Callable[[Request], Response]:
    def export(request: Request) -> Response:
        catalog: Catalog = request.app.state.catalog
        params = search_params(request)
        query = OrganisationQuery.from_params(
            {k: v for k, v in params.items() if k not in {"page", "size"}})
        media, chunks, filename = catalog.export_organisations(query, fmt)
        return StreamingResponse(chunks, media_type=media, headers={
            **API_CACHE, "Content-Disposition": f'attachment; filename="{filename}"'})
    return export


# /api/v1/organisations.<format>: every organisation a search finds
ORGANISATION_EXPORTS = {fmt: _organisations_export(fmt) for fmt in ORG_FORMATS}
