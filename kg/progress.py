"""Progress of long steps, reported through a callback: the library counts, the CLI draws.

A step reports `Tick`s: one when it starts (done=0), some while it runs (at most every
REPORT_EVERY_S seconds), and one with `is_last` when it ends. Nothing here prints.

Example:
    >>> ticks = []
    >>> with step(ticks.append, "extract", total=2, unit="papers") as advance:
    ...     advance(2)
    >>> [(t.step, t.done, t.total, t.is_last) for t in ticks]
    [('extract', 0, 2, False), ('extract', 2, 2, False), ('extract', 2, 2, True)]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

REPORT_EVERY_S = 0.1


@dataclass(frozen=True, slots=True)
class Tick:
    """How far one step has come."""

    step: str  # "read", "extract", "graph", "database", "views"
    done: int
    total: int | None  # None while unknown (e.g. records of a file being read)
    unit: str  # what is counted: "records", "papers", "rows", "views"
    is_last: bool = False
    note: str = ""  # a few words for the summary line, e.g. "2 jobs, 9,100 reused"


Reporter = Callable[[Tick], None]


class _Counter:
    """The running count of one step, passed on to the reporter at most every REPORT_EVERY_S."""

    def __init__(self, report: Reporter | None, name: str, total: int | None, unit: str) -> None:
        self.report, self.name, self.total, self.unit = report, name, total, unit
        self.done, self.note, self.last = 0, "", 0.0

    def __call__(self, n: int = 1, note: str = "") -> None:
        self.done += n
        self.note = note or self.note
        now = time.monotonic()
        if self.report is not None and now - self.last >= REPORT_EVERY_S:
            self.last = now
            self.report(Tick(self.name, self.done, self.total, self.unit))

    def tick(self, *, is_last: bool = False) -> Tick:
        total = max(self.total or 0, self.done) if is_last else self.total
        return Tick(self.name, self.done, total, self.unit, is_last=is_last, note=self.note)


@contextmanager
def step(
    report: Reporter | None, name: str, *, total: int | None = None, unit: str = "items"
) -> Iterator[Callable[..., None]]:
    """Report a step's start, its progress through the yielded `advance(n=1, note="")`, and its end.

    The end is reported only when the step succeeds; a failing step just stops ticking.
    """
    counter = _Counter(report, name, total, unit)
    if report is not None:
        report(counter.tick())
    yield counter
    if report is not None:
        report(counter.tick(is_last=True))
