"""Crash safety of the build folder: kill -9 at random and chosen instants, and injected disk errors.

DIR holds a build of corpus A (OLD); each run builds corpus B into it (NEW: fewer papers, other
years). Whatever instant the build dies at, every file in DIR must be OLD's or NEW's, and once a
reader or the next build has run, DIR must be wholly OLD or wholly NEW and free of leftovers.
graph.lbug differs in bytes between two builds of one input, so a NEW graph.lbug is recognised
by its rows.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import lock
from kg.build import build
from kg.cli import app
from kg.errors import BuildDirError
from kg.folder import MARKER_TEXT
from kg.stores.ladybug_store import LadybugStore

ROOT = Path(__file__).resolve().parents[1]
N_OLD, N_NEW = 300, 280
SEED = 20240611
N_RANDOM_KILLS = 10
# Runs `kg build ARGS...` and SIGKILLs itself right after its Nth os.replace/os.link (N > 0), or
# prints how many it made (N = 0).
KILL_AFTER_STEP = """
import os, signal, sys
n, count = int(sys.argv[1]), [0]
def counted(real):
    def step(*args, **kwargs):
        result = real(*args, **kwargs)
        count[0] += 1
        if count[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return step
os.replace, os.link = counted(os.replace), counted(os.link)
sys.argv = ["kg", *sys.argv[2:]]
from kg.cli import main
try:
    main()
finally:
    print(f"steps={count[0]}", file=sys.stderr)
"""


def corpus(n: int, *, year: int) -> list[dict[str, object]]:
    pick = random.Random(SEED)
    models = ("BERT", "ResNet", "T5", "GPT-2", "Llama 2", "ViT", "CLIP", "Whisper")
    data = ("GLUE", "ImageNet", "SQuAD", "MMLU", "COCO", "CIFAR-10", "LibriSpeech")
    rows = []
    for i in range(n):
        model, other, dataset = pick.choice(models), pick.choice(models), pick.choice(data)
        rows.append(
            {
                "id": f"2401.{i:05d}",
                "title": f"Scaling {model} number {i}",
                "abstract": f"We fine-tune {model} on {dataset} and compare it with {other}. "
                f"We propose Method{i}, which improves accuracy on {dataset}.",
                "year": year + i % 3,
            }
        )
    return rows


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(folder: Path) -> dict[str, str]:
    """sha256 of each build output (the files whose names do not start with a dot)."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != lock.LOCK
    )


def graph_rows(db: Path) -> tuple[object, ...]:
    """What a graph database holds: paper ids and years, and the concept and link counts."""
    with LadybugStore.open(db, read_only=True) as store:
        return tuple(
            store.run(query).rows
            for query in (
                "MATCH (p:Paper) RETURN p.id, p.year ORDER BY p.id",
                "MATCH (c:Concept) RETURN count(c)",
                "MATCH (:Paper)-[m:MENTIONS]->(:Concept) RETURN count(m)",
            )
        )


@dataclass(frozen=True)
class Version:
    """One build's outputs: sha256 per file, and graph.lbug's rows."""

    files: dict[str, str]
    graph: tuple[object, ...]

    def owns(self, folder: Path, name: str) -> bool:
        if name == "graph.lbug" and self.files[name] != sha256(folder / name):
            return graph_rows(folder / name) == self.graph
        return self.files.get(name) == sha256(folder / name)

    def is_whole(self, folder: Path) -> bool:
        names = set(outputs(folder))
        return names == set(self.files) and all(self.owns(folder, n) for n in names)


@dataclass(frozen=True)
class Crash:
    """Corpus B's input file, the pristine OLD folder, and the two versions."""

    new_input: Path
    pristine: Path
    old: Version
    new: Version

    def fresh_dir(self, folder: Path) -> Path:
        out = folder / "DIR"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.pristine, out)
        return out


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> Crash:
    folder = tmp_path_factory.mktemp("crash")
    old_input = write_jsonl(folder / "a.jsonl", corpus(N_OLD, year=2020))
    new_input = write_jsonl(folder / "b.jsonl", corpus(N_OLD, year=2021)[:N_NEW])
    build([old_input], folder / "old")
    shutil.copytree(folder / "old", folder / "new")
    build([new_input], folder / "new")
    versions = [
        Version(outputs(folder / name), graph_rows(folder / name / "graph.lbug"))
        for name in ("old", "new")
    ]
    return Crash(new_input, folder / "old", *versions)


