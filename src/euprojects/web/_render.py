"""Templates: one Jinja2 environment (autoescape on), the labels the pages show, and the
context every page gets (language, translations, links to the other languages and the JSON
twin)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..catalog import FACETS, ORG_FACETS
from ..errors import EuProjectsError
from ..i18n import Texts, texts
from ..settings import LANGUAGES
from ..textview import pick_text
from ..views import Status
from ._map import Boundaries
from ._params import Params, query_string

__all__ = ["render", "facet_label", "FACET_TITLES", "SORT_LABELS", "MODE_LABELS", "STATIC_DIR",
           "ASSET_VERSION"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
ASSET_VERSION = "7"  # in the asset addresses: a new version is a new address for caches


def _(message: str) -> str:
    """Marks a text for extraction; translated where it is shown."""
    return message


# the facets of the project search and of the organisation search (the shared ones are one)
FACET_TITLES = {name: facet.label for name, facet in {**ORG_FACETS, **FACETS}.items()}
SORT_LABELS = {
    "relevance": _("Relevance"),
    "-start_date": _("Start date, newest first"),
    "start_date": _("Start date, oldest first"),
    "-end_date": _("End date, newest first"),
    "end_date": _("End date, oldest first"),
    "-eu_contribution": _("EU amount, largest first"),
    "eu_contribution": _("EU amount, smallest first"),
}
# How a search reads its words (search mode); the default's value is empty, so that the
# form leaves it out of the address
MODE_LABELS = {
    "": _("By words and by meaning"),
    "lexical": _("By words only"),
    "semantic": _("By meaning only, in any language"),
}
LINK_RULES = {  # why source records are one organisation (model/_orgmatch.py)
    "pic": _("same PIC"),
    "vat": _("same VAT number"),
    "wikidata": _("same Wikidata item"),
    "name": _("same name, country and town"),
    "spelling": _("same name but for one letter, in the same country and town"),
    "acronym": _("same acronym, country and town"),
    "address": _("same postcode and street, names of one body"),
    "site": _("same name of one body in the same country, at another site"),
}
# why another organisation may be this one (model.possibly_same): a rule but for the towns
SAME_RULES = {
    "name": _("the same name in the same country, in another town"),
    "spelling": _("the same name but for one letter, in the same country, in another town"),
    "acronym": _("the same acronym in the same country, in another town"),
}
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch"}

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def paragraphs(text: str) -> list[str]:
    """A source text as paragraphs of plain text. keep.eu texts are plain text with an
    occasional ``<br>``: those become paragraph breaks; any other markup stays text, shown
    escaped (so ``<script>`` is seen, never run)."""
    return [p.strip() for p in _BREAK.sub("\n", text).split("\n") if p.strip()]


_REGION_FACETS = ("nuts1", "nuts2", "nuts3")


def facet_label(t: Texts, name: str, value: str, geo_dir: Path | None = None) -> str:
    """A value of a facet as its registry entry says to show it; a NUTS region with its name
    when the boundaries of ``geo_dir`` (the setting) have it."""
    facet = FACETS.get(name) or ORG_FACETS[name]
    if facet.shown == "country":
        return t.country(value)
    if facet.shown == "source":
        return t.source(value)
    if facet.shown == "messages":
        return t.gettext(facet.messages.get(value, value))
    if name in _REGION_FACETS:
        region = _region_names(geo_dir).get(value)
        return f"{value} {region}" if region else value
    return value


def _region_names(geo_dir: Path | None) -> Mapping[str, str]:
    """The NUTS 2021 names by code from the map's boundaries (read once per process, when a
    region is first shown); none without them."""
    if geo_dir is None:
        return {}
    try:
        return Boundaries.load(geo_dir).names
    except EuProjectsError:
        return {}


def _datetime(t: Texts, iso: str | None) -> str:
    if not iso:
        return ""
    return t.datetime(datetime.fromisoformat(iso))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["idpath"] = lambda value: quote(str(value), safe=":")  # ids in a path
    env.globals.update(
        paragraphs=paragraphs,
        pick_text=pick_text,  # a data text in the page's language when the source has it
        query_string=query_string,
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        FACET_TITLES=FACET_TITLES,
        SORT_LABELS=SORT_LABELS,
        MODE_LABELS=MODE_LABELS,
        LINK_RULES=LINK_RULES,
        SAME_RULES=SAME_RULES,
        ASSET_VERSION=ASSET_VERSION,
        Status=Status,
    )
    return env


_ENV = _environment()


def _switch_links(request: Request, lang: str) -> dict[str, str]:
    """The same page and query in each language."""
    path = request.url.path
    rest = path[len(lang) + 1:] if path.startswith(f"/{lang}/") or path == f"/{lang}" else "/"
    query = f"?{request.url.query}" if request.url.query else ""
    return {other: f"/{other}{rest or '/'}{query}" for other in LANGUAGES}


def render(
    request: Request,
    lang: str,
    template: str,
    context: dict[str, Any],
    *,
    json_twin: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    t = texts(lang)
    geo_dir = request.app.state.catalog.settings.geo_dir

    def mark_lang(text: str, text_lang: str | None) -> Markup:
        """A data text in its own language, marked for screen readers when not the page's."""
        if text_lang and text_lang != lang:
            return Markup('<span lang="{}">{}</span>').format(text_lang, text)
        return Markup("{}").format(text)

    page = _ENV.get_template(template).render(
        request=request,
        lang=lang,
        t=t,
        _=t.gettext,
        gettext=t.gettext,
        ngettext=t.ngettext,
        facet_label=lambda name, value: facet_label(t, name, value, geo_dir),
        format_datetime=lambda iso: _datetime(t, iso),
        mark_lang=mark_lang,
        switch=_switch_links(request, lang),
        json_twin=json_twin,
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers=headers)


def twin(path: str, params: Params | None = None) -> str:
    return path + query_string(params or {})
