"""Open one input file as decoded lines: gzip, byte order marks, UTF-16, caps on size.

Only regular files are read (a FIFO or a device would never end); a gzip stream stops at
MAX_GZIP_RATIO times its compressed size (and at least MIN_GZIP_LIMIT bytes), so a gzip bomb ends
in a second with a clear message instead of minutes of work.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import InputError
from kg.folder import kind_of
from kg.readers.record import Skipped

MAX_LINE_CHARS = 32 * 1024 * 1024  # a 10 MB abstract still fits; a 100 MB line does not
MAX_DOCUMENT_CHARS = 128 * 1024 * 1024  # whole-file formats (JSON arrays, Atom)
HEAD_CHARS = 64 * 1024
MAX_GZIP_RATIO = 64  # text compresses 3-15 times; a gzip bomb about 1000 times
MIN_GZIP_LIMIT = 64 * 1024 * 1024
_UTF16_SAMPLE = 4096
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
    """Raise InputError unless `path` is a readable regular file."""
    if not path.exists():
        raise InputError(path, "no such file", "check the path")
    if path.is_dir():
        raise InputError(path, "is a folder", f"pass the files inside it, e.g. {path}/*.jsonl")
    try:
        os.close(_open_regular(path))
    except OSError as err:
        raise InputError(path, f"cannot open: {err.strerror}", "check its permissions") from err


def _open_regular(path: Path) -> int:
    """A read-only descriptor of `path`; InputError for a FIFO, a device or a socket.

    O_NONBLOCK: opening a FIFO must not wait for a writer before kg can refuse it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(
            path, f"{kind_of(mode)}, not a regular file", "save the papers to a file and pass that"
        )
    return fd


class GzipTooBig(ValueError):
    """A gzip stream expands past its cap (MAX_GZIP_RATIO times its size)."""


def inner_name(path: Path) -> str:
    """Return the file name without a trailing .gz, which is what tells its format."""
    return path.name[:-3] if path.name.lower().endswith(".gz") else path.name


class _GzipChunks(io.RawIOBase):
    """A gzip file read one decompressed chunk at a time, so that when the stream breaks off
    every byte before the break has been handed on (a buffered read of 64 KiB would fail whole).
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self.limit = max(MIN_GZIP_LIMIT, MAX_GZIP_RATIO * os.fstat(raw.fileno()).st_size)
        self._n_out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._gz.read1(min(len(buffer), 8192))
        self._n_out += len(data)
        if self._n_out > self.limit:
            raise GzipTooBig(self.limit)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gz.close()
        self._raw.close()
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
        # The stream outlives this method; callers close it with a with-block.
        file = os.fdopen(_open_regular(self.path), "rb")
        try:
            is_gzip = file.read(2) == _GZIP_MAGIC
            file.seek(0)
            raw: Any = _GzipChunks(file) if is_gzip else file
        except BaseException:
            file.close()
            raise
        stream = io.BufferedReader(raw, buffer_size=64 * 1024)
        try:
            start = stream.peek(_UTF16_SAMPLE)[:_UTF16_SAMPLE]
        except BaseException:
            stream.close()
            raise
        encoding = next((name for bom, name in _BOMS if start.startswith(bom)), None)
        return io.TextIOWrapper(
            stream, encoding=encoding or _sniff_utf16(start), errors="surrogateescape"
        )

    def _problem(self, line: int | None, what: str, fix: str) -> None:
        skipped = Skipped(str(self.path), line, None, f"{what}; {fix}")
        if self.strict:
            raise skipped.to_error()
        self.problems.append(skipped)

    def _too_big(self, line: int | None, err: GzipTooBig) -> None:
        self._problem(
            line,
            f"decompresses to over {err.args[0]:,} bytes, {MAX_GZIP_RATIO} times its compressed "
            "size (a gzip bomb?)",
            "decompress it yourself and pass the plain file if it is really that big",
        )

    def head(self) -> str:
        """Return the first characters of the file, for format detection."""
        try:
            with self._open() as stream:
                return stream.read(HEAD_CHARS)
        except (*_READ_ERRORS, GzipTooBig):
            return ""

    def read_document(self, *, what: str, fix: str) -> str:
        """The whole text of a file read as one document (a JSON array, a feed), whatever its
        line lengths; raise InputError above MAX_DOCUMENT_CHARS."""
        chunks: list[str] = []
        size = 0
        try:
            with self._open() as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_DOCUMENT_CHARS:
                        raise InputError(
                            self.path, f"{what} over {MAX_DOCUMENT_CHARS:,} characters", fix
                        )
                    chunks.append(chunk)
        except GzipTooBig as err:
            self._too_big(None, err)
        except _READ_ERRORS as err:
            self._problem(
                None,
                f"cannot read further ({type(err).__name__}: {err})",
                "the file is truncated or corrupt; download or compress it again",
            )
        return "".join(chunks)

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
        except GzipTooBig as err:
            self._too_big(n_lines + 1, err)
        except _READ_ERRORS as err:
            self._problem(
                n_lines + 1,
                f"cannot read further ({type(err).__name__}: {err})",
                "the file is truncated or corrupt; download or compress it again",
            )


def _sniff_utf16(start: bytes) -> str:
    """UTF-16 without a byte order mark when every other byte of mostly-ASCII text is NUL.

    Example:
        >>> _sniff_utf16("[{}]".encode("utf-16-le")), _sniff_utf16(b"id,title")
        ('utf-16-le', 'utf-8')
    """
    n_pairs = len(start) // 2
    if n_pairs < 2:
        return "utf-8"
    even, odd = start[0 : 2 * n_pairs : 2].count(0), start[1 : 2 * n_pairs : 2].count(0)
    if odd >= 0.3 * n_pairs and even <= 0.05 * n_pairs:
        return "utf-16-le"
    if even >= 0.3 * n_pairs and odd <= 0.05 * n_pairs:
        return "utf-16-be"
    return "utf-8"


def join_lines(lines: Iterable[str], path: str, *, what: str, fix: str) -> str:
    """Return the whole text of a file read as one document; raise InputError above the cap.

    A TextSource is read whole, so one line may be as long as the document cap allows.
    """
    if isinstance(lines, TextSource):
        return lines.read_document(what=what, fix=fix)
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
