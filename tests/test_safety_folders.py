"""Hostile build folders: kg removes only what it made, follows no planted link and trusts no forged
journal. Each case runs in a temporary folder beside a canary file that must stay untouched.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import lock
from kg.build import build
from kg.cli import app
from kg.corpus import write_atomic
from kg.errors import BuildDirError
from kg.folder import MARKER_TEXT, STAGING_MARKER, temp_path

ROOT = Path(__file__).resolve().parents[1]
CANARY = b"the user's own file\n"
PAPERS = [
    {"id": f"2401.0000{i}", "title": f"Tuning BERT {i}", "abstract": "We fine-tune BERT on GLUE."}
    for i in range(3)
]


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: a link's target, a file's sha256, or 'folder'."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            seen[name] = f"link to {os.readlink(path)}"
        elif path.is_dir():
            seen[name] = "folder"
        elif path.is_file():
            seen[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    source = folder / "papers.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    build([source], folder / "DIR", views=False)
    return folder


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A temporary folder with the canary file in it."""
    (tmp_path / "canary.txt").write_bytes(CANARY)
    return tmp_path


def fresh_build(built: Path, place: Path) -> Path:
    out = place / "DIR"
    shutil.copytree(built / "DIR", out, symlinks=True)
    return out


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def kg_build(built: Path, out: Path, *more: str) -> tuple[int, str]:
    return run("build", built / "papers.jsonl", "-o", out, "--no-views", *more)


def canary_intact(place: Path) -> bool:
    return (place / "canary.txt").read_bytes() == CANARY


# 5: a folder that is not a kg build


def user_folder(place: Path) -> Path:
    out = place / "site"
    (out / ".staging-mine").mkdir(parents=True)
    (out / ".staging-mine" / "draft.txt").write_bytes(CANARY)
    for name in ("index.html", "notes.txt", ".notes.tmp1", "papers.jsonl"):
        (out / name).write_bytes(CANARY)
    return out


def test_build_refuses_a_folder_of_other_files(built: Path, place: Path) -> None:
    out = user_folder(place)
    before = snapshot(out)
    code, output = kg_build(built, out)
    assert code == 1
    assert output.startswith(f"error: {out}: not a kg build folder and not empty (5 entries:")
    assert "it would replace index.html, papers.jsonl;" in output
    assert "--force" in output
    assert snapshot(out) == before
    assert canary_intact(place)


def test_build_refuses_a_web_app_manifest(built: Path, place: Path) -> None:
    out = place / "app"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "my app", "files": []}', encoding="utf-8")
    code, output = kg_build(built, out)
    assert code == 1
    assert "it would replace manifest.json;" in output


def test_build_force_replaces_only_kg_names(built: Path, place: Path) -> None:
    out = user_folder(place)
    code, output = kg_build(built, out, "--force")
    assert code == 0, output
    assert (out / "index.html").read_bytes() == CANARY  # --no-views: not one of this build's
    assert (out / "papers.jsonl").read_bytes() != CANARY
    for kept in (".staging-mine/draft.txt", "notes.txt", ".notes.tmp1"):
        assert (out / kept).read_bytes() == CANARY, kept
    assert canary_intact(place)


