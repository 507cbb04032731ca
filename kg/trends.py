"""What is rising, falling and new: papers per month or year, per concept, from dated papers.

Each paper falls in one period: its month (from its date) or its year. Papers with no date
and no year are counted apart; with `by="month"`, so are papers that give only a year. The
periods run from the first dated paper to the last, empty ones included.

Rising and falling compare two windows: the recent one (from `since`, by default the last
third of the periods) and the earlier one (every period before). A concept in `a` papers of
the recent window's `n2` and `b` of the earlier one's `n1` has a share `a/n2` now and `b/n1`
before. If its share had not changed, `a` would be about `(a+b)·n2/(n1+n2)`: we take the Wilson
95% interval of `a/(a+b)` and turn it into an interval for the ratio of the two shares (the
rate ratio). A concept rises when the whole interval is above 1 (its share grew at least by
the interval's low end, `bound`), falls when it is below 1, and needs `min_papers` (5) papers
in the two windows together. So two papers against none is no trend, and a busy month does
not lift every concept: shares, not counts, are compared.

Partial periods: a first or last period holding under half the median papers of the periods
(a corpus collected mid-month) is marked `partial`, shown, and left out of both windows, so an
unfinished month never reads as a fall. "New since" lists concepts whose first dated paper
in this corpus is in or after the `since` period (a paper dated by year only, in an earlier
year or the same year when `since` is a later month, rules a concept out).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from statistics import median
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from kg.errors import KGError
from kg.rates import FDR, binomial_p, q_values, share_ratio_bound

if TYPE_CHECKING:
    from kg.graph import GraphData

By = Literal["month", "year"]
MIN_PAPERS = 5  # a concept needs this many papers in the two windows to rise or fall
MAX_MONTH_SPAN = 36  # automatic choice: months below three years of dated papers, else years
_SINCE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class ConceptInfo(NamedTuple):
    """What trends show of a concept."""

    name: str
    type: str
    generic: bool = False


@dataclass(frozen=True, slots=True)
class Period:
    """A month ("2026-01") or a year ("2026") and how many papers fall in it."""

    label: str
    papers: int
    partial: bool = False  # an end period with few papers: shown, not compared


@dataclass(frozen=True, slots=True)
class ConceptTrend:
    """One concept over the periods, and its two windows."""

    id: str
    name: str
    type: str
    generic: bool
    counts: tuple[int, ...]  # papers naming it in each period of Trends.periods
    first: str  # the first period it is named in
    earlier: int  # papers in the earlier window
    recent: int  # papers in the recent window
    share_earlier: float
    share_recent: float
    bound: float  # rising: the share grew at least this much; falling: at most this; else 1.0
    p: float = 1.0  # exact two-sided binomial test of "no change" (1.0: not compared)
    q: float = 1.0  # p adjusted for comparing many concepts (Benjamini-Hochberg)

    def to_json(self) -> dict[str, object]:
        """The row as JSON-ready values (shares and bound rounded to 6 places)."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "generic": self.generic,
            "counts": list(self.counts),
            "first": self.first,
            "earlier": self.earlier,
            "recent": self.recent,
            "share_earlier": round(self.share_earlier, 6),
            "share_recent": round(self.share_recent, 6),
            "bound": round(self.bound, 6),
            "p": round(self.p, 6),
            "q": round(self.q, 6),
        }


@dataclass(frozen=True, slots=True)
class Trends:
    """Periods, windows and the concepts that rise, fall, are new or are named most."""

    by: By
    periods: tuple[Period, ...]
    since: str  # the first period of the recent window, and of "new since"
    n_papers: int
    n_undated: int  # no date and no year
    n_coarse: int  # by month: a year but no date, so no month
    earlier_papers: int
    recent_papers: int
    rising: tuple[ConceptTrend, ...]
    falling: tuple[ConceptTrend, ...]
    new: tuple[ConceptTrend, ...]
    n_new: int  # every concept first named since `since` (the list is capped)
    top: tuple[ConceptTrend, ...]
    n_compared: int = 0  # concepts with min_papers papers in the two windows
    n_rising: int = 0  # of those, rising (the lists are capped)
    n_falling: int = 0
    n_sure: int = 0  # rising or falling with q <= 0.05

    def to_json(self) -> dict[str, object]:
        """Everything as JSON-ready values."""
        return {
            "by": self.by,
            "periods": [
                {"period": p.label, "papers": p.papers, "partial": p.partial} for p in self.periods
            ],
            "since": self.since,
            "papers": self.n_papers,
            "undated": self.n_undated,
            "year_only": self.n_coarse,
            "earlier_papers": self.earlier_papers,
            "recent_papers": self.recent_papers,
            "rising": [c.to_json() for c in self.rising],
            "falling": [c.to_json() for c in self.falling],
            "new": [c.to_json() for c in self.new],
            "n_new": self.n_new,
            "compared": self.n_compared,
            "n_rising": self.n_rising,
            "n_falling": self.n_falling,
            "n_sure": self.n_sure,
            "top": [c.to_json() for c in self.top],
        }


