"""The build folder's source of truth: papers.jsonl and extractions.jsonl, written atomically.

Lines are sorted by paper id and serialised with sorted keys, so the same corpus gives the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import BuildDirError
from kg.folder import open_regular, temp_path
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role

PAPERS = "papers.jsonl"
EXTRACTIONS = "extractions.jsonl"
MAX_LINE_CHARS = 256 * 1024 * 1024  # a paper read within the readers' caps fits
T = TypeVar("T")


def dumps(data: Any) -> str:
    """One canonical JSON line: sorted keys, UTF-8, no NaN."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and os.replace, so readers never see half.

    The temporary file is created new (never through a link planted under its name).
    """
    write_lines(path, (text,))


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Write `lines` (each ending in a newline, or one whole text) to `path` atomically, as they
    come: nothing is held in memory. Returns how many strings were written."""
    tmp = temp_path(path, str(os.getpid()))
    n = 0
    try:
        tmp.unlink(missing_ok=True)
        fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # as open(): umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for line in lines:
                handle.write(line)
                n += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows as JSON Lines, atomically."""
    write_lines(path, (dumps(row) + "\n" for row in rows))


def write_papers(path: Path, papers: Iterable[Paper]) -> None:
    write_jsonl(path, (p.to_json() for p in sorted(papers, key=lambda p: p.id)))


def write_extractions(path: Path, extractions: Iterable[Extraction]) -> None:
    write_jsonl(path, (e.to_json() for e in sorted(extractions, key=lambda e: e.paper_id)))


class Reread(Iterable[T]):
    """Records read from a file again on each pass: passes over a corpus that need not hold it.

    Example:
        >>> passes = Reread(lambda: iter([1, 2]))
        >>> list(passes), sum(passes)
        ([1, 2], 3)
    """

    def __init__(self, read: Callable[[], Iterator[T]]) -> None:
        self._read = read

    def __iter__(self) -> Iterator[T]:
        return self._read()


def _read_jsonl(path: Path, *, in_build: bool) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank line; in a build folder, links are not followed."""
    loads = _loads()
    for n, line in _read_lines(path, in_build=in_build):
        try:
            yield n, loads(line)
        except (json.JSONDecodeError, RecursionError) as err:
            what = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
            raise BuildDirError(
                f"{path}:{n}: not valid JSON ({what}); rebuild the folder with 'kg build'"
            ) from None


