"""The Starlette application: routes, security headers, and errors rendered in the page's
language (HTML) or as ``{ok: false, error, status}`` (API)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..catalog import Catalog
from ..errors import EuProjectsError, QueryError
from ..settings import LANGUAGES, load_settings
from . import _api, _orgs, _pages, _stats
from ._budget import Budget
from ._errors import error_body, error_headers, status_of
from ._params import pick_language, search_params
from ._render import STATIC_DIR, render

__all__ = ["create_app", "create_app_from_env", "SECURITY_HEADERS"]

log = logging.getLogger("euprojects.web")

# No inline script or style, nothing from another origin: every asset is served from here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    # no page of the portal uses any of these; other windows get no handle on its pages
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                          "interest-cohort=(), browsing-topics=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware (streams pass through untouched): adds SECURITY_HEADERS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _error_language(request: Request) -> str:
    first = request.url.path.strip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    catalog: Catalog = request.app.state.catalog
    return pick_language(request.headers.get("accept-language"), catalog.settings.lang)


def _handle(request: Request, exc: Exception) -> Response:
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
    headers = error_headers(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(exc, status), status_code=status, headers=headers)
    context: dict[str, Any] = {
        "status": status,
        "bad_query": isinstance(exc, QueryError),
        "detail": str(exc) if isinstance(exc, EuProjectsError) and status < 500 else "",
        "parameter": getattr(exc, "parameter", None),
        "params": search_params(request) if isinstance(exc, QueryError) else {},
    }
    return render(request, _error_language(request), "error.html", context,
                  status_code=status, headers=headers)


def _routes() -> list[BaseRoute]:
    return [
        Route("/", _pages.root),
        Route("/api/v1/projects", _api.projects),
        *(Route(f"/api/v1/projects.{name}", handler) for name, handler in _api.EXPORTS.items()),
        Route("/api/v1/projects/{project_id}/similar", _api.similar),
        Route("/api/v1/projects/{project_id}", _api.project),
        Route("/api/v1/organisations", _orgs.organisations_api),
        *(Route(f"/api/v1/organisations.{name}", handler)
          for name, handler in _orgs.ORGANISATION_EXPORTS.items()),
        Route("/api/v1/partners", _orgs.partners_api),
        Route("/api/v1/organisations/{organisation_id}", _api.organisation),
        Route("/api/v1/sources", _api.sources),
        Route("/api/v1/status", _api.status),
        Route("/api/v1/statistics", _stats.statistics_api),
        Route("/api/v1/statistics.csv", _stats.statistics_csv),
        Route("/api/v1/openapi.json", _api.openapi),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/{lang}", _pages.language_root),
        Route("/{lang}/", _pages.home),
        Route("/{lang}/projects", _pages.search),
        Route("/{lang}/statistics", _stats.statistics_page),
        Route("/{lang}/projects/{project_id}", _pages.project),
        Route("/{lang}/organisations", _orgs.organisations_page),
        Route("/{lang}/partners", _orgs.partners_page),
        Route("/{lang}/organisations/{organisation_id}", _pages.organisation),
        Route("/{lang}/api", _pages.api_page),
    ]


def create_app(catalog: Catalog, *, close_catalog: bool = False) -> Starlette:
    """The portal over one catalog; the catalog is closed at shutdown if ``close_catalog``
    (otherwise the caller keeps it open and closes it)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # a node that follows the store applies its changes on a thread of its own
        stop = threading.Event()
        follower = None
        if catalog.settings.follow_seconds > 0:
            follower = threading.Thread(target=catalog.follow, name="follow", daemon=True,
                                        args=(stop, catalog.settings.follow_seconds))
            follower.start()
        try:
            yield
        finally:
            stop.set()
            if follower is not None:
                follower.join(timeout=5)
            if close_catalog:
                catalog.close()

    app = Starlette(
        routes=_routes(),
        exception_handlers={HTTPException: _handle, EuProjectsError: _handle,
                            Exception: _handle},
        lifespan=lifespan,
    )
    # no redirect to the address with(out) a trailing slash: Starlette writes it absolute, from
    # the request's Host header (a cache would keep a forged one)
    app.router.redirect_slashes = False
    app.state.catalog = catalog
    app.state.budget = Budget(catalog.settings.costly_requests,
                              catalog.settings.costly_per_client)
    app.add_middleware(SecurityHeaders)
    return app


def create_app_from_env() -> Starlette:
    """For ``uvicorn --factory`` (and each worker of ``euprojects serve``): settings from the
    ``EUPROJECTS_*`` environment."""
    return create_app(Catalog(load_settings()), close_catalog=True)