def kg_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        env=kg_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def build_args(crash: Crash, out: Path) -> list[str]:
    return ["build", str(crash.new_input), "-o", str(out)]


def kill_after_step(crash: Crash, out: Path, n: int) -> str:
    """Run the build, SIGKILLed right after its Nth rename or link; return its stderr."""
    proc = start(["-c", KILL_AFTER_STEP, str(n), *build_args(crash, out)])
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == (-signal.SIGKILL if n else 0), stderr
    return stderr


def phase(out: Path) -> str:
    """Where the killed build was: before writing, writing, moving into place, or done."""
    names = {p.name for p in out.iterdir()}
    if lock.JOURNAL in names:
        return "moving"
    if any(n.startswith(".kg-staging-") for n in names):
        return "writing"
    return "before-or-done"


def check_after_crash(crash: Crash, out: Path) -> str:
    """The checks after a kill; return the phase it hit."""
    where = phase(out)
    for name in outputs(out):
        assert crash.old.owns(out, name) or crash.new.owns(out, name), (where, name)
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    runner = CliRunner()
    stats = runner.invoke(app, ["stats", str(out)])
    assert stats.exit_code == 0, stats.output
    query = runner.invoke(app, ["query", str(out), "MATCH (p:Paper) RETURN count(p)", "--csv"])
    assert query.exit_code == 0, query.output
    assert query.output.split() in (["COUNT(p._ID)", str(N_OLD)], ["COUNT(p._ID)", str(N_NEW)])
    assert crash.old.is_whole(out) or crash.new.is_whole(out), where
    assert not (out / lock.JOURNAL).exists()
    return where


def check_next_build(crash: Crash, out: Path) -> None:
    build([crash.new_input], out, wait=0)
    assert crash.new.is_whole(out)
    assert leftovers(out) == []


def test_build_killed_at_random_instants_leaves_old_or_new(crash: Crash, tmp_path: Path) -> None:
    out = crash.fresh_dir(tmp_path)
    began = time.monotonic()
    start(["-m", "kg", *build_args(crash, out)]).communicate(timeout=120)
    t_run = time.monotonic() - began
    assert crash.new.is_whole(out)
    pick = random.Random(SEED)
    hits: dict[str, int] = {}
    for _ in range(N_RANDOM_KILLS):
        out = crash.fresh_dir(tmp_path)
        proc = start(["-m", "kg", *build_args(crash, out)])
        time.sleep(pick.uniform(0, t_run))
        proc.kill()
        proc.communicate(timeout=60)
        where = check_after_crash(crash, out)
        hits[where] = hits.get(where, 0) + 1
    check_next_build(crash, out)
    print(f"build of {t_run:.2f} s killed {N_RANDOM_KILLS} times: {hits}")  # shown with -s
    assert sum(hits.values()) == N_RANDOM_KILLS


@pytest.fixture(scope="module")
def n_steps(crash: Crash, tmp_path_factory: pytest.TempPathFactory) -> int:
    """How many renames and links a whole build of B over OLD makes."""
    out = crash.fresh_dir(tmp_path_factory.mktemp("count"))
    stderr = kill_after_step(crash, out, 0)
    return int(stderr.rsplit("steps=", 1)[1])


OUTPUTS = 8  # 4 views (the atlas too), 2 JSONL files, the database and the manifest
# the outputs renamed into the staging folder, then the journal; the database is not among them:
# a build over OLD updates a copy of OLD's database in the staging folder in place
# (kg.stores.ladybug_update)
JOURNAL_STEP = OUTPUTS
KILL_STEPS = (1, JOURNAL_STEP - 1, *range(JOURNAL_STEP, JOURNAL_STEP + 2 * OUTPUTS + 1))
NEXT_BUILD_STEPS = (1, JOURNAL_STEP, JOURNAL_STEP + OUTPUTS, JOURNAL_STEP + 2 * OUTPUTS)


def test_build_counts_its_renames_and_links(n_steps: int) -> None:
    # the outputs in the staging folder, the journal, then a link (the old file, for undo) and a
    # rename for each output
    assert n_steps == JOURNAL_STEP + 2 * OUTPUTS