def _read_lines(path: Path, *, in_build: bool) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line, as written."""
    try:
        fd = open_regular(path, follow=not in_build)
    except FileNotFoundError:
        raise BuildDirError(
            f"{path}: missing; run 'kg build INPUT... -o {path.parent}' first"
        ) from None
    with os.fdopen(fd, encoding="utf-8") as handle:
        n = 0
        while line := handle.readline(MAX_LINE_CHARS):
            n += 1
            if len(line) == MAX_LINE_CHARS and not line.endswith("\n"):
                raise BuildDirError(
                    f"{path}:{n}: line over {MAX_LINE_CHARS:,} characters; rebuild the folder "
                    "with 'kg build'"
                )
            if line.strip():
                yield n, line


def extraction_lines_by_id(path: Path) -> Iterator[tuple[str, str]]:
    """(paper id, line ending in a newline) of each line of a build folder's extractions file,
    the line as written: what an update copies for the papers it keeps, without making their
    Extraction objects and JSON again. Only for a file the folder's manifest vouches for
    (kg.build): a line is checked to be a JSON object with a paper id, nothing more."""
    loads = _loads()
    for n, line in _read_lines(path, in_build=True):
        try:
            paper_id = loads(line)["paper_id"]
            if not isinstance(paper_id, str):
                raise TypeError(f"a paper_id of {paper_id!r}")
        except (json.JSONDecodeError, RecursionError, KeyError, TypeError) as err:
            raise BuildDirError(
                f"{path}:{n}: not an extraction record ({err}); make the file again with "
                "'kg extract' (or 'kg build')"
            ) from None
        yield paper_id, line if line.endswith("\n") else line + "\n"


def _loads() -> Callable[[str], Any]:
    """json.loads, through orjson (3x faster on extraction lines) where it can read the line;
    what orjson refuses (a lone surrogate escape, NaN, an integer over 64 bits) json reads, so
    the values are json's.

    Example:
        >>> loads = _loads()
        >>> loads('{"a": [1, 2.5, "\\u00e9"]}'), loads('"\\ud800"') == json.loads('"\\ud800"')
        ({'a': [1, 2.5, 'é']}, True)
    """
    import orjson

    def loads(line: str) -> Any:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            return json.loads(line)

    return loads


_TYPES = {str(t): t for t in ConceptType}
_ROLES = {str(r): r for r in Role}


def _extraction(row: dict[str, Any]) -> Extraction:
    """Extraction.from_json, 2x faster on a big corpus's millions of entities (enum members
    looked up in a dict, positional fields); any row it does not read plainly goes to
    from_json, which gives the same object or the same error."""
    try:
        entities = tuple(
            Entity(
                e.get("id") or e["name"].casefold(),
                e["name"],
                _TYPES[e["type"]],
                _ROLES[e.get("role", "mentioned")],
                tuple([Mention(m["text"], m["start"], m["end"], m["field"]) for m in e["mentions"]])
                if "mentions" in e
                else (),
                tuple(e.get("aliases") or ()),
                e.get("size"),
                e.get("source", "pattern"),
                bool(e.get("generic", False)),
            )
            for e in row.get("entities", ())
        )
        return Extraction(row["paper_id"], row.get("title", ""), entities)
    except Exception:  # from_json raises what a malformed row deserves
        return Extraction.from_json(row)


def _rows(
    path: Path, make: Callable[[dict[str, Any]], T], what: str, fix: str, *, in_build: bool
) -> Iterator[T]:
    for n, row in _read_jsonl(path, in_build=in_build):
        try:
            if not isinstance(row, dict):
                raise TypeError(f"a JSON {type(row).__name__}, not an object")
            record = make(row)
        except (KeyError, ValueError, TypeError, AttributeError) as err:
            problem = f"no {err} field" if isinstance(err, KeyError) else str(err)
            raise BuildDirError(f"{path}:{n}: not {what} ({problem}); {fix}") from None
        yield record


def read_papers(path: Path, *, in_build: bool = False) -> list[Paper]:
    """Papers saved by a build."""
    return list(iter_papers(path, in_build=in_build))


def iter_papers(path: Path, *, in_build: bool = False) -> Iterator[Paper]:
    """Papers saved by a build, one at a time."""
    return _rows(
        path,
        Paper.from_json,
        "a paper record",
        f"fix or remove the line, or rebuild the folder with 'kg build INPUT... -o {path.parent}'",
        in_build=in_build,
    )


def entity_aliases(path: Path, papers: Container[str]) -> Iterator[tuple[str, list[str]]]:
    """(concept id, aliases) of every entity of the papers in `papers`, read from an
    extractions file as plain JSON (as Entity.from_json reads them): what the acronym joins
    need, without making the entities."""
    for n, row in _read_jsonl(path, in_build=True):
        try:
            if row["paper_id"] not in papers:
                continue
            for e in row.get("entities", ()):
                yield e.get("id") or e["name"].casefold(), list(e.get("aliases") or ())
        except (KeyError, TypeError, AttributeError) as err:
            problem = f"no {err} field" if isinstance(err, KeyError) else str(err)
            raise BuildDirError(
                f"{path}:{n}: not an extraction record ({problem}); make the file again with "
                "'kg extract' (or 'kg build')"
            ) from None


def read_extractions(path: Path, *, in_build: bool = False) -> list[Extraction]:
    """Extractions saved by a build or by `kg extract`."""
    return list(iter_extractions(path, in_build=in_build))


def iter_extractions(path: Path, *, in_build: bool = False) -> Iterator[Extraction]:
    """Extractions saved by a build or by `kg extract`, one at a time."""
    return _rows(
        path,
        _extraction,
        "an extraction record",
        "make the file again with 'kg extract' (or 'kg build')",
        in_build=in_build,
    )
