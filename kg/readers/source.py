"""Open one input file as decoded lines: gzip, byte order marks, UTF-16, caps on line size."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import InputError
from kg.readers.record import Skipped

MAX_LINE_CHARS = 32 * 1024 * 1024  # a 10 MB abstract still fits; a 100 MB line does not
MAX_DOCUMENT_CHARS = 128 * 1024 * 1024  # whole-file formats (JSON arrays, Atom)
HEAD_CHARS = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)


def check_path(path: Path) -> None:
    """Raise InputError unless `path` is a readable file."""
    if not path.exists():
        raise InputError(path, "no such file", "check the path")
    if path.is_dir():
        raise InputError(path, "is a folder", f"pass the files inside it, e.g. {path}/*.jsonl")
    try:
        with path.open("rb"):
            pass
    except OSError as err:
        raise InputError(path, f"cannot open: {err.strerror}", "check its permissions") from err


def inner_name(path: Path) -> str:
    """Return the file name without a trailing .gz, which is what tells its format."""
    return path.name[:-3] if path.name.lower().endswith(".gz") else path.name


class _GzipChunks(io.RawIOBase):
    """A gzip file read one decompressed chunk at a time, so that when the stream breaks off
    every byte before the break has been handed on (a buffered read of 64 KiB would fail whole).
    """

    def __init__(self, path: Path) -> None:
        self._gz = gzip.open(path, "rb")  # noqa: SIM115  (closed in close())

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._gz.read1(min(len(buffer), 8192))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gz.close()
        super().close()


class TextSource:
    """The lines of one file, decoded once; read problems are kept in `problems`.

    Lines end in "\\n" whatever the file used (CRLF, CR or LF). Undecodable bytes become
    surrogate escapes, which the readers report per record. A line longer than
    MAX_LINE_CHARS, and a gzip stream that breaks off, become problems (or raise, if strict).
    """

    def __init__(self, path: Path, *, strict: bool = False) -> None:
        self.path = path
        self.strict = strict
        self.problems: list[Skipped] = []

    def _open(self) -> IO[str]:
        with self.path.open("rb") as probe:
            is_gzip = probe.read(2) == _GZIP_MAGIC
        # The stream outlives this method; callers close it with a with-block.
        raw: Any = _GzipChunks(self.path) if is_gzip else open(self.path, "rb")  # noqa: SIM115
        stream = io.BufferedReader(raw, buffer_size=64 * 1024)
        try:
            start = stream.peek(4)[:4]
        except BaseException:
            stream.close()
            raise
        encoding = next((name for bom, name in _BOMS if start.startswith(bom)), "utf-8")
        return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape")

    def _problem(self, line: int | None, what: str, fix: str) -> None:
        skipped = Skipped(str(self.path), line, None, f"{what}; {fix}")
        if self.strict:
            raise skipped.to_error()
        self.problems.append(skipped)

    def head(self) -> str:
        """Return the first characters of the file, for format detection."""
        try:
            with self._open() as stream:
                return stream.read(HEAD_CHARS)
        except _READ_ERRORS:
            return ""

    def __iter__(self) -> Iterator[str]:
        n_lines = 0
        try:
            with self._open() as stream:
                while line := stream.readline(MAX_LINE_CHARS):
                    n_lines += 1
                    if len(line) == MAX_LINE_CHARS and not line.endswith("\n"):
                        while line and not line.endswith("\n"):
                            line = stream.readline(MAX_LINE_CHARS)
                        self._problem(
                            n_lines,
                            f"line longer than {MAX_LINE_CHARS:,} characters",
                            "split it into records of normal size",
                        )
                        line = "\n"
                    yield line
        except _READ_ERRORS as err:
            self._problem(
                n_lines + 1,
                f"cannot read further ({type(err).__name__}: {err})",
                "the file is truncated or corrupt; download or compress it again",
            )


def join_lines(lines: Iterable[str], path: str, *, what: str, fix: str) -> str:
    """Return the whole text of a file read as one document; raise InputError above the cap."""
    chunks: list[str] = []
    parts: list[str] = []
    size = 0
    for line in lines:
        size += len(line)
        if size > MAX_DOCUMENT_CHARS:
            raise InputError(path, f"{what} over {MAX_DOCUMENT_CHARS:,} characters", fix)
        parts.append(line)
        if len(parts) >= 4096:  # join as we go: a million short lines cost a million objects
            chunks.append("".join(parts))
            parts.clear()
    return "".join([*chunks, *parts])
