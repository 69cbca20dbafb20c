"""Write a keep.eu export (2019 layout) N times as large as the real one, for benchmarks.

    python bench/make_big_keep.py OUT.xlsx --factor 10 [--source FILE] [--distinct-text]

The source defaults to ``keep/keep_closed_1420.xlsx`` under the shared data folder
(env ``EUPROJECTS_SHARED_DATA``, default ``../shared/data`` relative to the repo root).

The output has the same sheets ("Projects (lead partners)", "Partners", "Calls") with the same
header rows. The project and partner rows are repeated ``factor`` times: copy 1 is the real rows
unchanged, copies 2..N carry the acronym suffixed "-r2", "-r3"... on both sheets, so the
(Programme, Acronym) keys stay unique per copy and every partner row still joins its project.
An acronym wrapped in quotes keeps its quotes around the suffixed text ('"X-r2"'), numeric
acronyms (103.0) become text ("103-r2"). The "Calls" sheet is copied once (nothing joins on it).

Text cells go into one shared-strings table, as in keep.eu's own files. Since the copies repeat
the same texts, that table hardly grows with the factor (only the acronyms are new), unlike in a
genuinely larger export; --distinct-text ends every free-text cell of copies 2..N (names,
addresses, descriptions) in " (copy N)", so the table grows about N times too.

The source is read with python_calamine. The output is written with openpyxl in write-only mode,
row by row, then one streaming pass over the zip moves the (inline) texts into the shared-strings
table and pins the dates openpyxl stamps: the output is byte-identical for a given source and
options.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import os
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

REPO = Path(__file__).resolve().parent.parent
PROJECTS = "Projects (lead partners)"
PARTNERS = "Partners"
CALLS = "Calls"
SHEETS = (PROJECTS, PARTNERS, CALLS)
# Fixed workbook dates, so that two runs write the same bytes (openpyxl stamps "now" otherwise).
FIXED_TIME = dt.datetime(2019, 11, 23)


def shared_data() -> Path:
    raw = os.environ.get("EUPROJECTS_SHARED_DATA")
    return Path(raw) if raw else (REPO / ".." / "shared" / "data")


def default_source() -> Path:
    return shared_data() / "keep" / "keep_closed_1420.xlsx"


def suffixed(acronym: Any, copy: int) -> Any:
    """The acronym of copy ``copy`` (1 = the real one, unchanged)."""
    if copy == 1 or acronym is None:
        return acronym
    if isinstance(acronym, float) and acronym.is_integer():
        text = str(int(acronym))
    else:
        text = str(acronym).strip()
    if not text:
        return acronym  # an empty key stays empty: the importer rejects it in every copy
    tag = f"-r{copy}"
    if len(text) > 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return f'"{text[1:-1].strip()}{tag}"'
    return text + tag


def _cell(value: Any) -> Any:
    # calamine gives "" for an empty cell; write nothing there, as keep.eu's exporter does.
    return None if value == "" else value


# Free-text columns (names, addresses, descriptions) of both sheets, by header prefix:
# the ones --distinct-text makes distinct per copy. Typed columns (money, dates, Yes/No, codes,
# countries, NUTS, websites) are left alone so that no copy trips the importer's checks.
FREE_TEXT = (
    "Project Name", "Description", "Expected", "Achievements", "Delivered", "Project Partner",
    "Street", "Town", "Department",
)


def repeated(
    rows: list[list[Any]], factor: int, distinct_text: bool = False
) -> Iterator[list[Any]]:
    """The header row, then the data rows ``factor`` times with the acronym suffixed (and,
    with ``distinct_text``, every free-text cell of copies 2..N ending in " (copy N)")."""
    header = rows[0]
    yield [_cell(v) for v in header]
    column = header.index("Acronym")
    free = [i for i, h in enumerate(header) if str(h).startswith(FREE_TEXT)]
    for copy in range(1, factor + 1):
        for row in rows[1:]:
            out = [_cell(v) for v in row]
            if column < len(out):
                out[column] = _cell(suffixed(row[column], copy))
            if distinct_text and copy > 1:
                for i in free:
                    if i < len(out) and isinstance(out[i], str):
                        out[i] = f"{out[i]} (copy {copy})"
            yield out


# openpyxl writes every text cell inline; keep.eu's exporter writes a shared-strings table.
_INLINE = re.compile(
    r'<c ([^>]*?) ?t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S
)
_SST = "xl/sharedStrings.xml"
_SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _shared(src: zipfile.ZipFile, name: str, strings: dict[str, int]) -> Iterator[bytes]:
    """Sheet XML ``name`` with inline text cells turned into shared-string references.

    Read in 1 MiB blocks, cut after the last complete cell, so no block holds a split cell.
    The texts stay XML-escaped as openpyxl wrote them, which is what the table needs too.
    """

    def shared(m: re.Match[str]) -> str:
        index = strings.setdefault(m[2], len(strings))
        return f'<c {m[1]} t="s"><v>{index}</v></c>'

    decoder = codecs.getincrementaldecoder("utf-8")()
    rest = ""
    with src.open(name) as raw:
        while block := raw.read(1 << 20):
            rest += decoder.decode(block)
            cut = rest.rfind("</c>")
            if cut >= 0:
                cut += len("</c>")
                yield _INLINE.sub(shared, rest[:cut]).encode("utf-8")
                rest = rest[cut:]
    rest += decoder.decode(b"", final=True)
    yield _INLINE.sub(shared, rest).encode("utf-8")


def _finish(built: Path, out: Path) -> None:
    """Copy the zip ``built`` to ``out`` as keep.eu's exporter would have written it.

    Text cells move into one shared-strings table (xl/sharedStrings.xml, first use first, each
    text once), and the entry times and the "modified" date are pinned: openpyxl stamps both
    with the current time, so the output is byte-identical from run to run. Sheets stream
    through in blocks; only the table of distinct texts is held in memory.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    strings: dict[str, int] = {}

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(built) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            name = info.filename
            if name.startswith("xl/worksheets/sheet"):
                with dst.open(entry(name), "w", force_zip64=True) as w:
                    for chunk in _shared(src, name, strings):
                        w.write(chunk)
                continue
            data = src.read(info)
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            elif name == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Type="{_SST_TYPE}" Target="sharedStrings.xml" Id="rIdSST" />'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif name == "[Content_Types].xml":
                over = f'<Override PartName="/{_SST}" ContentType="{_SST_CONTENT}" />'
                data = data.replace(b"</Types>", over.encode() + b"</Types>")
            dst.writestr(entry(name), data)
        with dst.open(entry(_SST), "w", force_zip64=True) as w:
            w.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="'
                + str(len(strings)).encode() + b'">'
            )
            for text in strings:  # insertion order is index order
                w.write(f'<si><t xml:space="preserve">{text}</t></si>'.encode())
            w.write(b"</sst>")


