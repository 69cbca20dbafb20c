"""Choropleth maps of Europe by NUTS region (levels 0 to 3), drawn on the server as SVG.

The boundaries are Eurostat GISCO's NUTS 2021 regions at 1:20 million (the GeoJSON files of
eurostat/Nuts2json, EPSG:3035 in metres), read in place from the folder of the setting
``geo_dir``: ``nutsrg_0.json`` to ``nutsrg_3.json``, and ``cntrg.json`` for the countries around
(a grey background). Each outline becomes SVG path data once, when a folder is first loaded, and
stays in memory for the life of the process.

- Crop: the Europe box x 2 500 000 to 7 500 000, y 1 350 000 to 5 500 000 (EPSG:3035 metres):
  mainland Europe with Iceland, the British Isles, the Mediterranean islands, Cyprus and Turkey.
  A polygon entirely outside it is not drawn (the Canaries, Svalbard), nor a region whose every
  polygon is (ES70 and its NUTS 3 regions: ``Boundaries.off_map`` names them). The files hold
  no Azores, Madeira or French overseas regions at all: their codes are ``unknown``.
- Drawing: 5 000 m to one unit, so the viewBox is 1 000 x 830, north up; integer coordinates,
  relative after each ring's first point, consecutive duplicates dropped, ``Z`` per ring. A ring
  that rounds to fewer than three points is dropped, unless that leaves its region with none
  (Melilla, Tower Hamlets): then the region keeps its rings at one decimal.
- Classes: at most 5. With 5 distinct values or fewer, one class per value; otherwise quantile
  breaks (each class's upper bound is the value at 1/5, 2/5, ... of the sorted values; ties
  merge classes). Each class is labelled with its lowest and highest member value, formatted by
  the caller, so the labels never claim values no region has.
- Colours: ColorBrewer YlGnBu (colour-blind safe, sequential), the five darker steps of its
  six-class scheme so that the lowest class stands out from a white page; the highest class is
  always the darkest. No value: grey stripes (told apart without colour). Borders thin white.
- The portal's Content-Security-Policy allows no inline style: only SVG presentation attributes
  and class names (``map-region``, ``map-background``, ``map-legend``).
- Size, measured on the GISCO files with hrefs of about 40 characters: level 0 42 kB, level 1
  70 kB, level 2 119 kB, level 3 357 kB with every region valued (381 kB with none: the
  no-value fill is longer); level 3 gzipped 70 kB.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Generic, TypeVar

from markupsafe import Markup, escape

from ..errors import BadFileError, SettingsError

__all__ = ["ATTRIBUTION", "BOX", "COLOURS", "LEVELS", "Boundaries", "Region", "choropleth"]

ATTRIBUTION = (
    "© EuroGeographics for the administrative boundaries · Source: Eurostat GISCO (NUTS 2021)"
)
LEVELS = (0, 1, 2, 3)
BOX = (2_500_000, 1_350_000, 7_500_000, 5_500_000)  # x min, y min, x max, y max (EPSG:3035, m)
METRES_PER_UNIT = 5_000
WIDTH = (BOX[2] - BOX[0]) // METRES_PER_UNIT  # 1 000
HEIGHT = (BOX[3] - BOX[1]) // METRES_PER_UNIT  # 830

COLOURS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu, light to dark
BACKGROUND = "#ececec"
NO_DATA = ("#e3e3e3", "#a6a6a6")  # the stripes of "no value": ground, lines
BORDER = "#ffffff"

_Number = TypeVar("_Number", bound=float | Decimal)
_Ring = Sequence[Sequence[float]]
_Polygon = Sequence[_Ring]


@dataclass(frozen=True)
class Region:
    """One region as drawn: its code (NUTS, or ISO for a background country), its name in its
    own language (the file's ``na``) and its SVG path data in the map's viewBox."""

    code: str
    name: str
    d: str


@dataclass(frozen=True)
class Boundaries:
    """The drawn regions of each NUTS level, and the countries around them."""

    folder: Path
    levels: Mapping[int, Mapping[str, Region]]  # level -> code -> region, in the file's order
    held: Mapping[int, frozenset[str]]  # level -> every code of its file, drawn or not
    background: tuple[Region, ...]  # the countries of cntrg.json that no NUTS region covers

    @classmethod
    def load(cls, folder: Path | None) -> Boundaries:
        """The boundaries of ``folder`` (the setting ``geo_dir``), read once per process.

        Raises SettingsError without a folder, BadFileError naming a missing or unreadable file.
        """
        if folder is None:
            raise SettingsError("setting 'geo_dir' is empty: maps need the folder of the NUTS "
                                "2021 boundaries (EUPROJECTS_GEO_DIR)")
        return _load(folder.absolute())

    @cached_property
    def names(self) -> Mapping[str, str]:
        """The names of the NUTS 1-3 regions drawn, by code (in their own languages)."""
        return {code: region.name for level in (1, 2, 3)
                for code, region in self.levels[level].items()}

    def regions(self, level: int) -> Mapping[str, Region]:
        if level not in self.levels:
            raise ValueError(f"NUTS level {level!r} is not one of 0, 1, 2, 3")
        return self.levels[level]

    def unknown(self, level: int, codes: Iterable[str]) -> list[str]:
        """The codes that the level's file does not hold (NUTS 2013/2016 codes that no longer
        exist, overseas regions the files leave out): a map cannot show them."""
        self.regions(level)
        return sorted({c for c in codes if c not in self.held[level]})

    def off_map(self, level: int, codes: Iterable[str]) -> list[str]:
        """The codes that the level's file holds but the map leaves out (outside the box)."""
        drawn = self.regions(level)
        return sorted({c for c in codes if c in self.held[level] and c not in drawn})


