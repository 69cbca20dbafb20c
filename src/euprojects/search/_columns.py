"""The participations of an index generation as columns: what the statistics of a search sum
by place and by organisation, read without a query to the store.

Every document of the index carries a number, ``row``. The columns give, for each row, the
participations of the project as the document was written: each one's place (the partner's
country and deepest NUTS code), its organisation (the id its records are linked under) and the
EU amount it received in EUR cents where the source gives one (CORDIS's ecContribution,
Kohesio's beneficiary amount). They are written with the documents, so they hold exactly what
the index holds, and a search's statistics are the columns' sums over the rows it matches
(numpy: a few passes over arrays instead of SQL over millions of rows).

Layout: ``columns/<first row>/`` folders in the generation, each a run of consecutive rows. A
rebuild writes one; each update of the generation adds one with the rows of the documents it
wrote and the rows of the documents it replaced ("dead": never matched again). A folder is
written whole under another name, then renamed: a reader sees it complete or not at all. The
arrays are memory-mapped: processes that serve the same generation share their pages.

Sums of cents are taken in 64-bit floats where numpy's bincount sums: exact while a sum stays
under 2**53 cents (about 90 000 billion euros)."""

from __future__ import annotations

import json
import os
import shutil
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import Organisation, Participation, Project
from ._compile import day_bounds
from ._documents import euro_cents
from ._query import SearchQuery

__all__ = ["PlaceRow", "OrganisationRow", "ParticipationStats", "Columns", "ColumnsWriter",
           "OrganisationFigures", "COLUMNS_DIR", "ROW_FACETS", "ROW_FILTERS",
           "participation_spans"]

COLUMNS_DIR = "columns"
# the run's first row, its row count, and the places and organisations new in it
_INFO = "info.json"
# per row: where its participations start (offsets), its unknown cents, its start day (or -1)
# and its values of ROW_FACETS and of ROW_FILTERS as bits (facets, filters); per participation:
# its place and organisation, each numbered with flags (see ColumnsWriter.add), its cents and
# whether the participant said it is an SME; the rows the run replaced (dead)
_ARRAYS = ("offsets", "unknown", "start", "facets", "filters", "place", "org", "cents", "sme",
           "dead")
# the project facets an organisation is found by, through its projects (search/_orgindex.py)
ROW_FACETS = ("source", "framework", "topic", "period")
# further facets of few values kept per row, so that a search of filters alone over them (and
# the start date) finds its rows without the index (Columns.select: the statistics of "every
# project with a partner in Spain" sum 4 of 7 million participations at 1M projects, and
# collecting the 440 000 rows from the index cost more than summing them)
ROW_FILTERS = ("country", "nuts1", "fund", "objective")
# a place's key: the partner's country, or its NUTS code cut to the level's length
_PLACE_SIZES = {"country": 2, "nuts1": 3, "nuts2": 4, "nuts3": 5}

Rows = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PlaceRow:
    """A country or region (``key``): the participations of partners there, and the EU
    amount they received where the source gives it (the projects with a partner there are
    the index's count)."""

    key: str
    participations: int
    received_cents: int  # the sum of the known amounts
    known: int  # how many of the participations have an amount


@dataclass(frozen=True)
class OrganisationRow:
    organisation_id: str  # the organisation (the id its records are linked under)
    projects: int
    received_cents: int


@dataclass(frozen=True)
class ParticipationStats:
    participations: int
    organisations: int
    received_cents: int  # the sum of every known participation amount
    unknown_cents: int  # of the projects' EU amounts, what no participation amount accounts for
    places: dict[str, tuple[PlaceRow, ...]] = field(default_factory=dict)  # country, nuts1-3
    organisations_by_amount: tuple[OrganisationRow, ...] = ()


@dataclass(frozen=True)
class OrganisationFigures:
    """Per organisation (by its number in ``columns.organisations``): see
    Columns.organisation_figures. ``place_org`` and ``place``: the (organisation, place)
    pairs, sorted by organisation."""

    columns: Columns
    projects: np.ndarray
    participations: np.ndarray
    received_cents: np.ndarray
    known: np.ndarray
    sme: np.ndarray
    latest_day: np.ndarray  # -1: no start date known
    bits: np.ndarray
    place_org: np.ndarray
    place: np.ndarray

    def number(self) -> dict[str, int]:
        """Organisation id -> its number."""
        return {key: n for n, key in enumerate(self.columns.organisations)}

    def values(self, n: int) -> list[tuple[str, str]]:
        """The (facet, value) pairs of an organisation's projects."""
        out = []
        for word, bits in enumerate(self.bits[n].tolist()):
            while bits:
                low = bits & -bits
                out.append(self.columns.values[64 * word + low.bit_length() - 1])
                bits ^= low
        return out

    def places(self, n: int) -> list[tuple[str, str]]:
        """The (country, NUTS code) places of an organisation's participations."""
        lo, hi = np.searchsorted(self.place_org, [n, n + 1])
        return [self.columns.places[i] for i in self.place[lo:hi].tolist()]


