"""Progress of long commands: bars on a terminal (kg run under a pty), step summaries, --quiet,
and the library's ticks (kg.progress)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import build
from kg.progress import Tick

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "inputs" / "papers.jsonl"
RECENT = ROOT / "kg" / "sample" / "recent" / "papers.jsonl.gz"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
STEPS = ("read", "extract", "graph", "database", "views")


def kg_env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "TERM": "xterm", "COLUMNS": "120"}


def run_in_pty(
    args: list[str], *, until: Callable[[str], bool] | None = None, timeout: float = 120
) -> list[tuple[float, str]]:
    """Run `kg ARGS` with stdout and stderr on a pseudo-terminal; return (seconds since start,
    text without ANSI codes) of each read. Stop the run and its workers (SIGKILL) once
    `until(all text)`."""
    master, slave = os.openpty()
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=slave,
        stderr=slave,
        env=kg_env(),
        start_new_session=True,  # so that its --jobs workers are stopped with it
    )
    os.close(slave)
    reads: list[tuple[float, str]] = []
    try:
        while time.monotonic() - began < timeout:
            if not select.select([master], [], [], 0.05)[0]:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            reads.append((time.monotonic() - began, ANSI.sub("", data.decode(errors="replace"))))
            if until is not None and until("".join(text for _, text in reads)):
                break
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the build and any workers it started
        proc.wait(timeout=30)
        os.close(master)
    return reads


def startup_seconds() -> float:
    """How long `kg --help` takes here, now: Python's and kg's start, which no bar can precede."""
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, env=kg_env())
    return time.monotonic() - began


def corpus_of(n: int, path: Path) -> Path:
    """`n` papers made from the bundled 2,000 recent ones (copies get new ids)."""
    with gzip.open(RECENT, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            row = dict(rows[i % len(rows)], id=f"9{i:06d}")
            out.write(json.dumps(row) + "\n")
    return path


@pytest.mark.slow
def test_progress_5000_paper_build_shows_bars_from_its_first_second(tmp_path: Path) -> None:
    papers = corpus_of(5000, tmp_path / "papers.jsonl")
    extracting = re.compile(
        r"extract\s.*[1-9][\d,]*/5000 papers\s+[\d.,]+/s"
    )  # a live count and rate
    reads = run_in_pty(
        ["build", str(papers), "-o", str(tmp_path / "out")],
        until=lambda text: extracting.search(text) is not None,
        timeout=180,
    )
    first_bar = next(at for at, text in reads if re.search(r"read\s.*\d+/\S* records", text))
    assert first_bar < startup_seconds() + 1.0, reads[:3]  # 0.5 s on an idle machine
    text = "".join(text for _, text in reads)
    assert re.search(r"read: 5,000 records in [\d.]+ s, [\d,]+ records/s", text), text[-2000:]
    assert extracting.search(text), text[-2000:]


def test_progress_on_a_terminal_shows_each_step_and_its_summary(tmp_path: Path) -> None:
    reads = run_in_pty(["build", str(DATA), "-o", str(tmp_path / "out")])
    text = "".join(text for _, text in reads)
    for name in STEPS:
        assert re.search(rf"{name}: [\d,]+ \w+ in [\d.]+ s", text), (name, text)
    assert f"-> {tmp_path / 'out'}" in text


def test_progress_off_a_terminal_prints_only_summaries_on_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(DATA), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=kg_env(),
        check=True,
    )
    assert done.stderr == ""
    steps = [line.split(":")[0] for line in done.stdout.splitlines() if " s" in line]
    assert steps[: len(STEPS)] == list(STEPS), done.stdout


def test_progress_quiet_prints_no_bars_and_no_summaries(tmp_path: Path) -> None:
    reads = run_in_pty(["build", str(DATA), "-o", str(tmp_path / "out"), "--quiet"])
    text = "".join(text for _, text in reads)
    assert not any(f"{name}:" in text or "/s" in text for name in STEPS), text
    assert f"-> {tmp_path / 'out'}" in text


def test_progress_build_reports_every_step_from_zero_to_its_end(tmp_path: Path) -> None:
    ticks: list[Tick] = []
    build([DATA], tmp_path / "out", progress=ticks.append)
    steps = list(dict.fromkeys(t.step for t in ticks))
    assert steps == list(STEPS)
    for name in STEPS:
        mine = [t for t in ticks if t.step == name]
        assert (mine[0].done, mine[-1].is_last) == (0, True), mine
        assert [t for t in mine if t.is_last] == mine[-1:]
        assert mine[-1].done == mine[-1].total


def test_progress_extract_counts_only_papers_extracted_anew(tmp_path: Path) -> None:
    build([DATA], tmp_path / "out")
    ticks: list[Tick] = []
    build([DATA], tmp_path / "out", progress=ticks.append)
    (end,) = [t for t in ticks if t.step == "extract" and t.is_last]
    assert (end.done, end.total) == (0, 0)