class NoDates(KGError):
    """No paper of the corpus has a date or a year."""

    def __init__(self, where: str = "the corpus") -> None:
        super().__init__(
            f"no paper in {where} has a date; trends need papers with a year or a date "
            "(build from a dated source: arXiv, OpenAlex, BibTeX with year, or --sample recent)"
        )


def parse_since(text: str) -> tuple[int, int]:
    """A year, month or day as (year, month); a year means its January.

    Example:
        >>> parse_since("2026"), parse_since("2026-03"), parse_since("2026-03-15")
        ((2026, 1), (2026, 3), (2026, 3))
    """
    found = _SINCE.match(text.strip())
    try:
        if not found:
            raise ValueError(text)
        year, month = int(found[1]), int(found[2] or 1)
        dt.date(year, month, int(found[3] or 1))
    except ValueError:
        raise KGError(
            f"--since {text!r}: give a year, a month or a day (2026, 2026-01 or 2026-01-15)"
        ) from None
    return year, month


def _when(year: object, date: object) -> tuple[int, int | None] | None:
    """(year, month) from a paper's ISO date, else (year, None) from its year, else None."""
    if isinstance(date, str) and re.match(r"^\d{4}-\d{2}", date):
        return int(date[:4]), int(date[5:7])
    return (year, None) if isinstance(year, int) and not isinstance(year, bool) else None


def _label(by: By, year: int, month: int) -> str:
    return f"{year:04d}" if by == "year" else f"{year:04d}-{month:02d}"


def _choose_by(whens: list[tuple[int, int | None]]) -> By:
    """Months when most dated papers have a month and they span under three years."""
    months = [y * 12 + m - 1 for y, m in whens if m is not None]
    if not months or 2 * len(months) < len(whens):
        return "year"
    return "month" if max(months) - min(months) < MAX_MONTH_SPAN else "year"


def compute_trends(
    dates: Mapping[str, tuple[object, object]],
    mentions: Iterable[tuple[str, str]],
    concepts: Mapping[str, ConceptInfo],
    *,
    by: By | None = None,
    since: str | None = None,
    ctype: str | None = None,
    limit: int = 10,
    min_papers: int = MIN_PAPERS,
    where: str = "the corpus",
) -> Trends:
    """Trends of a corpus.

    Args:
        dates: paper id -> (year, ISO date), either may be None.
        mentions: (paper id, concept id), once per pair.
        concepts: concept id -> its name, type and broadness.
        by: "month" or "year"; None chooses (months below three years of dated papers).
        since: first period of the recent window and of "new since" (2026, 2026-01, 2026-01-15);
            None: the last third of the periods.
        ctype: only concepts of this type in the lists (any case).
        where: names the corpus in the error when nothing is dated.
    """
    whens = {pid: w for pid, (year, date) in dates.items() if (w := _when(year, date))}
    if not whens:
        raise NoDates(where)
    by = by or _choose_by(list(whens.values()))
    slots = {pid: _label(by, y, m or 1) for pid, (y, m) in whens.items() if by == "year" or m}
    labels = _labels(by, sorted(whens.values(), key=lambda w: (w[0], w[1] or 0)), slots)
    where_in = {label: i for i, label in enumerate(labels)}
    per_period = Counter(where_in[s] for s in slots.values())
    periods = _periods(labels, per_period)
    scored = [i for i, p in enumerate(periods) if not p.partial]
    start = _since_index(since, by, labels, scored)
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    coarse_years: dict[str, list[int]] = defaultdict(list)
    for paper_id, concept_id in mentions:
        if paper_id in slots:
            counts[concept_id][where_in[slots[paper_id]]] += 1
        elif paper_id in whens:
            coarse_years[concept_id].append(whens[paper_id][0])
    n1 = sum(periods[i].papers for i in scored if i < start)
    n2 = sum(periods[i].papers for i in scored if i >= start)
    windows = (n1, n2, {i for i in scored if i < start}, {i for i in scored if i >= start})
    rows = _adjusted(
        min_papers if n1 and n2 else None,
        [
            _trend(cid, concepts[cid], per, labels, windows, min_papers)
            for cid, per in counts.items()
            if cid in concepts and (not ctype or concepts[cid].type.lower() == ctype.lower())
        ],
    )
    since_year = int(labels[start][:4])
    since_month = 1 if by == "year" else int(labels[start][5:7])
    new = [
        r
        for r in rows
        if where_in[r.first] >= start
        and all(
            y > since_year or (y == since_year and since_month == 1) for y in coarse_years[r.id]
        )
    ]
    return Trends(
        by=by,
        periods=periods,
        since=labels[start],
        n_papers=len(dates),
        n_undated=len(dates) - len(whens),
        n_coarse=len(whens) - len(slots),
        earlier_papers=n1,
        recent_papers=n2,
        rising=tuple(sorted((r for r in rows if r.bound > 1), key=_rising)[:limit]),
        falling=tuple(sorted((r for r in rows if r.bound < 1), key=_falling)[:limit]),
        new=tuple(sorted(new, key=lambda r: (-sum(r.counts[start:]), r.name, r.id))[:limit]),
        n_new=len(new),
        n_compared=sum(r.earlier + r.recent >= min_papers for r in rows) if n1 and n2 else 0,
        n_rising=sum(r.bound > 1 for r in rows),
        n_falling=sum(r.bound < 1 for r in rows),
        n_sure=sum(r.bound != 1 and r.q <= FDR for r in rows),
        top=tuple(sorted(rows, key=lambda r: (-sum(r.counts), r.name, r.id))[:limit]),
    )


