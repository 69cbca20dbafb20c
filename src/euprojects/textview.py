"""Plain-text renderings for the terminal: a project as ``euprojects show`` prints it."""

from __future__ import annotations

import textwrap

from .i18n import Texts
from .model import LangText
from .views import Participant, ProjectView

__all__ = ["render_project", "pick_text"]


def pick_text(texts: tuple[LangText, ...], lang: str) -> LangText | None:
    """The text in ``lang`` if the source has it, else English, else the first given."""
    for wanted in (lang, "en"):
        for t in texts:
            if t.lang == wanted:
                return t
    return texts[0] if texts else None


def _where(t: Texts, participant: Participant) -> str:
    o = participant.organisation
    place = ", ".join(x for x in (o.city, t.country(o.country)) if x)
    return f"{o.name} ({place})" if place else o.name


def _block(t: Texts, heading: str, texts: tuple[LangText, ...], width: int) -> list[str]:
    chosen = pick_text(texts, t.lang)
    if chosen is None:
        return []
    head = heading
    if chosen.lang != t.lang:
        head += " " + t.gettext("(in %(language)s)") % {"language": t.language(chosen.lang)}
    out = ["", head]
    for paragraph in chosen.text.split("\n"):
        out.extend(textwrap.wrap(paragraph, width) or [""])
    return out


def render_project(view: ProjectView, t: Texts, width: int = 88) -> str:
    p = view.project
    _ = t.gettext
    title = f"{p.title.text} ({p.acronym})" if p.acronym and p.acronym != p.title.text else (
        p.title.text
    )
    lines = [title]
    dates = []
    if p.start_date:
        dates.append(t.label(_("Start date"), t.date(p.start_date)))
    if p.end_date:
        dates.append(t.label(_("End date"), t.date(p.end_date)))
    head = ", ".join(dates)
    if view.status:
        head = f"{head}  {t.status(view.status)}" if head else t.status(view.status)
    if head:
        lines.append(head)
    lines += _block(t, _("Description"), p.description, width)
    lines += _block(t, _("Expected results"), p.expected_results, width)
    lines += _block(t, _("Achievements"), p.achievements, width)
    lines.append("")
    facts = [
        (_("Co-financing rate"), t.percent(view.cofinancing_rate)),
        (_("EU amount"), t.money(p.eu_contribution)),
        (_("Total budget"), t.money(p.total_budget)),
        (_("Programme"), f"{p.programme} ({p.period})" if p.period else p.programme or ""),
        (_("Funds"), ", ".join(p.funds)),
        (_("Themes"), "; ".join(p.themes)),
        (_("Call"), p.call or ""),
        (_("Countries"), ", ".join(t.country(c) for c in p.countries)),
        (_("Project on %(source)s") % {"source": t.source(p.source)}, p.source_url or ""),
        (_("Project website"), p.website or ""),
        (_("Programme website"), p.programme_website or ""),
    ]
    lines += [t.label(label, value) for label, value in facts if value]
    for lead in view.leads:
        lines.append(t.label(t.role(lead.participation.role), _where(t, lead)))
    n = len(view.partners)
    lines.append(t.ngettext("%(num)d partner participant", "%(num)d partner participants", n)
                 % {"num": n})
    for partner in view.partners:
        role = partner.participation.role
        lines.append(f"  - {_where(t, partner)}" + (f" [{t.role(role)}]" if role.value != "partner"
                                                     else ""))
    lines.append(t.label(_("Record"), p.id))
    return "\n".join(lines)