def choropleth(
    boundaries: Boundaries,
    level: int,
    values: Mapping[str, _Number],
    *,
    title: str,
    legend_title: str,
    fmt: Callable[[_Number], str],
    href: Callable[[str], str],
    describe: Callable[[int, str | None], str],
    names: Mapping[str, str] | None = None,
    no_data: str,
    map_id: str,
    region_label: Callable[[str, str, str], str] | None = None,
) -> Markup:
    """A ``<figure class="map">``: the regions of one NUTS level coloured by their value.

    ``values`` by NUTS code (codes the map does not draw are left out: see
    ``Boundaries.unknown`` and ``Boundaries.off_map``); ``fmt`` writes a value as the page
    shows it (legend ranges, region titles); ``href`` gives each region's link; ``describe``
    writes the map's description from the number of regions with a value and the title of the
    highest one ("Name (CODE): value", None without values); ``names`` replace the files'
    names; ``no_data`` labels regions without a value; ``map_id`` prefixes the ids in the
    SVG, unique in the page; ``region_label`` writes a region's title from its name, code and
    formatted value (default "Name (CODE): value"; a page passes its language's punctuation).
    Every text is escaped.
    """
    regions = boundaries.regions(level)
    shown = {c: v for c, v in values.items() if c in regions and not _is_nan(v)}
    classes = _Classes[_Number](list(shown.values()))
    ident = escape(map_id)
    no_data_fill = f"url(#{ident}-no-data)"

    def label(code: str) -> str:
        name = (names or {}).get(code) or regions[code].name
        value = fmt(shown[code]) if code in shown else no_data
        if region_label is not None:
            return region_label(name, code, value)
        return f"{name} ({code}): {value}"

    top = max(shown, key=lambda c: shown[c]) if shown else None  # the first of equals
    parts = [
        f'<figure class="map" id="{ident}">',
        f'<svg role="group" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">'
        f"{escape(describe(len(shown), label(top) if top else None))}</desc>",
        f'<defs><pattern id="{ident}-no-data" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="4" height="4" fill="{NO_DATA[0]}"/>'
        f'<path d="M1 0v4" stroke="{NO_DATA[1]}" stroke-width="1.2"/></pattern></defs>',
        f'<g class="map-background" fill="{BACKGROUND}" stroke="{BORDER}" stroke-width=".5" '
        'fill-rule="evenodd" aria-hidden="true">',
        *(f'<path d="{r.d}"/>' for r in boundaries.background),
        "</g>",
        f'<g class="map-regions" stroke="{BORDER}" stroke-width=".3" fill-rule="evenodd">',
    ]
    for code, region in regions.items():
        if code in shown:
            step = classes.step(shown[code])
            kind, fill = f"map-class-{step + 1}", COLOURS[step]
        else:
            kind, fill = "map-no-data", no_data_fill
        parts.append(f'<a href="{escape(href(code))}"><title>{escape(label(code))}</title>'
                     f'<path class="map-region {kind}" fill="{fill}" d="{region.d}"/></a>')
    parts += ["</g>", "</svg>", "<figcaption>", f'<div class="map-legend">'
              f'<p class="map-legend-title">{escape(legend_title)}</p><ul>']
    for step, low, high in classes.ranges():
        text = fmt(low) if low == high else f"{fmt(low)} – {fmt(high)}"
        parts.append(f'<li class="map-class-{step + 1}">{_swatch(COLOURS[step])} '
                     f"{escape(text)}</li>")
    if len(shown) < len(regions):
        parts.append(f'<li class="map-no-data">{_swatch(no_data_fill)} {escape(no_data)}</li>')
    parts += ["</ul></div>", f'<p class="attribution">{escape(ATTRIBUTION)}</p>',
              "</figcaption>", "</figure>"]
    return Markup("\n".join(parts))


# -- classes ---------------------------------------------------------------------------------


