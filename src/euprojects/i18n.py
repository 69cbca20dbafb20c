"""Interface text (gettext catalogs, English as the source) and locale formats (Babel).

The catalogs are the .po files under ``locale/``; they are compiled in memory when first used,
so a fresh checkout needs no build step.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

from .model import Money, Role, Status
from .settings import LANGUAGES

__all__ = ["Texts", "texts", "LOCALE_DIR", "LANGUAGES"]

LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def _translations(lang: str) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _(message: str) -> str:
    """Marks a text for extraction where it is defined; it is translated where it is shown."""
    return message


# Labels defined once, translated when shown.
_STATUS = {
    Status.PLANNED: _("PROJECT PLANNED"),
    Status.ONGOING: _("PROJECT ONGOING"),
    Status.CLOSED: _("PROJECT CLOSED"),
    Status.TERMINATED: _("PROJECT TERMINATED"),
}
_ROLE = {
    Role.LEAD: _("Lead partner"),
    Role.PARTNER: _("Partner"),
    Role.ASSOCIATED: _("Associated partner"),
    Role.THIRD_PARTY: _("Third party"),
    Role.OTHER: _("Participant"),
}
_SOURCE = {"keep": "KEEP platform", "cordis": "CORDIS", "kohesio": "Kohesio", "eac": "EAC"}


class Texts:
    """Translations and formats for one interface language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._t = _translations(lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def date(self, value: date | None) -> str:
        return format_date(value, "medium", locale=self.locale) if value else ""

    def datetime(self, value: datetime | None) -> str:
        """A moment in the locale's medium format, in UTC (as the import history records it)."""
        return format_datetime(
            value, "medium", tzinfo=get_timezone("UTC"), locale=self.locale
        ) if value else ""

    def number(self, value: int | Decimal | None) -> str:
        return format_decimal(value, locale=self.locale) if value is not None else ""

    def money(self, value: Money | None) -> str:
        if value is None:
            return ""
        return format_currency(value.amount, value.currency, locale=self.locale)

    def euros(self, value: Decimal | None) -> str:
        """An amount in euros, as money is shown: "1 234,50 €" in French."""
        return format_currency(value, "EUR", locale=self.locale) if value is not None else ""

    def euros_short(self, value: Decimal | None) -> str:
        """An amount in euros, rounded to what an axis needs: "1,5 Md €" in French."""
        if value is None:
            return ""
        return format_compact_currency(value, "EUR", locale=self.locale, fraction_digits=1)

    def percent(self, value: Decimal | None) -> str:
        """76.8 (percent) as "76,8 %" in French; as many decimals as the value has."""
        if value is None:
            return ""
        return format_percent(
            (value / 100).normalize(), locale=self.locale, decimal_quantization=False
        )

    def place(self, latitude: Decimal, longitude: Decimal) -> str:
        """Coordinates in degrees with their hemispheres, in the locale's numbers and letters:
        "53,3498° N 6,2603° O" in French."""
        def degrees(value: Decimal) -> str:
            return format_decimal(abs(value), "0.0###", locale=self.locale)

        north = (self.gettext("%(degrees)s° N") if latitude >= 0
                 else self.gettext("%(degrees)s° S")) % {"degrees": degrees(latitude)}
        east = (self.gettext("%(degrees)s° E") if longitude >= 0
                else self.gettext("%(degrees)s° W")) % {"degrees": degrees(longitude)}
        return f"{north} {east}"

    def language(self, code: str | None) -> str:
        if not code:
            return self.gettext("unknown language")
        name: str = self.locale.languages.get(code, code)  # Babel's data is untyped
        return name

    def country(self, code: str | None) -> str:
        return self.locale.territories.get(code, code) if code else ""

    def status(self, status: Status | None) -> str:
        return self.gettext(_STATUS[status]) if status else ""

    def role(self, role: Role) -> str:
        return self.gettext(_ROLE[role])

    def source(self, source: str) -> str:
        return _SOURCE.get(source, source)

    def label(self, label: str, value: str) -> str:
        return self.gettext("%(label)s: %(value)s") % {"label": label, "value": value}


@cache
def texts(lang: str) -> Texts:
    return Texts(lang)
