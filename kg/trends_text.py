"""Trends as aligned text tables for `kg trends`, with a one-line sparkline per concept."""

from __future__ import annotations

import math
from collections.abc import Sequence

from kg.rates import FDR
from kg.trends import MIN_PAPERS, ConceptTrend, Period, Trends

BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Sequence[int]) -> str:
    """One character per period, the tallest bar at the largest count; "·" for none.

    Example:
        >>> sparkline([0, 1, 2, 4, 8])
        '·▁▂▄█'
    """
    top = max(counts, default=0)
    return "".join(
        "·" if not k else BARS[max(0, math.ceil(k / top * len(BARS)) - 1)] for k in counts
    )


def _span(periods: Sequence[Period]) -> str:
    if not periods:
        return "none"
    first, last = periods[0].label, periods[-1].label
    return first if first == last else f"{first} … {last}"


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        cells = (
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        return "  " + "  ".join(cells).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _name(row: ConceptTrend, limit: int = 48) -> str:
    name = row.name if len(row.name) <= limit else row.name[: limit - 1] + "…"
    return name + (" *" if row.generic else "")


def _moving(rows: Sequence[ConceptTrend], per: str) -> list[str]:
    if not rows:
        return ["  (none)"]
    header = ["concept", "type", "before", "now", "share before", "share now", "change", "q", per]
    body = [
        [
            _name(r),
            r.type,
            str(r.earlier),
            str(r.recent),
            _percent(r.share_earlier),
            _percent(r.share_recent),
            (f"≥ ×{r.bound:.2f}" if r.bound > 1 else f"≤ ×{r.bound:.2f}"),
            q_text(r.q),
            sparkline(r.counts),
        ]
        for r in rows
    ]
    return _table(header, body, {2, 3, 4, 5, 6, 7})


def q_text(q: float) -> str:
    """q to two significant digits: 0.0037, 0.21."""
    return f"{q:.2g}" if q >= 0.001 else "<0.001"


def chance_note(found: Trends) -> str:
    """How many concepts were compared, how many would pass by chance, how many hold up."""
    n = found.n_compared
    return (
        f"{n} concepts compared: {found.n_rising} rise and {found.n_falling} fall at 95% each, "
        f"where about {round(0.05 * n)} would by chance alone; {found.n_sure} with q ≤ "
        f"{FDR} (Benjamini-Hochberg: false discoveries held to {100 * FDR:.0f}%)"
    )


def _listed(rows: Sequence[ConceptTrend], per: str, *, start: int = 0) -> list[str]:
    """Concepts with their papers from period `start` on, first period and sparkline."""
    if not rows:
        return ["  (none)"]
    header = ["concept", "type", "papers since" if start else "papers", "first", per]
    body = [
        [_name(r), r.type, str(sum(r.counts[start:])), r.first, sparkline(r.counts)] for r in rows
    ]
    return _table(header, body, {2})


def format_trends(found: Trends) -> str:
    """The summary, the windows compared, then rising, falling, new and most-named concepts."""
    per = f"per {found.by}"
    periods = found.periods
    placed = sum(p.papers for p in periods)
    apart = [f"{found.n_coarse} with a year only"] if found.n_coarse else []
    apart += [f"{found.n_undated} undated"] if found.n_undated else []
    recent = [p for p in periods if p.label >= found.since and not p.partial]
    earlier = [p for p in periods if p.label < found.since and not p.partial]
    partial = [f"{p.label} ({p.papers} papers)" for p in periods if p.partial]
    lines = [
        f"{found.n_papers} papers: {placed} by {found.by} ({_span(periods)})"
        + "".join(f", {a}" for a in apart),
        f"compared: {_span(recent)} ({found.recent_papers} papers) against {_span(earlier)} "
        f"({found.earlier_papers} papers), by the share of papers naming each concept "
        f"(at least {MIN_PAPERS} papers in the two)",
    ]
    if partial:
        lines.append(f"partial, shown but not compared: {', '.join(partial)}")
    lines.append(chance_note(found))
    lines += [
        f"papers {per}: {' '.join(str(p.papers) for p in periods)}",
        "",
        "Rising (change: the share of papers grew at least this much, the low end of its 95% "
        "interval; q: its chance after comparing them all)",
        *_moving(found.rising, per),
        "",
        "Falling (change: the share of papers shrank at least to this, the high end of its 95% "
        "interval)",
        *_moving(found.falling, per),
        "",
        f"New since {found.since} ({found.n_new} concepts first named in this corpus's "
        f"dated papers then; {len(found.new)} shown)",
        *_listed(found.new, per, start=[p.label for p in periods].index(found.since)),
        "",
        "Most papers",
        *_listed(found.top, per),
    ]
    if any(r.generic for r in (*found.rising, *found.falling, *found.new, *found.top)):
        lines += ["", '* a broad class, such as "large language model"']
    return "\n".join(lines)
