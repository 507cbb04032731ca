"""Extraction in a child process (kg.extraction): the same lines as extraction in this process,
a build's own process never loads spaCy, and the child and its workers end with their parent."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract import pipeline
from extract.pipeline import extract_lines as lines_here
from kg.extraction import extract_lines
from kg.model import Paper
from kg.readers import read_papers

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ROOT / "tests" / "data" / "inputs" / "papers.jsonl"
RECENT = ROOT / "kg" / "sample" / "recent" / "papers.jsonl.gz"


def env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def many_papers(n: int) -> list[Paper]:
    base = read_papers([PAPERS]).papers
    return [
        dataclasses.replace(base[i % len(base)], id=f"2401.{i:05d}", title=f"{i} {base[0].title}")
        for i in range(n)
    ]


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(child) for child in handle.read().split()]
                found.extend(children)
                todo.extend(children)
    return found


def is_running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_extraction_in_a_child_gives_the_lines_of_extraction_here() -> None:
    papers = many_papers(300)  # more than a chunk, so two jobs split the work
    assert list(extract_lines(papers, jobs=2)) == list(lines_here(papers, jobs=1))


def test_extraction_in_a_child_over_many_blocks_gives_the_lines_of_extraction_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "BLOCK_CHUNKS", 1)  # a fresh pool per 2 x 128 papers
    papers = many_papers(600)  # three blocks, the last one short
    assert list(extract_lines(papers, jobs=2)) == list(lines_here(papers, jobs=1))


def test_extraction_a_build_process_never_loads_spacy(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from kg.build import build; "
        "build([Path(sys.argv[1])], Path(sys.argv[2]), views=False); "
        "print(sorted({'spacy', 'thinc', 'extract.decider'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(PAPERS), str(tmp_path / "out")],
        capture_output=True, text=True, env=env(), check=True, timeout=300,
    )  # fmt: skip
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "out" / "extractions.jsonl").stat().st_size > 0


def test_extraction_child_and_workers_end_when_the_build_is_killed(tmp_path: Path) -> None:
    """Even stopped ones (a stopped process reads no end of file): the kernel kills them."""
    args = ["build", str(RECENT), "-o", str(tmp_path / "out"), "--jobs", "2", "--quiet"]
    kg = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    below: list[int] = []
    try:
        began = time.monotonic()
        while len(below := descendants(kg.pid)) < 3 and time.monotonic() - began < 120:
            time.sleep(0.1)  # the extraction process and its two workers
        assert len(below) >= 3, f"no workers started: {below}"
        for pid in below:
            os.kill(pid, signal.SIGSTOP)
        kg.kill()
        kg.wait(timeout=30)
        began = time.monotonic()
        while any(map(is_running, below)) and time.monotonic() - began < 10:
            time.sleep(0.1)
        assert not [pid for pid in below if is_running(pid)]
    finally:
        kg.kill()
        kg.wait(timeout=30)
        for pid in below:  # a failed run leaves nothing running
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
