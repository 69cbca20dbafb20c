"""Every interface text is translated into French and German; formats come from Babel."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from euprojects.i18n import LOCALE_DIR, texts
from euprojects.model import Money, Role, Status

SRC = Path(__file__).resolve().parents[1] / "src" / "euprojects"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
# Python modules and the portal's Jinja2 templates.
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def _msgids() -> set[str]:
    out = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SRC, method_map=METHODS, keywords=KEYWORDS
    ):
        out.add(message[0] if isinstance(message, tuple) else message)
    return out


def test_extraction_finds_the_interface_texts():
    ids = _msgids()
    assert {"Start date", "PROJECT CLOSED", "%(num)d partner participant"} <= ids
    # from the templates and the web modules
    assert {"Skip to content", "No project matches this search.", "%(num)s project found",
            "Legal status of a participant"} <= ids


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_catalog_translates_every_text(lang):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    missing = []
    for msgid in sorted(_msgids()):
        message = catalog.get(msgid)
        strings = message.string if message else None
        if isinstance(strings, tuple | list):
            ok = all(strings)
        else:
            ok = bool(strings)
        if not message or not ok or message.fuzzy:
            missing.append(msgid)
    assert missing == [], f"{lang}: untranslated {missing}"
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, (lang, message.id)


NNBSP, NBSP = "\u202f", "\xa0"


@pytest.mark.parametrize(
    ("lang", "day", "money", "rate", "status"),
    [
        ("fr", "31 déc. 2008", f"302{NNBSP}699,26{NBSP}€", f"76,8{NBSP}%", "PROJET TERMINÉ"),
        ("en", "Dec 31, 2008", "€302,699.26", "76.8%", "PROJECT CLOSED"),
        ("de", "31.12.2008", f"302.699,26{NBSP}€", f"76,8{NBSP}%", "PROJEKT ABGESCHLOSSEN"),
    ],
)
def test_locale_formats(lang, day, money, rate, status):
    t = texts(lang)
    assert t.date(date(2008, 12, 31)) == day
    assert t.money(Money(Decimal("302699.26"))) == money
    assert t.percent(Decimal("76.80")) == rate
    assert t.status(Status.CLOSED) == status


def test_status_and_role_labels():
    fr = texts("fr")
    assert [fr.status(s) for s in Status] == [
        "PROJET À VENIR", "PROJET EN COURS", "PROJET TERMINÉ", "PROJET INTERROMPU"]
    assert fr.role(Role.LEAD) == "Partenaire chef de file"
    assert fr.ngettext("%(num)d partner participant", "%(num)d partner participants", 2) % {
        "num": 2} == "2 Participants partenaires"
    assert texts("de").language("en") == "Englisch"
