"""Concurrent writers and readers of one build folder: the folder lock, and no lost update.

Builds of one folder take its lock (OUT/.kg.lock): a second build waits for the first (60 s by
default) or, with wait=0, fails at once naming the holder's pid. Readers never take the lock, and
never see a torn file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.errors import BuildDirError
from kg.lock import LOCK, dir_lock

ROOT = Path(__file__).resolve().parents[1]
N_BASE, N_EACH = 6, 4
MODELS = ("BERT", "ResNet", "T5", "GPT-2", "Llama 2", "ViT", "CLIP", "Whisper")
# Holds DIR's lock, prints "held" (and the pid of a forked child that sleeps, with --fork,
# once that child is running), then sleeps HOLD seconds.
HOLDER = """
import os, sys, time
from pathlib import Path
from kg.lock import dir_lock
out, hold, fork = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:] == ["--fork"]
with dir_lock(out):
    ready_r, ready_w = os.pipe()
    child = os.fork() if fork else None
    if child == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # let the parent's reader see EOF
        os.write(ready_w, b"x")  # fork has returned here, so kg's at-fork hook has run
        time.sleep(60)
        os._exit(0)
    if child:
        os.read(ready_r, 1)  # "held" only once the child is past fork, as a --jobs worker is
    print("held", child or "", flush=True)
    time.sleep(hold)
