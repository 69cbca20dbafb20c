"""What the commands share: the settings and catalog of the group's options, JSON output,
the search options."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from ..catalog import FACETS, RANGES, Catalog
from ..errors import SearchIndexError
from ..settings import Settings, load_settings

__all__ = ["settings_of", "catalog_of", "echo_json", "search_options", "search_params"]


def settings_of(ctx: click.Context) -> Settings:
    """The settings with the group's --db and --lang."""
    obj = ctx.ensure_object(dict)
    return load_settings({"db": obj.get("db"), "lang": obj.get("lang")})


def catalog_of(ctx: click.Context) -> Catalog:
    """The catalog of the --db store, its search index brought up to the store first (what an
    earlier command committed but could not apply, killed or out of disk, is applied now)."""
    obj = ctx.ensure_object(dict)
    if "catalog" not in obj:
        catalog = obj["catalog"] = ctx.with_resource(Catalog(settings_of(ctx)))
        try:
            catalog.catch_up_quietly()
        except SearchIndexError as exc:
            click.echo(f"Warning: the search index could not catch up with the store: {exc}",
                       err=True)
    kept: Catalog = obj["catalog"]  # ctx.obj is click's untyped dict
    return kept


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for facet in reversed(list(FACETS.values())):
        command = click.option(facet.option, facet.name, multiple=True,
                               help=f"Facet {facet.name}; repeat for OR.")(command)
    for name in reversed(list(RANGES)):
        for end in ("max", "min"):
            flag = f"--{name.replace('_', '-')}-{end}"
            command = click.option(flag, f"{name}_{end}", default=None,
                                   help=f"{name} {'at least' if end == 'min' else 'at most'}.")(
                command)
    return command


def search_params(query: str, facets: dict[str, Any], **more: Any) -> dict[str, Any]:
    """The search parameters of a command's words, facet and range options and ``more``, the
    empty ones left out."""
    params: dict[str, Any] = {"q": query, **more, **facets}
    return {k: v for k, v in params.items() if v not in (None, (), "")}
