"""Read the arXiv metadata snapshot (Kaggle "arxiv-metadata-oai-snapshot.json", JSON Lines).

Each line holds id, submitter, authors (one string), title and abstract (with line breaks and
LaTeX), comments, journal-ref, doi, categories ("cs.CL cs.AI"), versions
([{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]), update_date and
authors_parsed ([["Last", "First", ""]]). The date is that of the first version.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.jsonl import RecordError, parse_object
from kg.readers.record import Skipped, make_paper

SNAPSHOT_KEYS = frozenset({"versions", "update_date", "submitter", "authors_parsed"})


def _first_version_date(record: dict[str, Any]) -> object:
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        return versions[0].get("created")
    return record.get("update_date")


def paper_from_record(record: dict[str, Any], *, path: str) -> Paper:
    """Build a Paper from one snapshot record; raise FieldError if it cannot be used."""
    arxiv = record.get("id")
    if isinstance(arxiv, int | float) and not isinstance(arxiv, bool):
        # Some re-exports turn "0704.0001" into a number; the zeros cannot be known.
        raise FieldError(f"id {arxiv!r} is a number; keep arXiv ids as strings")
    authors = record.get("authors_parsed") or record.get("authors")
    values = {
        "id": arxiv,
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "authors": authors,
        "date": _first_version_date(record),
        "year": None,
        "url": f"https://arxiv.org/abs/{arxiv}" if isinstance(arxiv, str) and arxiv else None,
        "categories": record.get("categories"),
        "doi": record.get("doi"),
    }
    if values["date"] is None:
        values["date"] = record.get("update_date")
    return make_paper(values, path=path, keep_id=False, latex=True)


def read_arxiv_snapshot(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per snapshot line, or a Skipped naming the line."""
    n_records = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        n_records += 1
        try:
            yield paper_from_record(parse_object(line), path=path)
        except (RecordError, FieldError) as err:
            yield Skipped(path, number, n_records, str(err))
