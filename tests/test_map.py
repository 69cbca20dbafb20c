"""The choropleth map (web/_map.py) over the real GISCO NUTS 2021 boundaries, read in place
from the shared data folder (geo/, see its GEO.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from conftest import _need, shared_data_dir
from euprojects.errors import BadFileError, SettingsError
from euprojects.i18n import texts
from euprojects.web._map import ATTRIBUTION, COLOURS, HEIGHT, WIDTH, Boundaries, choropleth

NNBSP = "\u202f"  # Babel's French group separator


@pytest.fixture(scope="module")
def geo() -> Path:
    return _need(shared_data_dir() / "geo" / "nutsrg_0.json").parent


@pytest.fixture(scope="module")
def boundaries(geo: Path) -> Boundaries:
    return Boundaries.load(geo)


def _link(code: str) -> str:
    return f"/en/projects?nuts={code}"


def _draw(boundaries: Boundaries, level: int, values: Mapping[str, int | Decimal], *,
          fmt: Callable[[int | Decimal], str] = str, **more: object) -> str:
    args: dict[str, object] = {
        "title": "Projects by region", "legend_title": "Projects", "fmt": fmt, "href": _link,
        "describe": lambda count, top: f"{count} regions with projects; most: {top}",
        "no_data": "No project", "map_id": f"map{level}", **more,
    }
    return str(choropleth(boundaries, level, values, **args))  # type: ignore[arg-type]


def _parse(markup: str) -> etree._Element:
    return etree.fromstring(markup)


def _regions(figure: etree._Element) -> dict[str, tuple[str, etree._Element]]:
    """href -> (the link's title, its path), for every region link."""
    return {a.get("href"): (a.findtext("title"), a.find("path"))
            for a in figure.iter("a")}


def _points(d: str) -> list[tuple[float, float]]:
    """The absolute points of path data written as M x y l dx dy ... Z."""
    out = []
    for ring in re.findall(r"M([^Z]+)Z", d):
        start, _, steps = ring.partition("l")
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", start + " " + steps)]
        x, y = numbers[0], numbers[1]
        out.append((x, y))
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            out.append((x, y))
    return out


def test_level_0_draws_the_countries_as_links_with_their_titles(boundaries):
    figure = _parse(_draw(boundaries, 0, {"FR": 10, "DE": 20, "LV": 1}))
    regions = _regions(figure)
    assert len(regions) == 37
    assert {code: regions[_link(code)][0] for code in ("FR", "DE", "LV", "SE")} == {
        "FR": "France (FR): 10",
        "DE": "Deutschland (DE): 20",
        "LV": "Latvija (LV): 1",
        "SE": "Sverige (SE): No project",
    }
    svg = figure.find("svg")
    assert (svg.get("viewBox"), svg.get("width"), svg.get("role")) == (
        f"0 0 {WIDTH} {HEIGHT}", "100%", "group")
    assert svg.findtext("title") == "Projects by region"
    assert svg.get("aria-labelledby") == "map0-title"
    assert svg.find("title").get("id") == "map0-title"
    assert svg.findtext("desc") == "3 regions with projects; most: Deutschland (DE): 20"
    assert svg.get("aria-describedby") == svg.find("desc").get("id") == "map0-desc"
    background = figure.find(".//g[@class='map-background']")
    assert len(background) == len(boundaries.background) > 20
    around = {region.code for region in boundaries.background}
    assert {"UA", "BA", "RU", "MA"} <= around  # the countries around, under no NUTS region
    assert around.isdisjoint(boundaries.held[0])


def test_outlines_are_integers_in_the_viewbox_north_up(boundaries):
    regions = boundaries.regions(0)
    for code in ("FR", "DE", "LV"):
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+Z)+", regions[code].d), code
        assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in _points(regions[code].d))
    finland = _points(regions["FI"].d)
    cyprus = _points(regions["CY"].d)
    assert max(y for _x, y in finland) < min(y for _x, y in cyprus)  # y flipped: north on top
    assert max(x for x, _y in _points(regions["PT"].d)) < min(x for x, _y in cyprus)
    # no point repeats the one before it
    for region in regions.values():
        for ring in re.findall(r"l([^Z]+)Z", region.d):
            steps = re.findall(r"-?\d+(?:\.\d+)?", ring)
            assert ("0", "0") not in set(zip(steps[::2], steps[1::2], strict=True)), region.code


@pytest.mark.parametrize(("level", "drawn", "held", "off_map"), [
    (0, 37, 37, []),
    (1, 121, 122, ["ES7"]),
    (2, 326, 327, ["ES70"]),
    (3, 1499, 1502, ["ES704", "ES708", "NO0B2"]),
])
def test_each_level_draws_its_regions_inside_the_europe_box(
        boundaries, level, drawn, held, off_map):
    regions = boundaries.regions(level)
    assert len(regions) == drawn
    assert len(boundaries.held[level]) == held
    assert boundaries.off_map(level, boundaries.held[level]) == off_map
    figure = _parse(_draw(boundaries, level, {}))
    assert len(figure.findall(".//a/path[@class='map-region map-no-data']")) == drawn
    if level == 2:
        assert drawn >= 240