class ColumnsWriter:
    """The columns of the documents being written, from ``first_row`` on; ``places`` and
    ``organisations``: the keys the generation's earlier runs already numbered."""

    def __init__(self, first_row: int, places: Sequence[tuple[str, str]] = (),
                 organisations: Sequence[str] = (),
                 values: Sequence[tuple[str, str]] = (),
                 filter_values: Sequence[tuple[str, str]] = ()) -> None:
        self.first_row = first_row
        self._places = {key: n for n, key in enumerate(places)}
        self._organisations = {key: n for n, key in enumerate(organisations)}
        self._values = {key: n for n, key in enumerate(values)}
        self._filter_values = {key: n for n, key in enumerate(filter_values)}
        self._known = (len(places), len(organisations), len(values), len(filter_values))
        self._counts, self._unknown, self._start = array("q"), array("q"), array("q")
        # per row, its values of ROW_FACETS, and of ROW_FILTERS, as the bits of one integer
        self._bits: list[int] = []
        self._filter_bits: list[int] = []
        self._place, self._org, self._cents = array("q"), array("q"), array("q")
        self._sme = array("b")
        self.dead: set[int] = set()
        self.touched: set[str] = set()  # the organisations of the rows written

    @property
    def next_row(self) -> int:
        return self.first_row + len(self._counts)

    def add(self, project: Project,
            participants: Sequence[tuple[Participation, Organisation]],
            values: Mapping[str, Sequence[str]]) -> int:
        """Take the participations of a project; returns the row of its document. Each
        participation's place is numbered ``2 * place + known`` and its organisation
        ``4 * organisation + 2 * known + first`` (known: the amount is given; first: the
        organisation's first participation in the project), so that one count per place or
        organisation gives its participations, its known amounts and its projects. ``values``:
        the project's facet values (those of ROW_FACETS are kept)."""
        seen: set[int] = set()
        received = 0
        for participation, organisation in participants:
            place = (organisation.country or "",
                     organisation.nuts[-1][0] if organisation.nuts else "")
            org = self._organisations.setdefault(organisation.id, len(self._organisations))
            self.touched.add(organisation.id)
            cents = euro_cents(participation.eu_contribution)
            known = cents is not None
            self._place.append(2 * self._places.setdefault(place, len(self._places)) + known)
            self._org.append(4 * org + 2 * known + (org not in seen))
            self._cents.append(cents or 0)
            self._sme.append(participation.sme is True)
            seen.add(org)
            received += cents or 0
        self._bits.append(_bits(values, ROW_FACETS, self._values))
        self._filter_bits.append(_bits(values, ROW_FILTERS, self._filter_values))
        self._start.append(project.start_date.toordinal() if project.start_date else -1)
        eu = euro_cents(project.eu_contribution)
        self._counts.append(len(participants))
        # what no participation amount accounts for (never below 0: no split is guessed)
        self._unknown.append(max(0, eu - received) if eu is not None else 0)
        return self.next_row - 1

    def save(self, folder: Path) -> None:
        """Write the run into the generation ``folder`` (see the module)."""
        base = folder / COLUMNS_DIR
        base.mkdir(exist_ok=True)
        final = base / f"{self.first_row:012d}"
        tmp = base / f".{self.first_row:012d}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        arrays = {
            "offsets": np.concatenate(([0], np.cumsum(np.frombuffer(self._counts, np.int64)))),
            "unknown": np.frombuffer(self._unknown, np.int64),
            "start": np.frombuffer(self._start, np.int64).astype(np.int32),
            "facets": _words(self._bits, len(self._values)),
            "filters": _words(self._filter_bits, len(self._filter_values)),
            "place": np.frombuffer(self._place, np.int64).astype(np.int32),
            "org": np.frombuffer(self._org, np.int64).astype(np.int32),
            "cents": np.frombuffer(self._cents, np.int64),
            "sme": np.frombuffer(self._sme, np.int8),
            "dead": np.array(sorted(self.dead), np.int64),
        }
        for name, values in arrays.items():
            np.save(tmp / f"{name}.npy", values)
        (tmp / _INFO).write_text(json.dumps({
            "first_row": self.first_row, "rows": len(self._counts),
            "places": [list(key) for key in _new(self._places, self._known[0])],
            "organisations": _new(self._organisations, self._known[1]),
            "values": [list(key) for key in _new(self._values, self._known[2])],
            "filter_values": [list(key) for key in _new(self._filter_values, self._known[3])]}),
            encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)

    def remove(self, folder: Path) -> None:
        """Take back a run saved for documents that were then not written."""
        shutil.rmtree(folder / COLUMNS_DIR / f"{self.first_row:012d}", ignore_errors=True)


