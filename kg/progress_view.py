"""Draw a command's progress: rich bars on a terminal, and one summary line per finished step.

When stderr is a terminal, each step shows a bar (count, total, rate, elapsed) on stderr and,
when it ends, its summary line ("extract: 10,000 papers in 41.2 s, 243 papers/s") above the
bars. When stderr is not a terminal (a pipe, a log file, a test), no bars are drawn and the
summary lines go to stdout, before the command's report, once the command has succeeded: stderr
keeps only warnings and errors, and a failed command prints its one error line and nothing
else (scripts rely on both). `quiet` leaves out bars and summaries. Imported by the CLI only (rich is a heavy import).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from kg.progress import Tick

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


def summary_line(tick: Tick, seconds: float) -> str:
    """The one line said when a step ends.

    Example:
        >>> summary_line(Tick("extract", 10000, 10000, "papers", True, "2 jobs"), 40.0)
        'extract: 10,000 papers in 40.0 s, 250 papers/s (2 jobs)'
    """
    per_s = tick.done / seconds if seconds > 0 else 0.0
    rate = f", {per_s:,.0f} {tick.unit}/s" if per_s >= 1 else ""  # not "0 views/s"
    note = f" ({tick.note})" if tick.note else ""
    return f"{tick.step}: {tick.done:,} {tick.unit} in {seconds:.1f} s{rate}{note}"


class ProgressView:
    """A `kg.progress.Reporter` for the terminal; use it as a context manager around the work."""

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self.has_bars = self.console.is_terminal and not quiet
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._started: dict[str, float] = {}
        self._lines: list[str] = []  # summaries held back when not on a terminal

    def __enter__(self) -> ProgressView:
        if self.has_bars:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                refresh_per_second=8,
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
        if kind is None:
            for line in self._lines:
                print(line, file=sys.stdout, flush=True)

    def __call__(self, tick: Tick) -> None:
        now = time.monotonic()
        started = self._started.setdefault(tick.step, now)
        if self._progress is not None:
            self._draw(tick, now - started)
        if tick.is_last and not self.quiet:
            line = summary_line(tick, now - started)
            if self.console.is_terminal:
                self.console.print(line, highlight=False, soft_wrap=True)
            else:
                self._lines.append(line)

    def _draw(self, tick: Tick, seconds: float) -> None:
        assert self._progress is not None
        rate = f"{tick.done / seconds:,.0f}/s" if seconds > 0.5 and tick.done else ""
        task = self._tasks.get(tick.step)
        if task is None:
            task = self._progress.add_task(tick.step, total=tick.total, unit=tick.unit, rate=rate)
            self._tasks[tick.step] = task
        self._progress.update(task, completed=tick.done, total=tick.total, rate=rate)
        if tick.is_last:
            self._progress.remove_task(task)