def test_tiny_regions_stay_on_the_map(boundaries):
    regions = boundaries.regions(3)
    for code in ("ES640", "UKI42"):  # Melilla, Tower Hamlets: less than a unit whole
        points = _points(regions[code].d)
        assert len(points) >= 3, code
        assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in points)


def test_values_colour_the_regions_by_class(boundaries):
    values = {"FR10": 900, "DE21": 50, "ITC4": 10, "PL91": 5, "ES51": 1, "AT13": 120,
              "NL32": 300, "BE10": 2}
    regions = _regions(_parse(_draw(boundaries, 2, values)))
    fills = {code: (regions[_link(code)][1].get("class"), regions[_link(code)][1].get("fill"))
             for code in ("FR10", "ES51", "SE11")}
    assert fills == {
        "FR10": ("map-region map-class-5", COLOURS[4]),  # the highest: the darkest class
        "ES51": ("map-region map-class-1", COLOURS[0]),  # the lowest: the lightest
        "SE11": ("map-region map-no-data", "url(#map2-no-data)"),  # no value: grey stripes
    }
    pattern = _parse(_draw(boundaries, 2, values)).find(".//pattern")
    assert pattern.get("id") == "map2-no-data"
    assert [e.get("fill") or e.get("stroke") for e in pattern] == ["#e3e3e3", "#a6a6a6"]
    classes = [regions[_link(c)][1].get("class")[len("map-region "):]
               for c in sorted(values, key=values.__getitem__)]
    assert classes == ["map-class-1", "map-class-1", "map-class-2", "map-class-2",
                       "map-class-3", "map-class-4", "map-class-4", "map-class-5"]


def test_every_region_links_where_the_caller_says(boundaries):
    figure = _parse(_draw(boundaries, 1, {"DE1": 3}, href=lambda c: f"/de/karte/{c.lower()}"))
    assert sorted(a.get("href") for a in figure.iter("a")) == sorted(
        f"/de/karte/{code.lower()}" for code in boundaries.regions(1))


def test_the_legend_gives_each_class_its_range_in_the_callers_format(boundaries):
    fr = texts("fr")
    values = {code: Decimal(1000 * (i + 1)) for i, code in enumerate(
        ["FR10", "FRB0", "FRC1", "FRC2", "FRD1", "FRD2", "FRE1", "FRE2", "FRF1", "FRF2"])}
    figure = _parse(_draw(boundaries, 2, values, fmt=fr.number, legend_title="Projets",
                          no_data="Aucun projet"))
    legend = figure.find(".//div[@class='map-legend']")
    assert legend.findtext("p") == "Projets"
    items = [("".join(li.itertext()).strip(), li.get("class"),
              li.find("svg/rect").get("fill")) for li in legend.iter("li")]
    n = NNBSP
    assert items == [
        (f"1{n}000 – 2{n}000", "map-class-1", COLOURS[0]),
        (f"3{n}000 – 4{n}000", "map-class-2", COLOURS[1]),
        (f"5{n}000 – 6{n}000", "map-class-3", COLOURS[2]),
        (f"7{n}000 – 8{n}000", "map-class-4", COLOURS[3]),
        (f"9{n}000 – 10{n}000", "map-class-5", COLOURS[4]),
        ("Aucun projet", "map-no-data", "url(#map2-no-data)"),
    ]
    assert _regions(figure)[_link("FRF2")][0] == f"Champagne-Ardenne (FRF2): 10{n}000"


def test_fewer_distinct_values_give_fewer_classes(boundaries):
    figure = _parse(_draw(boundaries, 0, {"FR": 4, "DE": 4, "IT": 9}))
    legend = [("".join(li.itertext()).strip(), li.get("class"))
              for li in figure.iter("li")]
    assert legend == [("4", "map-class-1"), ("9", "map-class-5"), ("No project", "map-no-data")]
    one = _parse(_draw(boundaries, 0, {code: 7 for code in boundaries.regions(0)}))
    assert ["".join(li.itertext()) for li in one.iter("li")] == [" 7"]
    assert {p.get("fill") for p in one.iter("path") if p.get("class")} == {COLOURS[4]}


