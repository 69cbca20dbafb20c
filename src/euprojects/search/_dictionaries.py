"""Bilingual dictionaries for queries in another language than the texts: FreeDict's
X-English dictionaries as Debian packages them (``dict-freedict-deu-eng``...; dictd format: an
``.index`` of headwords and a gzip-compressed ``.dict.dz`` of entries), read when the index is
built (docs/semantic-search.md, "Dictionaries").

Of each entry only its first sense's first translation is kept (``Batterierecycling`` ->
``battery recycling``; ``Landflucht`` -> ``rural flight``), for a headword of one word of four
letters or more that names a thing or a quality (a noun or an adjective: what topic queries
are made of), translated by one to three English words. The table maps the headword's stem (the
language's stemmer, as the index stems its texts) to the English stems of its translation; the
query then also finds the English texts that hold all of them (search/_compile.py). A language
whose dictionary is not installed has none: its words are searched as they are."""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from ._analysis import STEMMED, analyzer, stem_field

__all__ = ["FREEDICT", "dictionary_table", "read_entries"]

# The stemmed languages that FreeDict translates into English, and the dictionary of each
FREEDICT = {"fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
            "sv": "swe"}
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TAG = re.compile(r"<([^>]*)>")
_NOISE = re.compile(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)|\{[^}]*\}")
_WORD = re.compile(r"[^\W\d_]+")
MIN_HEADWORD = 4
MAX_WORDS = 3


def _number(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64.index(c)
    return n


def _first_translation(entry: str) -> str | None:
    """The first translation of an entry's first sense, without its notes."""
    for line in entry.split("\n")[1:]:
        line = re.sub(r"^\s*\d+\.\s*", "", line).strip()
        if not line or line.startswith(("Synonym", "see:", "Note", '"', "Syn")):
            continue
        phrase = _NOISE.sub(" ", line).split(",")[0].split(";")[0]
        phrase = re.sub(r"\s+\d+\.\s*$", "", phrase).strip()
        if phrase:
            return phrase
    return None


def _noun_or_adjective(entry: str) -> bool:
    head = entry.split("\n", 1)[0]
    tags = " ".join(_TAG.findall(head)).replace(",", " ").split()
    return not tags or "n" in tags or "adj" in tags


def read_entries(index: Path, data: Path) -> Iterator[tuple[str, str]]:
    """(headword, its first translation) of a dictd dictionary, for the headwords kept (see
    the module)."""
    text = gzip.decompress(data.read_bytes())
    with index.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or len(parts[0]) < MIN_HEADWORD or not parts[0].isalpha():
                continue
            start, length = _number(parts[1]), _number(parts[2])
            entry = text[start:start + length].decode("utf-8", "replace")
            if not _noun_or_adjective(entry):
                continue
            phrase = _first_translation(entry)
            if phrase and 1 <= len(_WORD.findall(phrase)) <= MAX_WORDS:
                yield parts[0], phrase


@functools.lru_cache(maxsize=4)  # a process builds several indexes from the same dictionaries
def _table(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, dict[str, str]]:
    english = analyzer(stem_field("en"))
    out: dict[str, dict[str, str]] = {}
    for lang, code in FREEDICT.items():
        index, data = folder / f"freedict-{code}-eng.index", folder / f"freedict-{code}-eng.dict.dz"
        if not index.is_file() or not data.is_file() or lang not in STEMMED:
            continue
        stem = analyzer(stem_field(lang))
        table: dict[str, str] = {}
        for headword, phrase in read_entries(index, data):
            stems = stem.analyze(headword)
            target = [s for s in english.analyze(phrase) if len(s) > 1]
            if len(stems) == 1 and target and stems[0] not in table:
                table[stems[0]] = " ".join(target)
        out[lang] = table
    return out


def dictionary_table(folder: Path | None) -> dict[str, dict[str, str]]:
    """Per language, the stem of a headword -> the English stems of its translation (space
    between them), from the FreeDict dictionaries installed in ``folder``; empty for none."""
    if folder is None or not folder.is_dir():
        return {}
    stamp = tuple(sorted((p.name, p.stat().st_size, int(p.stat().st_mtime))
                         for p in folder.glob("freedict-*-eng.*")))
    return _table(folder, stamp)