class _Classes(Generic[_Number]):
    """At most five classes over the values: one per distinct value when there are five or
    fewer, quantile breaks otherwise. Each class has a step of COLOURS, the top one the darkest.
    """

    def __init__(self, values: list[_Number]) -> None:
        ordered = sorted(values)
        distinct = sorted(set(ordered))
        count = len(COLOURS)
        if len(distinct) <= count:
            self.uppers = distinct
        else:
            n = len(ordered)
            cuts = {ordered[math.ceil(i * n / count) - 1] for i in range(1, count)}
            self.uppers = sorted(cuts | {ordered[-1]})
        self.steps = _steps(len(self.uppers))
        self.members: list[list[_Number]] = [[] for _ in self.uppers]
        for value in ordered:
            self.members[bisect.bisect_left(self.uppers, value)].append(value)

    def step(self, value: _Number) -> int:
        return self.steps[bisect.bisect_left(self.uppers, value)]

    def ranges(self) -> list[tuple[int, _Number, _Number]]:
        """(step, lowest member, highest member) of each class, lowest class first."""
        return [(s, m[0], m[-1]) for s, m in zip(self.steps, self.members, strict=True)]


def _steps(count: int) -> list[int]:
    """The steps of COLOURS for ``count`` classes, spread out, the last one the darkest."""
    top = len(COLOURS) - 1
    if count == 1:
        return [top]
    return [round(i * top / (count - 1)) for i in range(count)]


def _is_nan(value: float | Decimal) -> bool:
    return value != value  # noqa: PLR0124 (NaN is the only value not equal to itself)


def _swatch(fill: str) -> str:
    return ('<svg width="14" height="14" aria-hidden="true"><rect x=".5" y=".5" width="13" '
            f'height="13" fill="{fill}" stroke="#737373"/></svg>')


# -- loading ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _load(folder: Path) -> Boundaries:
    levels: dict[int, dict[str, Region]] = {}
    held: dict[int, frozenset[str]] = {}
    for level in LEVELS:
        features = _read(folder, f"nutsrg_{level}.json")
        held[level] = frozenset(code for code, _name, _polygons in features)
        levels[level] = {}
        for code, name, polygons in features:
            d = _path_data(polygons)
            if d:
                levels[level][code] = Region(code, name, d)
    background = tuple(
        Region(code, name, d)
        for code, name, polygons in _read(folder, "cntrg.json")
        if code not in held[0] and (d := _path_data(polygons))
    )
    return Boundaries(folder, levels, held, background)


def _read(folder: Path, name: str) -> list[tuple[str, str, list[_Polygon]]]:
    """(code, name, polygons) of each feature of a GeoJSON FeatureCollection."""
    path = folder / name
    try:
        data: Any = json.loads(path.read_bytes())
    except FileNotFoundError:
        where = "the folder of the setting geo_dir" if folder.is_dir() else "no such folder"
        raise BadFileError(str(path), f"missing: the maps read the NUTS 2021 boundaries of "
                                      f"Eurostat GISCO from it ({where})") from None
    except (OSError, ValueError) as error:
        raise BadFileError(str(path), f"cannot be read as GeoJSON: {error}") from None
    try:
        out = []
        for feature in data["features"]:
            properties, geometry = feature["properties"], feature["geometry"]
            code = str(properties["id"])
            kind, coordinates = geometry["type"], geometry["coordinates"]
            if kind not in ("Polygon", "MultiPolygon"):
                raise TypeError(f"{code} is a {kind}, not a polygon")
            polygons = coordinates if kind == "MultiPolygon" else [coordinates]
            out.append((code, str(properties.get("na") or code), polygons))
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise BadFileError(str(path), f"not a GeoJSON FeatureCollection of regions with id, "
                                      f"na and polygons ({error!r})") from None
    return out


def _path_data(polygons: Iterable[_Polygon]) -> str:
    """SVG path data of the polygons that reach into BOX; "" if none does."""
    inside = [p for p in polygons if p and _reaches_box(p[0])]
    d = "".join(_ring(ring, 0) for polygon in inside for ring in polygon)
    if not d and inside:  # too small for whole units: keep it on the map at one decimal
        d = "".join(_ring(ring, 1) for polygon in inside for ring in polygon)
    return d


def _reaches_box(ring: _Ring) -> bool:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs) <= BOX[2] and max(xs) >= BOX[0] and min(ys) <= BOX[3] and max(ys) >= BOX[1]


def _ring(ring: _Ring, decimals: int) -> str:
    """One closed ring: "M" its first point, "l" the steps to the others, "Z"; "" when it
    rounds to fewer than three points."""
    scale = 10**decimals / METRES_PER_UNIT
    points: list[tuple[int, int]] = []
    for x, y, *_ in ring:
        point = (round((x - BOX[0]) * scale), round((BOX[3] - y) * scale))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        return ""
    steps = [n for (x0, y0), (x1, y1) in pairwise(points) for n in (x1 - x0, y1 - y0)]
    return f"M{_numbers(points[0], decimals)}l{_numbers(steps, decimals)}Z"


def _numbers(numbers: Iterable[int], decimals: int) -> str:
    """Numbers as path data: a space between them, none before a minus sign."""
    out: list[str] = []
    for n in numbers:
        text = str(n) if not decimals else f"{n / 10**decimals:g}"
        if out and not text.startswith("-"):
            out.append(" ")
        out.append(text)
    return "".join(out)