@dataclass(frozen=True)
class _Run:
    first_row: int
    rows: int
    arrays: dict[str, np.ndarray]


class Columns:
    """The columns of one generation as they stand on disk (see the module)."""

    def __init__(self, runs: list[_Run], places: list[tuple[str, str]],
                 organisations: list[str], values: list[tuple[str, str]],
                 filter_values: list[tuple[str, str]]) -> None:
        self.runs = runs
        self.places = places
        self.organisations = organisations
        self.values = values  # (facet, value) of each bit of the rows' facets
        self.filter_values = filter_values  # (facet, value) of each bit of the rows' filters
        # each (facet, value) -> its bit, in the array that holds it (for select)
        self._bits = {"facets": {key: n for n, key in enumerate(values)},
                      "filters": {key: n for n, key in enumerate(filter_values)}}
        self.rows = runs[-1].first_row + runs[-1].rows if runs else 0
        dead = [run.arrays["dead"] for run in runs if len(run.arrays["dead"])]
        self.dead: Rows = np.unique(np.concatenate(dead)) if dead else np.empty(0, np.int64)

    @staticmethod
    def names(folder: Path) -> tuple[str, ...]:
        """The runs written in a generation folder (what a loaded Columns depends on)."""
        try:
            return tuple(sorted(p.name for p in (folder / COLUMNS_DIR).iterdir()
                                if not p.name.startswith(".")))
        except FileNotFoundError:
            return ()

    @classmethod
    def load(cls, folder: Path) -> Columns:
        runs: list[_Run] = []
        places: list[tuple[str, str]] = []
        organisations: list[str] = []
        values: list[tuple[str, str]] = []
        filter_values: list[tuple[str, str]] = []
        for name in cls.names(folder):
            path = folder / COLUMNS_DIR / name
            info = json.loads((path / _INFO).read_text(encoding="utf-8"))
            if runs and info["first_row"] != runs[-1].first_row + runs[-1].rows:
                raise ValueError(f"columns run {name} does not follow the one before it")
            runs.append(_Run(int(info["first_row"]), int(info["rows"]),
                             {a: np.load(path / f"{a}.npy", mmap_mode="r") for a in _ARRAYS}))
            places.extend((str(c), str(n)) for c, n in info["places"])
            organisations.extend(str(o) for o in info["organisations"])
            values.extend((str(f), str(v)) for f, v in info["values"])
            filter_values.extend((str(f), str(v)) for f, v in info["filter_values"])
        return cls(runs, places, organisations, values, filter_values)

    def organisations_of(self, rows: Iterable[int]) -> set[str]:
        """The organisations that took part in the projects of these rows."""
        out: set[str] = set()
        for row in rows:
            for run in self.runs:
                if run.first_row <= row < run.first_row + run.rows:
                    start, end = run.arrays["offsets"][row - run.first_row:][:2].tolist()
                    out.update(self.organisations[int(code) >> 2]
                               for code in run.arrays["org"][start:end])
        return out

    def select(self, query: SearchQuery) -> Rows | None:
        """The live rows of the projects a search of filters alone matches, sorted, read
        from the rows' facet bits and start days as the index would answer it (the same
        values, OR inside a facet, AND between facets and the start date's range). None when
        the columns cannot tell: words, a facet outside ROW_FACETS and ROW_FILTERS, another
        range; the index answers those."""
        if query.q.strip() or set(query.ranges) - {"start_date"}:
            return None
        numbered = self._bits
        groups: list[tuple[str, list[int]]] = []
        for name, chosen in query.filters.items():
            kind = "facets" if name in ROW_FACETS else "filters" if name in ROW_FILTERS else ""
            if not kind:
                return None
            groups.append((kind, [numbered[kind][(name, v)] for v in chosen
                                  if (name, v) in numbered[kind]]))
        days = day_bounds(*query.ranges["start_date"]) if "start_date" in query.ranges else ()
        found: list[Rows] = []
        for run in self.runs:
            mask = np.ones(run.rows, bool)
            for kind, bits in groups:
                mask &= _any_bit(run.arrays[kind], bits)
            if days is None:  # a range no day can be in
                mask[:] = False
            elif days:
                start = run.arrays["start"]
                mask &= start >= 0
                first, last = days
                if first is not None:
                    mask &= start >= first.toordinal()
                if last is not None:
                    mask &= start <= last.toordinal()
            found.append(np.flatnonzero(mask) + run.first_row)
        rows = np.concatenate(found).astype(np.int64) if found else np.empty(0, np.int64)
        if len(self.dead):
            rows = rows[~np.isin(rows, self.dead, assume_unique=True)]
        return rows

    def writer(self, first_row: int) -> ColumnsWriter:
        """A writer of the run that follows (``first_row``: at least the rows held)."""
        return ColumnsWriter(max(first_row, self.rows), self.places, self.organisations,
                             self.values, self.filter_values)

    def statistics(self, rows: Rows | None, top: int = 20) -> ParticipationStats:
        """The sums of the participations of these rows, sorted (None: of every live row)."""
        if rows is None and len(self.dead):
            rows = np.setdiff1d(np.arange(self.rows, dtype=np.int64), self.dead,
                                assume_unique=True)
        n_places, n_orgs = 2 * len(self.places), 4 * len(self.organisations)  # with flags
        place_n = np.zeros(n_places, np.int64)
        place_cents = np.zeros(n_places)
        org_n = np.zeros(n_orgs, np.int64)
        org_cents = np.zeros(n_orgs)
        participations = received = unknown = 0
        for run in self.runs:
            a = run.arrays
            if rows is None:  # every row of the run
                unknown += int(a["unknown"].sum())
                idx: slice | np.ndarray = slice(None)
            else:
                lo, hi = np.searchsorted(rows, [run.first_row, run.first_row + run.rows])
                if lo == hi:
                    continue
                sel = rows[lo:hi] - run.first_row
                unknown += int(a["unknown"][sel].sum())
                idx = participation_spans(a["offsets"], sel)
            place, org, cents = a["place"][idx], a["org"][idx], a["cents"][idx]
            participations += len(place)
            received += int(cents.sum())
            place_n += np.bincount(place, minlength=n_places)
            place_cents += np.bincount(place, weights=cents, minlength=n_places)
            org_n += np.bincount(org, minlength=n_orgs)
            org_cents += np.bincount(org, weights=cents, minlength=n_orgs)
        # unfold the flags: [place, known] and [organisation, known, first]
        places = place_n.reshape(-1, 2)
        orgs = org_n.reshape(-1, 2, 2)
        return ParticipationStats(
            participations=participations,
            organisations=int(np.count_nonzero(orgs.sum(axis=(1, 2)))),
            received_cents=received,
            unknown_cents=unknown,
            places=self._places(places.sum(axis=1),
                                np.rint(place_cents.reshape(-1, 2).sum(axis=1)).astype(np.int64),
                                places[:, 1]),
            organisations_by_amount=self._top(
                orgs[:, :, 1].sum(axis=1),
                np.rint(org_cents.reshape(-1, 4).sum(axis=1)).astype(np.int64),
                orgs[:, 1, :].sum(axis=1), top),
        )

    def organisation_figures(self) -> OrganisationFigures:
        """What every organisation did, over the live rows: its projects, what it received,
        its latest start, whether it said it is an SME, its places and its projects' values
        of ROW_FACETS (search/_orgindex.py)."""
        n_orgs, n_places = len(self.organisations), len(self.places)
        width = max(1, (len(self.values) + 63) // 64)
        projects = np.zeros(n_orgs, np.int64)
        participations = np.zeros(n_orgs, np.int64)
        cents = np.zeros(n_orgs)
        known = np.zeros(n_orgs, np.int64)
        sme = np.zeros(n_orgs, np.int64)
        latest = np.full(n_orgs, -1, np.int64)
        bits = np.zeros((n_orgs, width), np.uint64)
        places: list[np.ndarray] = []
        for run in self.runs:
            a = run.arrays
            counts = np.diff(a["offsets"])
            row = np.repeat(np.arange(run.rows, dtype=np.int64), counts)
            dead = self.dead[(self.dead >= run.first_row)
                             & (self.dead < run.first_row + run.rows)] - run.first_row
            live = ~np.isin(row, dead) if len(dead) else np.ones(len(row), bool)
            code = a["org"][live].astype(np.int64)
            org, row = code >> 2, row[live]
            projects += np.bincount(org, weights=code & 1, minlength=n_orgs).astype(np.int64)
            participations += np.bincount(org, minlength=n_orgs)
            cents += np.bincount(org, weights=a["cents"][live], minlength=n_orgs)
            known += np.bincount(org, weights=(code >> 1) & 1,
                                 minlength=n_orgs).astype(np.int64)
            sme += np.bincount(org, weights=a["sme"][live], minlength=n_orgs).astype(np.int64)
            np.maximum.at(latest, org, a["start"][row].astype(np.int64))
            facets = a["facets"]
            for word in range(facets.shape[1]):
                np.bitwise_or.at(bits[:, word], org, facets[row, word])
            places.append(np.unique(org * n_places + (a["place"][live].astype(np.int64) >> 1)))
        pairs = np.unique(np.concatenate(places)) if places else np.empty(0, np.int64)
        return OrganisationFigures(
            self, projects, participations, np.rint(cents).astype(np.int64), known, sme > 0,
            latest, bits, pairs // max(n_places, 1), pairs % max(n_places, 1))

    def _places(self, n: np.ndarray, cents: np.ndarray, known: np.ndarray
                ) -> dict[str, tuple[PlaceRow, ...]]:
        """The sums by country and by NUTS level, each level summed from the finest places."""
        sums: dict[str, dict[str, list[int]]] = {name: {} for name in _PLACE_SIZES}
        for i in np.flatnonzero(n):
            country, nuts = self.places[i]
            keys = {"country": country, **{name: nuts[:size] if len(nuts) >= size else ""
                                           for name, size in _PLACE_SIZES.items()
                                           if name != "country"}}
            for name, key in keys.items():
                if key:
                    row = sums[name].setdefault(key, [0, 0, 0])
                    row[0] += int(n[i])
                    row[1] += int(cents[i])
                    row[2] += int(known[i])
        return {name: tuple(PlaceRow(key, *values) for key, values in sorted(rows.items()))
                for name, rows in sums.items()}

    def _top(self, projects: np.ndarray, cents: np.ndarray, known: np.ndarray,
             top: int) -> tuple[OrganisationRow, ...]:
        """The organisations that received most (among those with a known amount), the
        largest first, then by id."""
        held = np.flatnonzero(known)
        if len(held) > top > 0:  # only those at least as large as the top-th
            bar = np.partition(cents[held], len(held) - top)[len(held) - top]
            held = held[cents[held] >= bar]
        best = sorted(held.tolist(), key=lambda i: (-int(cents[i]), self.organisations[i]))
        return tuple(OrganisationRow(self.organisations[i], int(projects[i]), int(cents[i]))
                     for i in best[:top])


def participation_spans(offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions of the participations of ``rows`` (each row's span of the offsets)."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, np.int64)
    kind = np.int32 if len(offsets) and int(offsets[-1]) < 2**31 else np.int64  # half the bytes
    # each position is its row's start plus its rank within the row
    shift = np.repeat((starts - (np.cumsum(lengths) - lengths)).astype(kind), lengths)
    return shift + np.arange(total, dtype=kind)


def _new(numbered: Mapping[Any, int], known: int) -> list[Any]:
    """The keys numbered from ``known`` on, in their order."""
    return [key for key, n in sorted(numbered.items(), key=lambda kv: kv[1]) if n >= known]


def _any_bit(words: np.ndarray, bits: Sequence[int]) -> npt.NDArray[np.bool_]:
    """Which rows of ``words`` (rows of 64-bit words, see _words) have any of ``bits``."""
    masks: dict[int, int] = {}
    for bit in bits:
        masks[bit // 64] = masks.get(bit // 64, 0) | 1 << (bit % 64)
    hit = np.zeros(len(words), bool)
    for word, mask in masks.items():
        if word < words.shape[1]:  # a run written before the value was numbered has none
            hit |= (words[:, word] & np.uint64(mask)) != 0
    return hit


def _bits(values: Mapping[str, Sequence[str]], facets: Sequence[str],
          numbered: dict[tuple[str, str], int]) -> int:
    """A row's values of ``facets`` as the bits of one integer (new values numbered)."""
    bits = 0
    for name in facets:
        for value in values.get(name, ()):
            bits |= 1 << numbered.setdefault((name, value), len(numbered))
    return bits


def _words(bits: Sequence[int], values: int) -> np.ndarray:
    """Integers of up to ``values`` bits as rows of 64-bit words, the lowest bits first."""
    width = max(1, (values + 63) // 64)
    out = np.zeros((len(bits), width), np.uint64)
    for word in range(width):
        out[:, word] = np.fromiter(((b >> (64 * word)) & 0xFFFF_FFFF_FFFF_FFFF for b in bits),
                                   np.uint64, len(bits))
    return out