def test_rebuild_keeps_files_kg_did_not_make(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    planted = [".staging-123/own.txt", ".kg-staging-7-abc/own.txt", ".x.tmp", ".index.html.x.tmp"]
    for name in planted:
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_bytes(CANARY)
    (out / ".kg-staging-8-abc").symlink_to(place)  # marked, but a link: not kg's folder
    (place / STAGING_MARKER).write_text(MARKER_TEXT, encoding="ascii")
    code, output = kg_build(built, out)
    assert code == 0, output
    for name in planted:
        assert (out / name).read_bytes() == CANARY, name
    assert (out / ".kg-staging-8-abc").is_symlink()
    assert canary_intact(place)


def test_build_into_a_folder_holding_only_kg_leftovers(built: Path, place: Path) -> None:
    out = place / "DIR"
    stale = out / ".kg-staging-99-x"
    stale.mkdir(parents=True)
    (stale / STAGING_MARKER).write_text(MARKER_TEXT, encoding="ascii")
    (out / lock.LOCK).touch()
    code, output = kg_build(built, out)
    assert code == 0, output
    assert not stale.exists()


# 6: a forged journal

FORGED = [
    {"staging": ".git", "files": ["papers.jsonl", "manifest.json"]},
    {"staging": ".kg-staging-1-x", "files": ["papers.jsonl", "manifest.json"]},  # no marker
    {"staging": ".kg-staging-2-x", "files": ["notes.txt", "manifest.json"]},
    {"staging": ".kg-staging-2-x", "files": ["papers.jsonl"]},
    {"staging": ".kg-staging-2-x", "files": ["../canary.txt", "manifest.json"]},
]


@pytest.mark.parametrize("journal", FORGED)
@pytest.mark.parametrize("command", ["query", "stats", "build"])
def test_forged_journal_is_refused_and_nothing_touched(
    built: Path, place: Path, journal: dict[str, object], command: str
) -> None:
    out = fresh_build(built, place)
    for name in (".git", ".kg-staging-1-x", ".kg-staging-2-x"):
        (out / name).mkdir()
        (out / name / "manifest.json").write_bytes(CANARY)  # "the commit point was not reached"
        (out / name / ".old").mkdir()
    (out / ".kg-staging-2-x" / STAGING_MARKER).write_text(MARKER_TEXT, encoding="ascii")
    (out / ".git" / "HEAD").write_bytes(CANARY)
    (out / "notes.txt").write_bytes(CANARY)
    (out / lock.JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    before = snapshot(out)
    args = {
        "query": ("query", out, "MATCH (p:Paper) RETURN p.id"),
        "stats": ("stats", out),
        "build": ("build", built / "papers.jsonl", "-o", out, "--no-views"),
    }[command]
    code, output = run(*args)
    assert code == 1
    assert output.startswith(f"error: {out / lock.JOURNAL}: ")
    assert "delete" in output
    assert snapshot(out) == before
    assert canary_intact(place)


# 7: planted links and special files


def test_lock_link_to_a_file_outside_is_not_followed(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    (out / lock.LOCK).unlink()
    (out / lock.LOCK).symlink_to(place / "canary.txt")
    code, output = kg_build(built, out)
    assert code == 1
    assert f"{out / lock.LOCK}: a symbolic link, not a regular file" in output
    assert canary_intact(place)


def test_dangling_lock_link_creates_nothing(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    (out / lock.LOCK).unlink()
    (out / lock.LOCK).symlink_to(place / "created.txt")
    code, _ = kg_build(built, out)
    assert code == 1
    assert not (place / "created.txt").exists()


def test_lock_hard_linked_to_a_file_outside_is_not_truncated(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    (out / lock.LOCK).unlink()
    os.link(place / "canary.txt", out / lock.LOCK)
    code, output = kg_build(built, out)
    assert code == 1
    assert "has other hard links" in output
    assert canary_intact(place)


def test_dangling_wal_link_is_refused_by_query_write(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    (out / "graph.lbug.wal").symlink_to(place / "made-by-the-engine")
    code, output = run("query", out, "MATCH (p:Paper) SET p.year = 1 RETURN count(p)", "--write")
    assert code == 1
    assert f"{out / 'graph.lbug.wal'}: a symbolic link" in output
    assert not os.path.lexists(place / "made-by-the-engine")


@pytest.mark.parametrize("name", ["manifest.json", lock.JOURNAL, "papers.jsonl"])
@pytest.mark.parametrize("target", ["/dev/zero", "canary.txt"])
def test_metadata_link_is_refused(built: Path, place: Path, name: str, target: str) -> None:
    out = fresh_build(built, place)
    (out / name).unlink(missing_ok=True)
    (out / name).symlink_to(target if target.startswith("/") else place / target)
    code, output = run("stats", out) if name != "manifest.json" else kg_build(built, out)
    assert code == 1
    assert f"{out / name}: a symbolic link, not a regular file" in output
    assert canary_intact(place)


def test_manifest_fifo_is_refused_at_once(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    (out / "manifest.json").unlink()
    os.mkfifo(out / "manifest.json")
    code, output = kg_build(built, out)
    assert code == 1
    assert f"{out / 'manifest.json'}: a FIFO, not a regular file" in output


def test_huge_manifest_is_not_read_whole(built: Path, place: Path) -> None:
    out = fresh_build(built, place)
    with (out / "manifest.json").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of NULs
    code, output = kg_build(built, out)
    assert code == 1
    assert "too big to be kg's" in output


def test_planted_temp_file_link_is_not_written_through(place: Path) -> None:
    target = place / "manifest.json"
    temp_path(target, str(os.getpid())).symlink_to(place / "canary.txt")
    write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert canary_intact(place)


# 8: a stale write-ahead log goes with the database it belonged to

KILLED_WRITE = """
import os, sys, ladybug
conn = ladybug.Connection(ladybug.Database(sys.argv[1]))
conn.execute("MATCH (p:Paper) SET p.title = 'changed'")
os._exit(0)  # killed before the WAL is checkpointed
"""


def leave_a_wal(out: Path) -> bytes:
    subprocess.run([sys.executable, "-c", KILLED_WRITE, str(out / "graph.lbug")], check=True)
    return (out / "graph.lbug.wal").read_bytes()


def test_rebuild_removes_a_stale_wal(built: Path, place: Path, tmp_path: Path) -> None:
    out = fresh_build(built, place)
    leave_a_wal(out)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({**PAPERS[0], "id": "2402.00001"}) + "\n", encoding="utf-8")
    code, output = run("build", other, "-o", out, "--no-views")
    assert code == 0, output
    assert not (out / "graph.lbug.wal").exists()
    code, output = run("query", out, "MATCH (p:Paper) RETURN p.id", "--csv")
    assert (code, output.split()) == (0, ["p.id", "2402.00001"])


def test_failed_commit_puts_the_wal_back_with_its_database(
    built: Path, place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = fresh_build(built, place)
    wal = leave_a_wal(out)
    before = snapshot(out)
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == out / "papers.jsonl":  # after graph.lbug and its WAL have moved in
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(BuildDirError, match="No space left"):
        build([built / "papers.jsonl"], out, views=False)
    assert (out / "graph.lbug.wal").read_bytes() == wal
    assert snapshot(out) == before