def test_build_over_a_changed_database_loads_it_whole(crash: Crash, tmp_path: Path) -> None:
    # `kg query --write` leaves the database newer than the manifest: the build loads a new one
    # whole and renames it into the staging folder, one step more, and ends wholly NEW
    out = crash.fresh_dir(tmp_path)
    os.utime(out / "graph.lbug", ns=(time.time_ns(), time.time_ns() + 10**9))
    stderr = kill_after_step(crash, out, 0)
    assert int(stderr.rsplit("steps=", 1)[1]) == JOURNAL_STEP + 1 + 2 * OUTPUTS
    assert crash.new.is_whole(out)


@pytest.fixture(scope="module")
def killed(crash: Crash, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """DIR after a build of B that died right after each step of KILL_STEPS (two at a time)."""

    def run(step: int) -> Path:
        out = crash.fresh_dir(tmp_path_factory.mktemp(f"step{step}"))
        kill_after_step(crash, out, step)
        return out

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(KILL_STEPS, pool.map(run, KILL_STEPS), strict=True))


@pytest.mark.parametrize("step", KILL_STEPS)
def test_build_killed_after_a_rename_or_link_leaves_old_or_new(
    crash: Crash, killed: dict[int, Path], step: int, n_steps: int
) -> None:
    out = killed[step]
    assert check_after_crash(crash, out) == ("writing" if step < JOURNAL_STEP else "moving")
    # the manifest's rename, the last step, is the commit point
    assert crash.new.is_whole(out) if step == n_steps else crash.old.is_whole(out)
    if step in NEXT_BUILD_STEPS:
        check_next_build(crash, out)


def test_recover_killed_midway_is_finished_by_the_next_reader(crash: Crash, tmp_path: Path) -> None:
    out = crash.fresh_dir(tmp_path)
    kill_after_step(crash, out, 15)
    proc = start(["-c", KILL_AFTER_STEP, "1", "stats", str(out)])  # dies inside the undo
    proc.communicate(timeout=60)
    assert (proc.returncode, phase(out)) == (-signal.SIGKILL, "moving")
    check_after_crash(crash, out)
    assert crash.old.is_whole(out)


def on_call(n: int, real: Callable[..., object], calls: list[int]) -> Callable[..., object]:
    """`real`, counting its calls, and failing with ENOSPC on the Nth (n > 0)."""

    def call(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    return call


# replace: one fewer than a whole load would make, as the database is updated in place in the
# staging folder; fsync: the staging folder's marker, 2 JSONL files,
# the manifest, the journal, the folder
@pytest.mark.parametrize(("name", "expected"), [("replace", 8), ("link", 4), ("fsync", 6)])
def test_build_disk_error_on_any_call_leaves_dir_unchanged(
    crash: Crash, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expected: int
) -> None:
    real, calls = getattr(os, name), []
    monkeypatch.setattr(os, name, on_call(0, real, calls))
    build([crash.new_input], crash.fresh_dir(tmp_path), views=False, wait=0)
    assert len(calls) == expected
    out = crash.fresh_dir(tmp_path)
    before = {p.name: sha256(p) for p in out.iterdir()}
    for n in range(1, expected + 1):
        monkeypatch.setattr(os, name, on_call(n, real, []))
        with pytest.raises(BuildDirError, match="No space left on device") as info:
            build([crash.new_input], out, views=False, wait=0)
        assert "\n" not in str(info.value)
        assert {p.name: sha256(p) for p in out.iterdir()} == before, n


def test_next_build_removes_stale_staging_and_temp_files(crash: Crash, tmp_path: Path) -> None:
    out = crash.fresh_dir(tmp_path)
    stale = [".kg-staging-999999-x/papers.jsonl", ".kg-tmp-.kg-journal.json-999999"]
    for name in stale:
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text("half", encoding="utf-8")
    (out / ".kg-staging-999999-x" / ".kg-staging").write_text(MARKER_TEXT, encoding="ascii")
    check_next_build(crash, out)


def test_unreadable_journal_is_a_clean_error(crash: Crash, tmp_path: Path) -> None:
    out = crash.fresh_dir(tmp_path)
    (out / lock.JOURNAL).write_text('{"staging": "../../etc", "files": []}', encoding="utf-8")
    result = CliRunner().invoke(app, ["stats", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {out / lock.JOURNAL}: names outside the folder;")