"""


def kg_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def run_kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        env=kg_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rows(prefix: str, n: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}-{i}",
            "title": f"{prefix.upper()} study {i} of {MODELS[i % len(MODELS)]}",
            "abstract": f"We fine-tune {MODELS[i % len(MODELS)]} on GLUE in run {prefix}-{i}.",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, data: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    return path


def paper_ids(out: Path) -> set[str]:
    lines = (out / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(text)["id"] for text in lines}


class Holder:
    """Another process holding DIR's lock for `hold` seconds."""

    def __init__(self, out: Path, hold: float, *, fork: bool = False) -> None:
        args = [sys.executable, "-c", HOLDER, str(out), str(hold), *(["--fork"] if fork else [])]
        self.proc = subprocess.Popen(args, env=kg_env(), stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        words = self.proc.stdout.readline().split()
        assert words[:1] == ["held"], words
        self.child = int(words[1]) if fork else None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def holder(tmp_path: Path) -> object:
    started: list[Holder] = []

    def start(hold: float = 60.0, *, fork: bool = False) -> Holder:
        started.append(Holder(tmp_path / "DIR", hold, fork=fork))
        return started[-1]

    yield start
    for each in started:
        each.kill()
        if each.child is not None:
            os.kill(each.child, signal.SIGKILL)


def test_dir_lock_held_elsewhere_fails_fast_naming_the_pid(tmp_path: Path, holder) -> None:
    held = holder()
    with pytest.raises(BuildDirError) as info, dir_lock(tmp_path / "DIR"):
        pass
    assert (
        str(info.value)
        == f"{tmp_path / 'DIR'} is locked by pid {held.proc.pid}; wait for it to finish"
    )


def test_dir_lock_waits_for_the_holder_to_finish(tmp_path: Path, holder) -> None:
    holder(hold=0.5)
    with dir_lock(tmp_path / "DIR", wait=30):
        assert (tmp_path / "DIR" / LOCK).read_text(encoding="ascii") == f"{os.getpid()}\n"


def test_dir_lock_is_released_when_its_holder_is_killed(tmp_path: Path, holder) -> None:
    holder().kill()
    with dir_lock(tmp_path / "DIR"):
        pass


def test_dir_lock_is_not_kept_by_a_forked_child_of_a_killed_holder(tmp_path: Path, holder) -> None:
    held = holder(fork=True)
    held.kill()  # the child sleeps on, as a --jobs worker might
    os.kill(held.child, 0)  # still alive
    with dir_lock(tmp_path / "DIR"):
        pass


def test_dir_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with dir_lock(tmp_path / "DIR"), dir_lock(tmp_path / "DIR"):
        pass
    with dir_lock(tmp_path / "DIR"):
        pass


def test_dir_lock_file_is_empty_once_released(tmp_path: Path) -> None:
    with dir_lock(tmp_path / "DIR"):
        pass
    assert (tmp_path / "DIR" / LOCK).read_bytes() == b""


def test_build_with_no_wait_fails_fast_and_leaves_dir_unchanged(tmp_path: Path, holder) -> None:
    held = holder()
    src = write_jsonl(tmp_path / "a.jsonl", rows("a", 2))
    with pytest.raises(BuildDirError, match=f"locked by pid {held.proc.pid}"):
        build([src], tmp_path / "DIR", wait=0)
    assert sorted(p.name for p in (tmp_path / "DIR").iterdir()) == [LOCK]


def test_build_lock_file_is_not_a_build_output(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", rows("a", 2))
    summary = build([src], tmp_path / "DIR", views=False)
    manifest = json.loads((tmp_path / "DIR" / "manifest.json").read_text(encoding="utf-8"))
    assert LOCK not in summary.files
    assert LOCK not in manifest["files"]


class Reader(threading.Thread):
    """Runs `kg query` and `kg stats` on DIR, one after the other, until told to stop."""

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out, self.stop, self.runs = out, threading.Event(), []

    def run(self) -> None:
        while not self.stop.is_set():
            query = run_kg("query", str(self.out), "MATCH (p:Paper) RETURN count(p)", "--csv")
            self.runs.append(query)
            self.runs.append(run_kg("stats", str(self.out), "--top", "1"))

    def counts(self) -> list[int]:
        return [int(r.stdout.split()[-1]) for r in self.runs[::2]]


@pytest.fixture(scope="module", params=[2, 4], ids=["2-writers", "4-writers"])
def updated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> object:
    """DIR built from a base corpus, then updated by N concurrent `kg build --update` runs
    while a reader queries it; returns (DIR, N, the writers, the reader)."""
    n_writers, folder = request.param, tmp_path_factory.mktemp(f"writers{request.param}")
    out = folder / "DIR"
    done = run_kg(
        "build",
        str(write_jsonl(folder / "base.jsonl", rows("base", N_BASE))),
        "-o",
        str(out),
        "--no-views",
    )
    assert done.returncode == 0, done.stderr
    reader = Reader(out)
    reader.start()
    inputs = [write_jsonl(folder / f"x{i}.jsonl", rows(f"x{i}", N_EACH)) for i in range(n_writers)]
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg",
                "build",
                str(src),
                "-o",
                str(out),
                "--update",
                "--no-views",
            ],
            env=kg_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for src in inputs
    ]
    results = [(w.wait(timeout=120), *w.communicate()) for w in writers]
    time.sleep(0.5)  # the reader sees the final state at least once
    reader.stop.set()
    reader.join(timeout=120)
    return out, n_writers, results, reader


def test_concurrent_updates_all_succeed(updated) -> None:
    _, _, results, _ = updated
    assert [(rc, "Traceback" in err) for rc, _, err in results] == [(0, False)] * len(results)


def test_concurrent_updates_lose_no_paper(updated) -> None:
    out, n_writers, _, _ = updated
    expected = {f"base-{i}" for i in range(N_BASE)}
    expected |= {f"x{w}-{i}" for w in range(n_writers) for i in range(N_EACH)}
    assert paper_ids(out) == expected


def test_concurrent_updates_apply_one_after_the_other(updated) -> None:
    _, n_writers, _, reader = updated
    counts = reader.counts()
    assert counts == sorted(counts)
    assert set(counts) <= {N_BASE + k * N_EACH for k in range(n_writers + 1)}
    assert counts[-1] == N_BASE + n_writers * N_EACH


def test_concurrent_readers_never_fail(updated) -> None:
    _, _, _, reader = updated
    failed = [r.stderr for r in reader.runs if r.returncode or "Traceback" in r.stderr]
    assert (len(reader.runs) > 2, failed) == (True, [])