def _labels(by: By, whens: list[tuple[int, int | None]], slots: Mapping[str, str]) -> list[str]:
    """Every period from the first placed paper to the last (all papers by year; by month,
    the papers with a month, else the years' months)."""
    if by == "year":
        return [f"{y:04d}" for y in range(whens[0][0], whens[-1][0] + 1)]
    placed = sorted(set(slots.values()))
    if not placed:
        raise KGError("no paper has a month (only years): use --by year")
    first, last = placed[0], placed[-1]
    y, m = int(first[:4]), int(first[5:7])
    labels = []
    while (label := _label("month", y, m)) <= last:
        labels.append(label)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return labels


def _periods(labels: list[str], per_period: Counter[int]) -> tuple[Period, ...]:
    """Periods with their papers; an end period under half the median is partial."""
    n = [per_period[i] for i in range(len(labels))]
    half = median(n) / 2 if len(n) >= 3 else 0
    ends = {0, len(n) - 1} if len(n) >= 3 else set()
    return tuple(Period(label, n[i], i in ends and n[i] < half) for i, label in enumerate(labels))


def _since_index(since: str | None, by: By, labels: list[str], scored: list[int]) -> int:
    """The index of the recent window's first period."""
    if since is None:
        if len(scored) < 2:
            return scored[-1] if scored else len(labels) - 1
        return scored[len(scored) - math.ceil(len(scored) / 3)]
    year, month = parse_since(since)
    label = _label(by, year, month)
    if not labels[0] < label <= labels[-1]:
        raise KGError(
            f"--since {since!r}: the dated papers run {labels[0]} … {labels[-1]}; give a {by} "
            "after the first (the papers before it are what the recent ones are compared with) "
            "and up to the last"
        )
    return labels.index(label)


def _trend(
    concept_id: str,
    info: ConceptInfo,
    per: Counter[int],
    labels: list[str],
    windows: tuple[int, int, set[int], set[int]],
    min_papers: int,
) -> ConceptTrend:
    n1, n2, early, late = windows
    b = sum(k for i, k in per.items() if i in early)
    a = sum(k for i, k in per.items() if i in late)
    return ConceptTrend(
        id=concept_id,
        name=info.name,
        type=info.type,
        generic=info.generic,
        counts=tuple(per[i] for i in range(len(labels))),
        first=labels[min(per)],
        earlier=b,
        recent=a,
        share_earlier=b / n1 if n1 else 0.0,
        share_recent=a / n2 if n2 else 0.0,
        bound=share_ratio_bound(a, n2, b, n1) if a + b >= min_papers else 1.0,
        p=binomial_p(a, a + b, n2 / (n1 + n2)) if a + b >= min_papers and n1 and n2 else 1.0,
    )


def _adjusted(min_papers: int | None, rows: list[ConceptTrend]) -> list[ConceptTrend]:
    """Each compared concept (`min_papers` papers or more; None: nothing compared) with its q."""
    if min_papers is None:
        return rows
    compared = sorted(
        (r for r in rows if r.earlier + r.recent >= min_papers), key=lambda r: (r.p, r.id)
    )
    qs = {r.id: q for r, q in zip(compared, q_values([r.p for r in compared]), strict=True)}
    return [replace(r, q=qs[r.id]) if r.id in qs else r for r in rows]


def _rising(r: ConceptTrend) -> tuple[float, int, str, str]:
    return (-r.bound, -r.recent, r.name, r.id)


def _falling(r: ConceptTrend) -> tuple[float, int, str, str]:
    return (r.bound, -r.earlier, r.name, r.id)


def trends_of_data(data: GraphData, **options: Any) -> Trends:
    """Trends of a build's graph rows (see compute_trends for the options)."""
    dates = {p.id: (p.year, p.date) for p in data.papers}
    concepts = {c.id: ConceptInfo(c.name, str(c.type), c.generic) for c in data.concepts}
    mentions = ((m.paper_id, m.concept_id) for m in data.mentions)
    return compute_trends(dates, mentions, concepts, **options)