def make(source: Path, out: Path, factor: int, distinct_text: bool = False) -> dict[str, int]:
    """Write the big file; return the number of data rows written per sheet."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    book = CalamineWorkbook.from_path(str(source))
    missing = [s for s in SHEETS if s not in book.sheet_names]
    if missing:
        raise SystemExit(f"{source}: not a 2019-layout keep.eu export (no sheet {missing[0]!r})")

    wb = Workbook(write_only=True)
    wb.properties.creator = "bench/make_big_keep.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    counts: dict[str, int] = {}
    for name in SHEETS:
        rows = book.get_sheet_by_name(name).to_python()
        ws = wb.create_sheet(name)
        if name == CALLS:
            it: Iterator[list[Any]] = ([_cell(v) for v in row] for row in rows)
        else:
            it = repeated(rows, factor, distinct_text)
        written = 0
        for row in it:
            ws.append(row)
            written += 1
        counts[name] = max(written - 1, 0)  # data rows, the header not counted
        del rows
    out.parent.mkdir(parents=True, exist_ok=True)
    built = out.with_name(out.name + ".openpyxl.part")
    pinned = out.with_name(out.name + ".part")
    try:
        wb.save(built)
        _finish(built, pinned)
        pinned.replace(out)
    finally:
        built.unlink(missing_ok=True)
        pinned.unlink(missing_ok=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the xlsx file to write")
    parser.add_argument("--factor", type=int, default=10, help="how many copies (default 10)")
    parser.add_argument("--source", type=Path, default=None,
                        help="the real export (default: $EUPROJECTS_SHARED_DATA/keep/"
                             "keep_closed_1420.xlsx, shared data default ../shared/data)")
    parser.add_argument("--distinct-text", action="store_true",
                        help="also end every free-text cell of copies 2..N in ' (copy N)', so the "
                             "shared-strings table grows N times like a genuinely larger export")
    args = parser.parse_args(argv)
    source = args.source or default_source()
    if not source.is_file():
        print(f"no source file {source} (set EUPROJECTS_SHARED_DATA or --source)",
              file=sys.stderr)
        return 2
    counts = make(source, args.out, args.factor, args.distinct_text)
    rows = ", ".join(f"{name}: {n} rows" for name, n in counts.items())
    print(f"{args.out}: factor {args.factor}, {rows}, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