def test_codes_the_map_cannot_draw_are_reported_not_drawn(boundaries):
    values = {"FR10": 3, "UKI1": 4, "FRY1": 5, "ES70": 6, "DE21": 1}  # UKI1: NUTS 2013 only
    assert boundaries.unknown(2, values) == ["FRY1", "UKI1"]
    assert boundaries.off_map(2, values) == ["ES70"]
    figure = _parse(_draw(boundaries, 2, values))
    hrefs = {a.get("href") for a in figure.iter("a")}
    assert {_link(c) for c in ("UKI1", "FRY1", "ES70")} & hrefs == set()
    assert figure.findtext("svg/desc") == \
        "2 regions with projects; most: Ile-de-France (FR10): 3"
    with pytest.raises(ValueError, match="NUTS level 4"):
        boundaries.unknown(4, values)


def test_every_text_is_escaped(boundaries):
    hostile = '<script>alert("x")</script> & \'q\''
    markup = _draw(boundaries, 0, {"FR": 1}, names={"FR": hostile}, title=hostile,
                   legend_title=hostile, no_data=hostile, map_id='m"><x',
                   fmt=lambda v: f"<b>{v}</b>", href=lambda c: f'/x?a="{c}"&b=<i>',
                   describe=lambda count, top: f"{hostile} {top}")
    assert "<script" not in markup and "<b>" not in markup and "<i>" not in markup
    figure = _parse(markup)  # well-formed: nothing broke out of its attribute or element
    assert figure.get("id") == 'm"><x'
    svg = figure.find("svg")
    assert svg.findtext("title") == hostile
    assert svg.findtext("desc") == f"{hostile} {hostile} (FR): <b>1</b>"
    regions = _regions(figure)
    assert regions['/x?a="FR"&b=<i>'][0] == f"{hostile} (FR): <b>1</b>"
    assert regions['/x?a="DE"&b=<i>'][0] == f"Deutschland (DE): {hostile}"
    assert figure.find(".//div[@class='map-legend']").findtext("p") == hostile


def test_no_inline_style_for_the_content_security_policy(boundaries):
    markup = _draw(boundaries, 1, {"DE1": 1, "FR1": 2})
    figure = _parse(markup)
    assert [e.tag for e in figure.iter() if "style" in e.attrib or e.tag == "style"] == []
    assert "style" not in markup


def test_the_attribution_line_is_under_every_map(boundaries, geo):
    assert f"    {ATTRIBUTION}\n" in (geo / "GEO.md").read_text(encoding="utf-8")
    for level in (0, 3):
        figure = _parse(_draw(boundaries, level, {}))
        caption = figure.find("figcaption")
        assert caption.findtext("p[@class='attribution']") == ATTRIBUTION
        assert figure[-1] is caption


def test_level_3_stays_small(boundaries):
    values = {code: i for i, code in enumerate(boundaries.regions(3))}
    markup = _draw(boundaries, 3, values, href=lambda c: f"/en/projects?nuts={c}&sort=-start")
    size = len(markup.encode("utf-8"))
    assert 200_000 < size < 600_000, size
    assert len(_parse(markup).findall(".//a")) == 1499


def test_boundaries_are_read_once_per_folder(geo):
    assert Boundaries.load(geo) is Boundaries.load(geo)


def test_no_folder_setting_or_a_missing_folder_fails_clearly(tmp_path):
    with pytest.raises(SettingsError, match="setting 'geo_dir' is empty"):
        Boundaries.load(None)
    with pytest.raises(BadFileError) as info:
        Boundaries.load(tmp_path / "nowhere")
    assert info.value.path == str(tmp_path / "nowhere" / "nutsrg_0.json")
    assert str(info.value).endswith("(no such folder)")


def test_a_missing_or_broken_file_is_named(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[4e6, 3e6], [4.1e6, 3e6], [4.1e6, 3.1e6],
                                                  [4e6, 3e6]]]}
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "XX", "na": "X"}, "geometry": square}]}
    for level in range(4):
        (tmp_path / f"nutsrg_{level}.json").write_text(json.dumps(collection), "utf-8")
    with pytest.raises(BadFileError) as info:
        Boundaries.load(tmp_path)
    assert info.value.path == str(tmp_path / "cntrg.json")
    assert info.value.reason.startswith("missing: the maps read the NUTS 2021 boundaries")
    (tmp_path / "cntrg.json").write_text('{"type": "FeatureCollection"', "utf-8")
    with pytest.raises(BadFileError) as info:
        Boundaries.load(tmp_path)
    assert (info.value.path, info.value.reason[:25]) == (
        str(tmp_path / "cntrg.json"), "cannot be read as GeoJSON")
    (tmp_path / "cntrg.json").write_text('{"features": [{"properties": {}}]}', "utf-8")
    with pytest.raises(BadFileError, match="not a GeoJSON FeatureCollection"):
        Boundaries.load(tmp_path)
    (tmp_path / "cntrg.json").write_text(json.dumps(collection), "utf-8")
    assert list(Boundaries.load(tmp_path).regions(0)) == ["XX"]
