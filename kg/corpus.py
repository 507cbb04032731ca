"""The build folder's source of truth: papers.jsonl and extractions.jsonl, written atomically.

Lines are sorted by paper id and serialised with sorted keys, so the same corpus gives the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import BuildDirError
from kg.model import Extraction, Paper

PAPERS = "papers.jsonl"
EXTRACTIONS = "extractions.jsonl"


def dumps(data: Any) -> str:
    """One canonical JSON line: sorted keys, UTF-8, no NaN."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and os.replace, so readers never see half."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows as JSON Lines, atomically."""
    write_atomic(path, "".join(dumps(row) + "\n" for row in rows))


def write_papers(path: Path, papers: Iterable[Paper]) -> None:
    write_jsonl(path, (p.to_json() for p in sorted(papers, key=lambda p: p.id)))


def write_extractions(path: Path, extractions: Iterable[Extraction]) -> None:
    write_jsonl(path, (e.to_json() for e in sorted(extractions, key=lambda e: e.paper_id)))


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise BuildDirError(
            f"{path}: missing; run 'kg build INPUT... -o {path.parent}' first"
        ) from None
    with handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                raise BuildDirError(
                    f"{path}:{n}: not valid JSON ({err.msg}); rebuild the folder with 'kg build'"
                ) from None


def read_papers(path: Path) -> list[Paper]:
    """Papers saved by a build."""
    return [Paper.from_json(row) for row in _read_jsonl(path)]


def read_extractions(path: Path) -> list[Extraction]:
    """Extractions saved by a build or by `kg extract`."""
    try:
        return [Extraction.from_json(row) for row in _read_jsonl(path)]
    except (KeyError, ValueError, TypeError) as err:
        raise BuildDirError(
            f"{path}: not an extractions file ({err}); make one with 'kg extract'"
        ) from None
