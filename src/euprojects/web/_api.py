"""The JSON API under /api/v1/ (twin of the pages) and the streamed exports and feed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from ..catalog import FORMATS, Catalog, Feed, SearchQuery, SearchResult
from ..errors import QueryError, SemanticUnavailableError
from ..i18n import texts
from ..settings import LANGUAGES
from ..views import SimilarProject
from ._openapi import openapi_document
from ._params import query_string, search_params, split_params

__all__ = [
    "projects",
    "project",
    "similar",
    "similar_query",
    "similar_or_none",
    "organisation",
    "sources",
    "openapi",
    "EXPORTS",
    "API_CACHE",
    "costly_search",
    "client_of",
]

API_CACHE = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}
FEED_SIZE = 50
# An export of at most this many rows is cheap: it is not counted in the costly budget.
CHEAP_EXPORT_ROWS = 1000

T = TypeVar("T")


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog  # Starlette's app state is untyped
    return catalog


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers=API_CACHE)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def costly_search(request: Request, query: SearchQuery) -> SearchResult:
    """The search, within the costly-request budget when the query is costly."""
    catalog = _catalog(request)
    if not query.costly:
        return catalog.search(query)
    with request.app.state.budget.slot(client_of(request)):
        return catalog.search(query)


def projects(request: Request) -> Response:
    query = SearchQuery.from_params(search_params(request))
    return _json(costly_search(request, query).to_dict())


def project(request: Request) -> Response:
    catalog = _catalog(request)
    project_id = request.path_params["project_id"]
    view = catalog.project(project_id)
    if view.project.id != project_id:  # another source's record of a project shown as one
        return RedirectResponse(f"/api/v1/projects/{quote(view.project.id, safe=':')}",
                                status_code=301)
    data = view.to_dict()
    data["related_projects"] = [r.to_dict() for r in catalog.related_projects(project_id, 10)]
    similar = similar_or_none(catalog, project_id)
    data["similar_projects"] = None if similar is None else [s.to_dict() for s in similar]
    return _json(data)


def similar_or_none(catalog: Catalog, project_id: str) -> list[SimilarProject] | None:
    """The 10 projects nearest in meaning to one, for its page; None when search by meaning
    is not available (the page says nothing of it then)."""
    try:
        return catalog.similar_projects(project_id, None, 10)
    except SemanticUnavailableError:
        return None


def similar_query(request: Request) -> SearchQuery:
    """The filters (and size) a list of similar projects takes: a search's, without words."""
    query = SearchQuery.from_params(search_params(request))
    for name in ("q", "sort", "cursor", "typos", "mode"):
        if name in request.query_params:
            raise QueryError(f"parameter {name!r}: similar projects take filters and size only",
                             name)
    return query


def similar(request: Request) -> Response:
    """The projects nearest in meaning to one, in any language, that the filters keep."""
    catalog = _catalog(request)
    project_id = request.path_params["project_id"]
    query = similar_query(request)
    found = catalog.similar_projects(project_id, query, query.size)
    return _json({"meta": {"project": project_id, "count": len(found), "size": query.size,
                           "query": query.to_params()},
                  "results": [s.to_dict() for s in found]})


def organisation(request: Request) -> Response:
    return _json(_catalog(request).organisation_view(request.path_params["organisation_id"])
                 .to_dict())


def sources_data(catalog: Catalog) -> dict[str, Any]:
    info = catalog.info()
    results = [
        {"source": name, "label": texts("en").source(name), **counts}
        for name, counts in info["sources"].items()
    ]
    return {"meta": {"count": len(results), **info["totals"]}, "results": results}


def sources(request: Request) -> Response:
    return _json(sources_data(_catalog(request)))


def status(request: Request) -> Response:
    """This node's state (docs/deploy.md): 200 when ready, 503 when not, for a load balancer's
    health check; never cached."""
    data = _catalog(request).status()
    return JSONResponse(data, status_code=200 if data["ready"] else 503,
                        headers={"Cache-Control": "no-store"})


