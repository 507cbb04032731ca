"""The build folder's writer lock and commit journal: one writer at a time, and all files or none.

A build writes every file into a marked staging folder OUT/.kg-staging-… (kg.folder), then
`commit` moves them into OUT one by one, manifest.json last; the database's side files (its WAL)
are removed with it, so a stale WAL never outlives the database it belonged to. Before the first
move it writes the journal OUT/.kg-journal.json (naming the staging folder and the files) and
hard-links each old file into the staging folder's `.old`.
The manifest's move is the commit point. If the process dies before it, `recover` undoes the moves
from `.old`; after it, `recover` only tidies up. So a build that is killed at any instant leaves
OUT wholly old or wholly new once `recover` has run, as SQLite does with its rollback journal.
Writers run `recover` under the lock before they read OUT; readers call `settle`, which takes the
lock only when a journal is present (a crashed build, or a commit in flight for milliseconds).
A journal may name only a staging folder kg made and kg's own file names; anything else is refused
before anything is touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kg.corpus import dumps, write_atomic
from kg.errors import BuildDirError
from kg.folder import (
    GRAPH_DB,
    GRAPH_SIDE_FILES,
    JOURNAL,
    KG_FILES,
    LOCK,
    MANIFEST,
    is_kg_staging,
    is_kg_temp,
    open_regular,
    read_meta,
    temp_path,
)

log = logging.getLogger(__name__)

__all__ = ["JOURNAL", "LOCK", "MANIFEST", "commit", "dir_lock", "recover", "settle"]
LOCK_WAIT_S = 60.0  # how long a build waits for another build of the same folder
SETTLE_WAIT_S = 10.0  # how long a reader waits for a commit in flight
_OLD = ".old"
_POLL_S = 0.05
_HELD: dict[Path, list[int]] = {}  # folder -> [lock fd, depth]: a process locks a folder once


def _forget_in_child() -> None:
    # A forked child (a --jobs worker) must not keep the lock alive after its parent dies.
    for fd, _ in _HELD.values():
        os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


@contextmanager
def dir_lock(out: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold OUT's writer lock, creating OUT as a build does; reentrant within one process.

    Raises:
        BuildDirError: another process holds the lock for longer than `wait` seconds.
    """
    key = out.resolve()
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    deadline, n_tries = time.monotonic() + wait, 0
    while (fd := _try_lock(out)) is None:
        if time.monotonic() >= deadline:
            raise BuildDirError(f"{out} is locked by {_holder(out)}; wait for it to finish")
        if n_tries == 0:
            log.info("%s is locked by %s; waiting up to %g s", out, _holder(out), wait)
        n_tries += 1
        time.sleep(_POLL_S)
    with _holding(key, fd):
        yield


