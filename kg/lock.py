"""The build folder's writer lock and commit journal: one writer at a time, and all files or none.

A build writes every file into OUT/.staging-PID, then `commit` moves them into OUT one by one,
manifest.json last. Before the first move it writes the journal OUT/.kg-journal.json (naming the
staging folder and the files) and hard-links each old file into the staging folder's `.old`.
The manifest's move is the commit point. If the process dies before it, `recover` undoes the moves
from `.old`; after it, `recover` only tidies up. So a build that is killed at any instant leaves
OUT wholly old or wholly new once `recover` has run, as SQLite does with its rollback journal.
Writers run `recover` under the lock before they read OUT; readers call `settle`, which takes the
lock only when a journal is present (a crashed build, or a commit in flight for milliseconds).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kg.corpus import dumps, write_atomic
from kg.errors import BuildDirError

log = logging.getLogger(__name__)

LOCK = ".kg.lock"
JOURNAL = ".kg-journal.json"
MANIFEST = "manifest.json"
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
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise BuildDirError(
            f"{out}: cannot create the lock file {LOCK} ({err.strerror or err}); "
            "choose a writable -o/--out"
        ) from err
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
        pid = (out / LOCK).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"


def commit(out: Path, staging: Path, names: Sequence[str]) -> None:
    """Move the files `names` (manifest.json last) from `staging` into OUT, all or none.

    The caller holds OUT's lock. An OSError before the manifest is in place undoes the moves made
    so far and is raised again; a kill is undone by the next `recover`.
    """
    if not names or names[-1] != MANIFEST:
        raise ValueError(f"commit needs {MANIFEST} as the last file, got {list(names)!r}")
    old = staging / _OLD
    old.mkdir()
    write_atomic(out / JOURNAL, dumps({"staging": staging.name, "files": list(names)}) + "\n")
    try:
        _sync_dir(out)
        for name in names:
            if (out / name).is_file():
                os.link(out / name, old / name)
            os.replace(staging / name, out / name)
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
            if (staging / MANIFEST).exists():  # the commit point was not reached
                _undo(out, staging, names)
            _finish(out, staging)
        for stale in out.glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in out.glob(".*.tmp*"):
            stale.unlink(missing_ok=True)
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
    while (out / JOURNAL).exists():
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
    try:
        data = json.loads((out / JOURNAL).read_text(encoding="utf-8"))
        staging, names = data["staging"], data["files"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise BuildDirError(
            f"{out / JOURNAL}: unreadable build journal ({err}); delete it and rebuild with "
            "'kg build'"
        ) from None
    if not _is_plain_name(staging) or not all(_is_plain_name(n) for n in names):
        raise BuildDirError(
            f"{out / JOURNAL}: names outside the folder; delete it and rebuild with 'kg build'"
        )
    return out / staging, list(names)


def _is_plain_name(name: object) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name


def _undo(out: Path, staging: Path, names: Sequence[str]) -> None:
    """Put back each file the commit replaced, and remove each it added; safe to run again."""
    for name in names:
        saved = staging / _OLD / name
        if saved.exists():
            if (out / name).exists() and os.path.samefile(saved, out / name):
                continue  # never replaced (and rename between two links of one file is a no-op)
            tmp = out / f".{name}.tmp-undo"
            tmp.unlink(missing_ok=True)
            os.link(saved, tmp)  # a link, not a move: a second undo after a kill still finds it
            os.replace(tmp, out / name)
        elif not (staging / name).exists():  # it was new and has been moved in
            (out / name).unlink(missing_ok=True)


def _finish(out: Path, staging: Path) -> None:
    (out / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