def openapi(request: Request) -> Response:
    return _json(openapi_document())


# -- exports ----------------------------------------------------------------------------------


def _releasing(items: Iterator[T], release: Callable[[], None]) -> Iterator[T]:
    """The items; ``release`` once the last one is sent or the stream is closed (the client
    went away)."""
    try:
        yield from items
    finally:
        release()


def _download(request: Request, fmt: str) -> Response:
    """``/api/v1/projects.<fmt>``: every match, streamed in one of the export formats. One of
    more than CHEAP_EXPORT_ROWS rows takes a slot of the costly budget first (or is refused
    with 429 before any work), held until its stream ends."""
    tabular = fmt in ("csv", "xlsx")
    names = (("bom",) if fmt == "csv" else ()) + (("lang", "partners") if tabular else ())
    params, own = split_params(search_params(request), *names)
    params.pop("size", None)  # an export has no pages: every match
    query = SearchQuery.from_params(params)
    bom, lang, partners = _flag(own, "bom"), own.get("lang") or None, _flag(own, "partners")
    catalog = _catalog(request)
    if catalog.count_matches(query) <= CHEAP_EXPORT_ROWS:
        export = catalog.export(query, fmt, bom=bom, lang=lang, partners=partners)
        chunks: Iterator[Any] = iter(export)
    else:
        budget, client = request.app.state.budget, client_of(request)
        budget.acquire(client)
        try:
            export = catalog.export(query, fmt, bom=bom, lang=lang, partners=partners)
        except BaseException:
            budget.release(client)
            raise
        chunks = _releasing(iter(export), lambda: budget.release(client))
    name = export.filename or export.format.filename
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-cache",
        "Access-Control-Allow-Origin": "*",
    }
    return StreamingResponse(chunks, media_type=export.format.media_type, headers=headers)


def _flag(own: dict[str, str], name: str) -> bool:
    value = own.get(name, "0")
    if value not in {"0", "1"}:
        raise QueryError(f"parameter {name!r}: give 0 or 1", name)
    return value == "1"


def _exporter(fmt: str) -> Callable[[Request], Response]:
    def export(request: Request) -> Response:
        return _download(request, fmt)

    return export


def export_atom(request: Request) -> Response:
    """The newest matches (by start date unless a sort is given) as an Atom feed."""
    params, own = split_params(search_params(request), "lang")
    lang = own.get("lang", _catalog(request).settings.lang)
    if lang not in LANGUAGES:
        raise QueryError(f"parameter 'lang': {lang!r} is not one of {', '.join(LANGUAGES)}",
                         "lang")
    query = SearchQuery.from_params(params)
    if query.sort is None:
        query = dataclasses.replace(query, sort="-start_date")
    if "size" not in params:
        query = dataclasses.replace(query, size=FEED_SIZE)
    catalog = _catalog(request)
    base = catalog.settings.public_url  # never the request's Host header
    page_params = {k: v for k, v in params.items() if k != "size"}
    title = texts(lang).gettext("euprojects: newest projects")
    if query.q:
        title = f"{title}: {query.q}"
    feed = Feed(
        title=title,
        feed_url=f"{base}{request.url.path}{query_string(search_params(request))}",
        page_url=f"{base}/{lang}/projects{query_string(page_params)}",
        link_of=lambda p: f"{base}/{lang}/projects/{p.id}",
        updated=datetime.now(UTC),
    )
    export = catalog.export(query, "atom", feed=feed)
    return Response("".join(export), media_type=export.format.media_type, headers=API_CACHE)


# /api/v1/projects.<format>: one handler per format of the one table (exports.FORMATS)
EXPORTS: dict[str, Callable[[Request], Response]] = {
    name: _exporter(name) if form.whole else export_atom for name, form in FORMATS.items()
}