@contextmanager
def _holding(key: Path, fd: int) -> Iterator[None]:
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        del _HELD[key]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # an unlocked folder's lock file is empty, so builds hash alike
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _try_lock(out: Path) -> int | None:
    """The locked file descriptor of OUT/.kg.lock, or None while another process holds it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = open_regular(out / LOCK, os.O_RDWR | os.O_CREAT)
    except OSError as err:
        raise BuildDirError(
            f"{out}: cannot create the lock file {LOCK} ({err.strerror or err}); "
            "choose a writable -o/--out"
        ) from err
    if os.fstat(fd).st_nlink != 1:  # a hard link to another file would be truncated below
        os.close(fd)
        raise BuildDirError(
            f"{out / LOCK}: has other hard links, so it is not kg's lock; remove it, then run kg again"
        )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    with contextlib.suppress(OSError):  # the pid only makes the "locked" message clearer
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _holder(out: Path) -> str:
    try:
        pid = (read_meta(out / LOCK, cap=64) or "").strip()
    except (OSError, BuildDirError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"


def commit(out: Path, staging: Path, names: Sequence[str]) -> None:
    """Move the files `names` (manifest.json last) from `staging` into OUT, all or none.

    The caller holds OUT's lock. An OSError before the manifest is in place undoes the moves made
    so far and is raised again; a kill is undone by the next `recover`.
    """
    if not names or names[-1] != MANIFEST or not set(names) <= KG_FILES:
        raise ValueError(f"commit needs kg's files, {MANIFEST} last, got {list(names)!r}")
    names = _with_side_files(names)
    old = staging / _OLD
    old.mkdir()
    write_atomic(out / JOURNAL, dumps({"staging": staging.name, "files": names}) + "\n")
    try:
        _sync_dir(out)
        for name in names:
            if _is_file(out / name):
                os.link(out / name, old / name, follow_symlinks=False)
            if os.path.lexists(staging / name):
                os.replace(staging / name, out / name)
            else:  # a side file of the database being replaced: it goes with it
                (out / name).unlink(missing_ok=True)
    except BaseException:
        with contextlib.suppress(OSError):  # if undo fails too, the journal stays for recover
            _undo(out, staging, names)
            _finish(out, staging)
        raise
    _finish(out, staging)


def recover(out: Path) -> None:
    """Undo (or finish) a build that died while moving into OUT; remove staging and temp files.

    The caller holds OUT's lock.
    """
    journal = _read_journal(out)
    try:
        if journal is not None:
            staging, names = journal
            if os.path.lexists(staging / MANIFEST):  # the commit point was not reached
                _undo(out, staging, names)
            _finish(out, staging)
        for entry in out.iterdir():  # only what kg can prove it made
            if is_kg_staging(entry):
                shutil.rmtree(entry, ignore_errors=True)
            elif is_kg_temp(entry):
                entry.unlink(missing_ok=True)
    except OSError as err:
        raise BuildDirError(
            f"{out}: cannot finish an interrupted build ({err.strerror or err}); "
            "make the folder writable, then run 'kg build' again"
        ) from err


def settle(out: Path, *, wait: float = SETTLE_WAIT_S) -> None:
    """For readers: if a build was cut off while moving into OUT, put OUT back in one piece.

    Takes the lock only while a journal is present, so a reader never waits behind a build
    that is still extracting.
    """
    deadline = time.monotonic() + wait
    while os.path.lexists(out / JOURNAL):
        key = out.resolve()
        if key in _HELD:
            recover(out)
            return
        fd = _try_lock(out)
        if fd is not None:
            with _holding(key, fd):
                recover(out)
            return
        if time.monotonic() >= deadline:
            raise BuildDirError(f"{out} is locked by {_holder(out)}; wait for it to finish")
        time.sleep(_POLL_S)


def _read_journal(out: Path) -> tuple[Path, list[str]] | None:
    """The staging folder and file names of OUT's journal, checked to be kg's own, or None."""
    path = out / JOURNAL
    text = read_meta(path)
    if text is None:
        return None
    try:
        data = json.loads(text)
        staging, names = data["staging"], list(data["files"])
    except (ValueError, TypeError, KeyError) as err:
        raise BuildDirError(
            f"{path}: unreadable build journal ({err}); delete it and rebuild with 'kg build'"
        ) from None
    if not _is_plain_name(staging) or not all(_is_plain_name(n) for n in names):
        raise BuildDirError(
            f"{path}: names outside the folder; delete it and rebuild with 'kg build'"
        )
    foreign = sorted({n for n in names if n not in KG_FILES})
    if foreign or not names or names[-1] != MANIFEST:
        what = f"files that are not kg's ({', '.join(map(repr, foreign[:5]))})"
        raise BuildDirError(
            f"{path}: names {what if foreign else f'no {MANIFEST} last'}, so kg did not write "
            "it; nothing was changed; delete the journal, then run kg again"
        )
    if not is_kg_staging(out / staging):
        raise BuildDirError(
            f"{path}: names {staging!r}, which is not a staging folder kg made; nothing was "
            "changed; delete the journal, then run kg again"
        )
    return out / staging, names


def _is_plain_name(name: object) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name


def _is_file(path: Path) -> bool:
    """Whether `path` is there and not a folder (a link counts as the link, not its target)."""
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _with_side_files(names: Sequence[str]) -> list[str]:
    """`names` with the database's side files just before it: they leave when it is replaced."""
    if GRAPH_DB not in names:
        return list(names)
    rest = [n for n in names if n not in GRAPH_SIDE_FILES]
    at = rest.index(GRAPH_DB)
    return [*rest[:at], *GRAPH_SIDE_FILES, *rest[at:]]


def _undo(out: Path, staging: Path, names: Sequence[str]) -> None:
    """Put back each file the commit replaced, and remove each it added; safe to run again."""
    for name in names:
        saved = staging / _OLD / name
        if _is_file(saved):
            if _is_file(out / name) and _same_file(saved, out / name):
                continue  # never replaced (and rename between two links of one file is a no-op)
            tmp = temp_path(out / name, "undo")
            tmp.unlink(missing_ok=True)
            # a link, not a move: a second undo after a kill still finds it
            os.link(saved, tmp, follow_symlinks=False)
            os.replace(tmp, out / name)
        elif not os.path.lexists(staging / name):  # it was new and has been moved in
            (out / name).unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    first, second = os.lstat(a), os.lstat(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _finish(out: Path, staging: Path) -> None:
    (out / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
