"""The organisation search: the page ``/{lang}/organisations`` and its JSON twin
``/api/v1/organisations`` (docs/organisations.md, "Finding organisations"). Both read the
same parameters (``q``, a parameter per facet of ORG_FACETS, ``sort``, ``page``, ``size``)
and the same view (views.OrganisationSearch)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..catalog import ORG_FACETS, Catalog, OrganisationQuery, OrganisationSearch
from ._api import API_CACHE
from ._pages import PAGE_CACHE, facet_blocks, page_language
from ._params import Params, blank_free, search_params, with_params
from ._render import render, twin

__all__ = ["organisations_page", "organisations_api", "ORG_SORT_LABELS"]


def _(message: str) -> str:
    """Marks a text for extraction; translated where it is shown."""
    return message


ORG_SORT_LABELS = {
    "projects": _("Most projects"),
    "received": _("Largest amount received"),
    "latest": _("Latest project"),
}
_PAGE_LINKS = 2  # pages linked on each side of the current one


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
        "ORG_SORT_LABELS": ORG_SORT_LABELS,
    }
    return render(request, lang, "organisations.html", context,
                  json_twin=twin("/api/v1/organisations", params), headers=PAGE_CACHE)
