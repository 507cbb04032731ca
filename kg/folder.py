"""What kg owns in a build folder, and how it opens those files without following links.

kg removes only what it can prove it made: staging folders named `.kg-staging-…` that hold the
marker file `.kg-staging`, temporary files named `.kg-tmp-…`, and (when its journal lists them)
its own output names. It opens its files with O_NOFOLLOW, refuses anything that is not a regular
file, and reads at most MAX_META_BYTES of its small metadata files (manifest, journal, lock).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from kg.errors import BuildDirError

LOCK = ".kg.lock"
JOURNAL = ".kg-journal.json"
MANIFEST = "manifest.json"
GRAPH_DB = "graph.lbug"
# Files LadybugDB keeps beside the database: they belong to one database file and go with it.
GRAPH_SIDE_FILES = tuple(GRAPH_DB + s for s in (".wal", ".wal.checkpoint", ".shadow", ".tmp"))
OUTPUTS = frozenset(
    {"papers.jsonl", "extractions.jsonl", GRAPH_DB, "index.html", "papers.html", "concepts.html"}
    | {"atlas.html"}
    | {MANIFEST}
)
KG_FILES = OUTPUTS | frozenset(GRAPH_SIDE_FILES)
# A user's files in a build folder: read by kg, never in a build's outputs, never removed or
# replaced by a build (only `kg correct` edits corrections.toml, by appending, under the lock).
CORRECTIONS = "corrections.toml"
USER_FILES = frozenset({CORRECTIONS})
assert not USER_FILES & KG_FILES
STAGING_PREFIX = ".kg-staging-"
STAGING_MARKER = ".kg-staging"
MARKER_TEXT = "made by kg build; the next kg build of this folder removes this folder\n"
TMP_PREFIX = ".kg-tmp-"
MAX_META_BYTES = 4 * 1024 * 1024
_STAGING_NAME = re.compile(r"\.kg-staging-[0-9a-z_-]+")
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """Say what a file of this st_mode is, for messages.

    Example:
        >>> kind_of(stat.S_IFIFO | 0o644), kind_of(stat.S_IFREG | 0o644)
        ('a FIFO', 'a regular file')
    """
    return next((name for test, name in _KINDS if test(mode)), "a regular file")


def _not_regular(path: Path, what: str) -> BuildDirError:
    return BuildDirError(
        f"{path}: {what}, not a regular file; kg does not follow links or read devices in a "
        "build folder; remove it, then run kg again"
    )


def open_regular(
    path: Path, flags: int = os.O_RDONLY, mode: int = 0o644, *, follow: bool = False
) -> int:
    """Open a file of a build folder without following a link; raise unless it is a regular file.

    Args:
        follow: follow a link (for a file the user named, outside a build folder).

    Raises:
        FileNotFoundError: there is no such file (and O_CREAT was not given).
        BuildDirError: it is a link, a device, a FIFO, a folder or a socket.
    """
    flags |= os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, mode)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _not_regular(path, "a symbolic link") from None
        if err.errno in (errno.EISDIR, errno.ENXIO):
            raise _not_regular(path, kind_of(os.lstat(path).st_mode)) from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _not_regular(path, kind_of(info.st_mode))
    return fd


def read_meta(path: Path, *, cap: int = MAX_META_BYTES) -> str | None:
    """The text of a small kg file (manifest, journal, lock), or None if there is none.

    Raises:
        BuildDirError: not a regular file, over `cap` bytes, or not UTF-8.
    """
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise BuildDirError(
            f"{path}: over {cap:,} bytes, too big to be kg's; remove it, then run kg again"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BuildDirError(f"{path}: not UTF-8 text; remove it, then run kg again") from None


def is_kg_build(out: Path) -> bool:
    """Whether OUT holds a finished kg build (a manifest.json that kg wrote)."""
    try:
        manifest = json.loads(read_meta(out / MANIFEST) or "null")
    except ValueError:
        return False
    return isinstance(manifest, dict) and "kg_version" in manifest and "files" in manifest


def make_staging(out: Path) -> Path:
    """Create a new staging folder in OUT, marked as kg's so that only kg's are ever removed."""
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    try:
        fd = open_regular(staging / STAGING_MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(MARKER_TEXT)
            handle.flush()
            os.fsync(handle.fileno())  # a journal naming this folder finds it marked after a crash
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def is_kg_staging(path: Path) -> bool:
    """Whether `path` is a staging folder kg made: its name, a real folder, and kg's marker in it."""
    if _STAGING_NAME.fullmatch(path.name) is None:
        return False
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        return read_meta(path / STAGING_MARKER, cap=len(MARKER_TEXT)) == MARKER_TEXT
    except (OSError, BuildDirError):
        return False


def is_kg_temp(path: Path) -> bool:
    """Whether `path` is a temporary file kg made (its name, and not a folder)."""
    try:
        return path.name.startswith(TMP_PREFIX) and not stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def temp_path(path: Path, tag: str) -> Path:
    """The name of kg's temporary file for `path`, beside it.

    Example:
        >>> temp_path(Path("out/manifest.json"), "123")
        PosixPath('out/.kg-tmp-manifest.json-123')
    """
    return path.with_name(f"{TMP_PREFIX}{path.name}-{tag}")


def is_internal(path: Path) -> bool:
    """kg's bookkeeping in a build folder: lock, journal, staging folders, temporary files."""
    return path.name in (LOCK, JOURNAL) or is_kg_staging(path) or is_kg_temp(path)


def check_buildable(out: Path, *, force: bool = False) -> None:
    """Refuse to build into a folder that holds files of someone else's, unless `force`.

    An empty folder, a kg build and a folder a kg build was interrupted in are fine, and so is
    a folder that holds only a user's corrections.toml besides.
    """
    if force or not out.is_dir() or is_kg_build(out) or os.path.lexists(out / JOURNAL):
        return
    foreign = sorted(
        p.name for p in out.iterdir() if not is_internal(p) and p.name not in USER_FILES
    )
    if not foreign:
        return
    replaced = [name for name in foreign if name in KG_FILES]
    shown = ", ".join(foreign[:8]) + (", …" if len(foreign) > 8 else "")
    would = f"it would replace {', '.join(replaced)}" if replaced else "it would replace none"
    raise BuildDirError(
        f"{out}: not a kg build folder and not empty ({len(foreign)} entries: {shown}); "
        f"{would}; choose a new or empty -o/--out, or pass --force to build there anyway"
    )


def check_database(out: Path) -> None:
    """Refuse a graph database, or a file the engine keeps beside it, that is not a regular file."""
    for name in (GRAPH_DB, *GRAPH_SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            mode = os.lstat(out / name).st_mode
            if not stat.S_ISREG(mode):
                raise _not_regular(out / name, kind_of(mode))
