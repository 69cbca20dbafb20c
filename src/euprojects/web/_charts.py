"""Charts for the statistics page: SVG drawn on the server, read without JavaScript.

Two pure functions give a ``<figure class="chart">`` as Markup: `bar_chart` (horizontal bars
for categories: countries, programmes, organisations) and `column_chart` (vertical columns
over years, every year of the range shown, so the time axis is honest).

- The SVG has a ``viewBox`` and ``width="100%"``: it scales down to a phone without
  scrolling sideways. A stylesheet may cap its width (``.chart svg { max-width: 36rem }``).
- The page's Content-Security-Policy allows no inline style: the drawing uses SVG
  presentation attributes only, plus class names a stylesheet may refine (``chart-bar``,
  ``chart-axis``, ``chart-label``, ``chart-value``, ``chart-tick``, ``chart-grid``).
- Screen readers: the SVG is ``role="img"`` named by its ``<title>`` and ``<desc>``; the desc
  lists every shown value. A chart whose bars are links is ``role="group"`` instead, as an
  image's content is presentational and its links would be out of reach.
- Every text from the data is escaped; numbers are formatted only by the caller's formatter
  (the Babel formats of the page's language); the texts around them (title, axis labels,
  summary, the message of an empty chart) come from the caller, already translated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlsplit

from markupsafe import Markup

__all__ = ["Bar", "Formatter", "bar_chart", "column_chart", "nice_ticks"]

Formatter = Callable[[Decimal], str]
"""A value as the page shows it, e.g. ``texts("fr").number`` or
``lambda v: texts("fr").money(Money(v))``."""

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 400  # viewBox units; about 0.9 px each on a 390 px phone
BAR_FILL = "#1f5f99"  # dark blue, safe for colour-blind readers: 6.7:1 on white
TEXT_FILL = "#1a1a1a"  # 17:1 on white
AXIS_STROKE = "#595959"  # 7:1 on white
GRID_STROKE = "#d9d9d9"
CHAR_EM = 0.6  # an estimate of a character's width, in em, wide enough for digits

# bar chart: each row is its label on one line and the bar with its value under it, so long
# names get the whole width on a phone
LABEL_SIZE, VALUE_SIZE, AXIS_SIZE = 14, 13, 12
ROW_HEIGHT, BAR_HEIGHT = 44, 16
LABEL_CHARS = int(WIDTH / (LABEL_SIZE * CHAR_EM))  # longer labels end with an ellipsis

# column chart
COLUMN_HEIGHT = 280
PLOT_TOP, PLOT_BOTTOM_ROOM, PLOT_RIGHT = 28, 46, 8
MAX_YEAR_LABELS = 10
_TICK_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"[\x00-\x20\x7f]+")


class Bar(NamedTuple):
    """One row of a bar chart; `href` makes the row a link (e.g. the filtered search)."""

    label: str
    value: Decimal | float
    href: str | None = None


def bar_chart(
    *,
    id: str,
    title: str,
    rows: Iterable[tuple[str, Decimal | float, str | None]],
    formatter: Formatter,
    axis_label: str,
    empty: str,
    summary: str | None = None,
    max_rows: int | None = None,
) -> Markup:
    """Horizontal bars in the order given, the largest value the full width.

    `id` prefixes the ids of the figure's parts (unique on the page). `summary`, when given, is
    a translated sentence opening the SVG's description, with the placeholders ``%(count)s``
    (bars shown), ``%(total)s`` (rows given), ``%(label)s`` and ``%(value)s`` (the largest).
    `max_rows` keeps the first rows. No rows: a figure saying `empty`.
    """
    _check_id(id)
    if max_rows is not None and max_rows < 1:
        raise ValueError(f"max_rows must be at least 1, not {max_rows}")
    given = [(_clean(label), _decimal(value), _href(href)) for label, value, href in rows]
    shown = given[:max_rows]
    if not shown:
        return _empty_figure(id, title, empty)
    texts = [formatter(value) for _label, value, _link in shown]
    top = max(value for _label, value, _link in shown)
    bar_room = WIDTH - _text_width(max(texts, key=len), VALUE_SIZE) - 8
    body = [_text(axis_label, "chart-axis", 0, 14, AXIS_SIZE)]
    for i, ((label, value, href), text) in enumerate(zip(shown, texts, strict=True)):
        y = 24 + i * ROW_HEIGHT
        width = _share(value, top) * bar_room
        parts = (
            _tag("title", f"{label} ({text})"),
            _text(_shorten(label), "chart-label", 0, y + 14, LABEL_SIZE,
                  text_decoration="underline" if href else None),
            _tag("rect", class_="chart-bar", x=0, y=y + 20, width=width, height=BAR_HEIGHT,
                 fill=BAR_FILL),
            _text(text, "chart-value", width + 6, y + 33, VALUE_SIZE),
        )
        body.append(_tag("a", *parts, class_="chart-row", href=href) if href
                    else _tag("g", *parts, class_="chart-row"))
    biggest = [value for _label, value, _link in shown].index(top)
    facts = {"count": len(shown), "total": len(given), "label": shown[biggest][0],
             "value": texts[biggest]}
    return _figure(
        id, title, _describe(summary, facts, [label for label, _value, _link in shown], texts),
        24 + len(shown) * ROW_HEIGHT + 4, body,
        linked=any(href for _label, _value, href in shown),
    )


def column_chart(
    *,
    id: str,
    title: str,
    values: Mapping[int, Decimal | float],
    formatter: Formatter,
    x_label: str,
    y_label: str,
    empty: str,
    summary: str | None = None,
    hrefs: Mapping[int, str] | None = None,
) -> Markup:
    """Vertical columns for every year from the first to the last of `values` (a year
    missing inside the range is an empty column), a y axis of 3 to 5 round ticks.

    `summary`, when given, opens the description with the placeholders ``%(count)s`` (years),
    ``%(first)s``, ``%(last)s``, ``%(label)s`` and ``%(value)s`` (the largest year and its
    value). `hrefs` makes a year's column a link. No values: a figure saying `empty`.
    """
    _check_id(id)
    if not values:
        return _empty_figure(id, title, empty)
    links = {year: _href(href) for year, href in (hrefs or {}).items()}
    years = list(range(min(values), max(values) + 1))
    amounts = [_decimal(values.get(year, 0)) for year in years]
    texts = [formatter(amount) for amount in amounts]
    ticks = nice_ticks(max(amounts), integral=all(a == a.to_integral_value() for a in amounts))
    tick_texts = [formatter(tick) for tick in ticks]
    left = max(_text_width(text, AXIS_SIZE) for text in tick_texts) + 10
    bottom = COLUMN_HEIGHT - PLOT_BOTTOM_ROOM
    plot_width, plot_height = WIDTH - left - PLOT_RIGHT, bottom - PLOT_TOP
    slot = plot_width / len(years)

    body = [_text(y_label, "chart-axis", 0, 14, AXIS_SIZE)]
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = bottom - _share(tick, ticks[-1]) * plot_height
        body.append(_tag("line", class_="chart-grid", x1=left, x2=WIDTH - PLOT_RIGHT, y1=y, y2=y,
                         stroke=GRID_STROKE))
        body.append(_text(text, "chart-tick", left - 6, y + 4, AXIS_SIZE, text_anchor="end"))
    for i, (year, amount, text) in enumerate(zip(years, amounts, texts, strict=True)):
        height = _share(amount, ticks[-1]) * plot_height
        parts = (
            _tag("title", f"{year} ({text})"),
            _tag("rect", class_="chart-bar", x=left + (i + 0.1) * slot, y=bottom - height,
                 width=slot * 0.8, height=height, fill=BAR_FILL),
        )
        href = links.get(year)
        body.append(_tag("a", *parts, class_="chart-column", href=href) if href
                    else _tag("g", *parts, class_="chart-column"))
    body.append(_tag("line", class_="chart-axis", x1=left, x2=WIDTH - PLOT_RIGHT, y1=bottom,
                     y2=bottom, stroke=AXIS_STROKE))
    every = _label_step(len(years))
    body.extend(
        _text(str(year), "chart-label", left + (i + 0.5) * slot, bottom + 16, AXIS_SIZE,
              text_anchor="middle")
        for i, year in enumerate(years) if year % every == 0 or len(years) == 1
    )
    body.append(_text(x_label, "chart-axis", left + plot_width / 2, COLUMN_HEIGHT - 8,
                      AXIS_SIZE, text_anchor="middle"))

    biggest = amounts.index(max(amounts))
    facts = {"count": len(years), "first": years[0], "last": years[-1],
             "label": years[biggest], "value": texts[biggest]}
    labels = [str(year) for year in years]
    return _figure(id, title, _describe(summary, facts, labels, texts), COLUMN_HEIGHT, body,
                   linked=any(links.get(year) for year in years))


def nice_ticks(top: Decimal, *, integral: bool = False) -> list[Decimal]:
    """3 to 5 round values from 0 to at least `top`: steps of 1, 2, 2.5 or 5 times a power of
    ten, whole steps only when `integral` (counts of projects); just 0 when `top` is 0."""
    if top <= 0:
        return [Decimal(0)]
    exponent = (top / 4).adjusted()
    while True:
        for multiple in _TICK_STEPS:
            step = multiple.scaleb(exponent)
            if integral and step != step.to_integral_value():
                continue
            count = math.ceil(top / step)
            if count <= 4:  # the step before gave 5 or more, so 2 to 4 here but for whole steps
                return [Decimal(f"{(step * i).normalize():f}") for i in range(max(count, 2) + 1)]
        exponent += 1


# ---------------------------------------------------------------------------------------------
# the parts


def _figure(id: str, title: str, desc: str, height: float, body: Sequence[Markup], *,
            linked: bool) -> Markup:
    svg = _tag(
        "svg",
        _tag("title", title, id=f"{id}-title"),
        _tag("desc", desc, id=f"{id}-desc"),
        *body,
        xmlns=SVG_NS,
        class_="chart-svg",
        role="group" if linked else "img",
        aria_labelledby=f"{id}-title {id}-desc",
        viewBox=f"0 0 {WIDTH} {_number(float(height))}",
        width="100%",
    )
    return _tag("figure", _tag("figcaption", title), svg, class_="chart", id=id)


def _empty_figure(id: str, title: str, message: str) -> Markup:
    return _tag("figure", _tag("figcaption", title), _tag("p", message, class_="chart-empty"),
                class_="chart", id=id)


def _describe(summary: str | None, facts: Mapping[str, object], labels: Sequence[str],
              texts: Sequence[str]) -> str:
    """The summary sentence, then every value shown: "France (1 234 €); Deutschland (9 €)"
    (parentheses read alike in French, English and German, unlike a colon)."""
    listing = "; ".join(f"{label} ({text})" for label, text in zip(labels, texts, strict=True))
    if not summary:
        return listing
    sentence = summary % facts
    return f"{sentence} {listing}" if sentence.endswith((".", ":", "!", "?")) \
        else f"{sentence}. {listing}"


def _text(content: str, cls: str, x: float, y: float, size: int, **attrs: object) -> Markup:
    return _tag("text", content, class_=cls, x=x, y=y, font_size=size, fill=TEXT_FILL, **attrs)


def _tag(name: str, *children: str, **attrs: object) -> Markup:
    """An element; attribute names are Python's (`class_`, `font_size` for `font-size`),
    None leaves an attribute out, and every value and text child is escaped (a text child
    that is not Markup also loses its control characters and runs of white space)."""
    attributes = Markup("").join(
        Markup(' {}="{}"').format(
            key.rstrip("_").replace("_", "-"),
            _number(value) if isinstance(value, float) else _CONTROL.sub("", str(value)),
        )
        for key, value in attrs.items()
        if value is not None
    )
    if not children:
        return Markup("<{}{}/>").format(name, attributes)
    content = Markup("").join(
        child if isinstance(child, Markup) else _clean(child) for child in children
    )
    return Markup("<{0}{1}>{2}</{0}>").format(name, attributes, content)


# ---------------------------------------------------------------------------------------------
# values and texts


def _check_id(id: str) -> None:
    if not _ID.match(id):
        raise ValueError(f"a chart id is a letter then letters, digits, - or _, not {id!r}")


def _decimal(value: Decimal | float) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite() or number < 0:
        raise ValueError(f"a chart shows non-negative values, not {value!r}")
    return number


def _href(href: str | None) -> str | None:
    """A link of the page (a path or a web address); another scheme (javascript:) is refused."""
    if href is not None and urlsplit(href).scheme not in ("", "http", "https"):
        raise ValueError(f"a chart links only to web addresses, not {href!r}")
    return href


def _share(value: Decimal, top: Decimal) -> float:
    """`value` as a fraction of `top`; 0 when `top` is 0."""
    return float(value / top) if top else 0.0


def _clean(text: str) -> str:
    """A text on one line, without control characters (invalid in XML). Only ASCII white space
    is collapsed: the no-break spaces of a locale's numbers stay."""
    return _SPACES.sub(" ", text).strip(" ")


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _text_width(text: str, size: int) -> float:
    return len(text) * size * CHAR_EM


def _label_step(count: int) -> int:
    """Label every year, or every 2nd, 5th, 10th... so that about 10 labels at most show."""
    power = 1
    while True:
        for multiple in (1, 2, 5):
            if count <= MAX_YEAR_LABELS * multiple * power:
                return multiple * power
        power *= 10


def _number(x: float) -> str:
    """A coordinate with at most two decimals: 12.5, 400."""
    return f"{x:.2f}".rstrip("0").rstrip(".")
