"""The OpenAPI 3.1 document of the JSON API, written by hand; the search parameters come from
the search's own tables, so a new facet or range shows here by itself."""

from __future__ import annotations

from functools import cache
from typing import Any

from .. import __version__
from ..catalog import (
    DEFAULT_MODE,
    FACETS,
    MAX_SIZE,
    MODES,
    ORG_FACETS,
    ORG_FORMATS,
    ORG_SORTS,
    RANGES,
    SORTS,
    STATISTICS_TABLES,
)

__all__ = ["openapi_document", "SEARCH_PARAMETERS"]


def _(message: str) -> str:
    """Marks a text for extraction: the API page shows it translated."""
    return message


def _param(name: str, description: str, schema: dict[str, Any], *, many: bool = False,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    out: dict[str, Any] = {"name": name, "in": where, "description": description,
                           "schema": schema, "required": required}
    if many:
        out.update(style="form", explode=True)
    return out


def _search_parameters() -> list[dict[str, Any]]:
    out = [_param("q", _("Query text: words, \"phrases\", -exclusions, OR, prefix*"),
                  {"type": "string", "maxLength": 1000})]
    out += [_param(name, _("Facet value; repeat the parameter for OR inside the facet"),
                   {"type": "string"}, many=True) for name in FACETS]
    for name, kind in RANGES.items():
        schema = {"type": "string", "format": "date"} if kind == "date" else {"type": "number"}
        out.append(_param(f"{name}_min", _("Lower bound, included"), schema))
        out.append(_param(f"{name}_max", _("Upper bound, included"), schema))
    sorts = [s for key in SORTS for s in ((key,) if key == "relevance" else (key, "-" + key))]
    out += [
        _param("sort", _("Sort key; '-' in front for descending"),
               {"type": "string", "enum": sorts}),
        _param("size", _("Results per page"),
               {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": 10}),
        _param("cursor", _("The next_cursor of the previous page"), {"type": "string"}),
        _param("typos", _("0 turns typo tolerance off"), {"type": "string", "enum": ["0", "1"]}),
        _param("mode", _("How the words are read: by words (lexical), by meaning in any "
                         "language (semantic), or both, their rankings fused (hybrid)"),
               {"type": "string", "enum": list(MODES), "default": DEFAULT_MODE}),
    ]
    return out


SEARCH_PARAMETERS = _search_parameters()
_EXPORT_PARAMETERS = [p for p in SEARCH_PARAMETERS if p["name"] not in {"size", "cursor"}]

_STATS_PARAMETERS = [
    *[p for p in SEARCH_PARAMETERS if p["name"] not in {"size", "cursor", "sort", "mode"}],
    _param("order", _("A table's order: <table>:<column>, '-' in front of the column for "
                      "descending; repeat for other tables"), {"type": "string"}, many=True),
]

_ORG_PARAMETERS = [
    _param("q", _("Words of a name, an acronym or another name of the organisation"),
           {"type": "string", "maxLength": 1000}),
    *[_param(name, _("Facet value; repeat the parameter for OR inside the facet"),
             {"type": "string"}, many=True) for name in ORG_FACETS],
    _param("sort", _("Sort key (default: relevance with words, else the most projects)"),
           {"type": "string", "enum": list(ORG_SORTS)}),
    _param("page", _("Page number"), {"type": "integer", "minimum": 1, "default": 1}),
    _param("size", _("Results per page"),
           {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": 20}),
]

_PARTNER_PARAMETERS = [
    *[p for p in SEARCH_PARAMETERS if p["name"] not in {"size", "cursor", "sort", "mode"}],
    _param("size", _("Organisations to give"),
           {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}),
]

_ERROR = {"$ref": "#/components/responses/Error"}
_ID = _param("id", _("Stable id, e.g. keep:f168f72363d6"), {"type": "string"}, where="path",
             required=True)


def _get(summary: str, parameters: list[dict[str, Any]], content: dict[str, Any],
         errors: tuple[str, ...] = ("400", "429")) -> dict[str, Any]:
    """One GET operation; every one may answer 503 (search index or database unavailable),
    the searches and exports 400 and 429 (docs/json-api.md, "Costly requests")."""
    responses: dict[str, Any] = {"200": {"description": summary, "content": content}}
    for code in (*errors, "503"):
        responses[code] = _ERROR
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


@cache
def openapi_document() -> dict[str, Any]:
    text = {"schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "euprojects API",
            "version": __version__,
            "description": _("Search EU-funded projects: the same parameters and results as "
                             "the search pages. No key needed."),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/projects": _get(_("Search projects"), SEARCH_PARAMETERS,
                                     _json("SearchResult")),
            "/api/v1/projects.csv": _get(
                _("Every matching project as CSV"),
                [*_EXPORT_PARAMETERS,
                 _param("bom", _("1: start with a UTF-8 byte order mark (for Excel)"),
                        {"type": "string", "enum": ["0", "1"]})],
                {"text/csv": text}),
            "/api/v1/projects.jsonl": _get(_("Every matching project as JSON Lines"),
                                           _EXPORT_PARAMETERS, {"application/x-ndjson": text}),
            "/api/v1/projects.xlsx": _get(
                _("Every matching project as an Excel workbook"), _EXPORT_PARAMETERS,
                {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": text}),
            "/api/v1/projects.atom": _get(
                _("The newest matching projects as an Atom feed"),
                [*[p for p in SEARCH_PARAMETERS if p["name"] != "cursor"],
                 _param("lang", _("Language of the linked pages"),
                        {"type": "string", "enum": ["fr", "en", "de"]})],
                {"application/atom+xml": text}),
            "/api/v1/projects/{id}": _get(_("One project with every field and its participants"),
                                          [_ID], _json("Project"), ("404",)),
            "/api/v1/projects/{id}/similar": _get(
                _("The projects nearest in meaning to one, in any language, that the filters "
                  "keep"),
                [_ID, *[p for p in SEARCH_PARAMETERS
                        if p["name"] not in {"q", "sort", "cursor", "typos", "mode"}]],
                _json("SimilarProjects"), ("400", "404")),
            "/api/v1/organisations": _get(
                _("Search organisations by name, with facets and sorts"), _ORG_PARAMETERS,
                _json("OrganisationSearch"), ("400",)),
            **{f"/api/v1/organisations.{fmt}": _get(
                _("Every organisation a search finds, as a file"),
                [p for p in _ORG_PARAMETERS if p["name"] not in {"page", "size"}],
                {media.split(";")[0]: text}, ("400",)) for fmt, (media, _w) in ORG_FORMATS.items()},
            "/api/v1/partners": _get(
                _("Organisations ranked by how well their projects match a search, each with "
                  "its best matching projects"), _PARTNER_PARAMETERS,
                _json("PartnerSearch"), ("400",)),
            "/api/v1/organisations/{id}": _get(
                _("One organisation, its projects and its most frequent co-partners"),
                [_ID], _json("Organisation"), ("404",)),
            "/api/v1/statistics": _get(
                _("Statistics of the matching projects: totals, per start year, per facet "
                  "value, per place and the organisations that received most"),
                _STATS_PARAMETERS, _json("Statistics")),
            "/api/v1/statistics.csv": _get(
                _("One table of the statistics as CSV"),
                [*_STATS_PARAMETERS,
                 _param("table", _("The table"), {"type": "string",
                                                  "enum": list(STATISTICS_TABLES)},
                        required=True),
                 _param("lang", _("Language of the column headers (default: their names)"),
                        {"type": "string", "enum": ["fr", "en", "de"]})],
                {"text/csv": text}),
            "/api/v1/sources": _get(_("The sources, their record counts and last imports"),
                                    [], _json("Sources"), ()),
            "/api/v1/status": {"get": {
                "summary": _("This node's state, for a load balancer's health check: its "
                             "store, its index and how far behind the store it is"),
                "parameters": [],
                "responses": {
                    "200": {"description": _("Ready"), "content": _json("Status")},
                    "503": {"description": _("Not ready (no index yet, or the store does "
                                             "not answer)"), "content": _json("Status")},
                }}},
        },
        "components": {
            "responses": {
                "Error": {
                    "description": _("An error: the reason in one line"),
                    "content": _json("Error"),
                },
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["ok", "error", "status"],
                    "properties": {
                        "ok": {"const": False},
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                        "parameter": {"type": "string"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": ["meta", "results", "facets"],
                    "properties": {
                        "meta": {"type": "object", "properties": {
                            "total": {"type": "integer"}, "size": {"type": "integer"},
                            "count": {"type": "integer"}, "sort": {"type": "string"},
                            "next_cursor": {"type": ["string", "null"]},
                            "took_ms": {"type": "number"}, "cut": {"type": "boolean"},
                            "did_you_mean": {"type": ["string", "null"]},
                            "query": {"type": "object"}}},
                        "results": {"type": "array", "items": {"type": "object"}},
                        "facets": {"type": "object", "additionalProperties": {
                            "type": "array", "items": {"type": "object", "properties": {
                                "value": {"type": "string"}, "count": {"type": "integer"},
                                "selected": {"type": "boolean"}}}}},
                    },
                },
                "SimilarProjects": {
                    "type": "object",
                    "required": ["meta", "results"],
                    "properties": {
                        "meta": {"type": "object", "properties": {
                            "project": {"type": "string"}, "count": {"type": "integer"},
                            "size": {"type": "integer"}, "query": {"type": "object"}}},
                        "results": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "title", "similarity"],
                            "properties": {
                                "id": {"type": "string"}, "source": {"type": "string"},
                                "acronym": {"type": ["string", "null"]},
                                "title": {"type": "object"},
                                "period": {"type": ["string", "null"]},
                                "start_date": {"type": ["string", "null"], "format": "date"},
                                "similarity": {"type": "number"}}}},
                    },
                },
                "Statistics": {
                    "type": "object",
                    "required": ["query", "totals", "tables"],
                    "properties": {
                        "query": {"type": "object"},
                        "generation": {"type": "string"},
                        "totals": {"type": "object"},
                        "tables": {"type": "object", "additionalProperties": {
                            "type": "array", "items": {"type": "object"}}},
                        "took_ms": {"type": "number"},
                    },
                },
                "OrganisationSearch": {
                    "type": "object",
                    "required": ["meta", "results", "facets"],
                    "properties": {
                        "meta": {"type": "object", "properties": {
                            "total": {"type": "integer"}, "page": {"type": "integer"},
                            "size": {"type": "integer"}, "count": {"type": "integer"},
                            "sort": {"type": "string"}, "took_ms": {"type": "number"},
                            "query": {"type": "object"}}},
                        "results": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "name", "projects", "received"],
                            "properties": {
                                "id": {"type": "string"}, "name": {"type": "string"},
                                "city": {"type": ["string", "null"]},
                                "country": {"type": ["string", "null"]},
                                "countries": {"type": "array", "items": {"type": "string"}},
                                "sources": {"type": "array", "items": {"type": "string"}},
                                "projects": {"type": "integer"},
                                "participations": {"type": "integer"},
                                "received": {"type": ["string", "null"]},
                                "latest_start": {"type": ["string", "null"],
                                                 "format": "date"}}}},
                        "facets": {"$ref": "#/components/schemas/SearchResult/properties/facets"},
                    },
                },
                "PartnerSearch": {
                    "type": "object",
                    "required": ["meta", "results"],
                    "properties": {
                        "meta": {"type": "object", "properties": {
                            "total": {"type": "integer"}, "count": {"type": "integer"},
                            "took_ms": {"type": "number"}, "query": {"type": "object"}}},
                        "results": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "name", "score", "matching_projects", "evidence"],
                            "properties": {
                                "score": {"type": "number"},
                                "matching_projects": {"type": "integer"},
                                "evidence": {"type": "array", "items": {"type": "object"}}}}},
                    },
                },
                "Project": {"type": "object", "required": ["id", "title", "participants"]},
                "Organisation": {"type": "object", "required": ["id", "name", "projects"]},
                "Sources": {"type": "object", "required": ["meta", "results"]},
                "Status": {
                    "type": "object",
                    "required": ["ready", "reasons", "store", "index", "changes_behind",
                                 "follow_seconds", "last_follow"],
                    "properties": {
                        "ready": {"type": "boolean"},
                        "reasons": {"type": "array", "items": {"type": "string"}},
                        "store": {"type": "object", "required": ["database"]},
                        "index": {"type": ["object", "null"]},
                        "changes_behind": {"type": ["integer", "null"]},
                        "follow_seconds": {"type": "number"},
                        "last_follow": {"type": ["object", "null"]},
                    },
                },
            },
        },
    }
