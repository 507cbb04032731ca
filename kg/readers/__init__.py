"""Read papers from input files of any supported format, merged and deduplicated.

Formats: "hf" (a Hugging Face papers page saved as text), "hf-html" (saved as HTML), "jsonl",
"json" (an array; the Hugging Face daily-papers API too), "csv", "tsv", "atom" (arXiv API
feed), "arxiv" (the arXiv metadata snapshot), "bibtex", "ris", "s2" (Semantic Scholar Graph
API JSON) and "openalex" (OpenAlex works JSON). Any of them may be gzipped. A bad record is skipped and listed (or raises with strict=True);
a file that cannot be read at all raises an InputError.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import FORMAT_NAMES, NoRecords, UnknownFormat
from kg.model import Paper
from kg.progress import Reporter, step
from kg.readers.arxiv_snapshot import read_arxiv_snapshot
from kg.readers.atom import read_atom
from kg.readers.bibtex import read_bibtex
from kg.readers.csv_reader import read_csv
from kg.readers.detect import detect_format
from kg.readers.hf_html import read_hf_html
from kg.readers.hf_page import read_hf_page
from kg.readers.jsonl import read_json, read_jsonl
from kg.readers.merge import merge_papers
from kg.readers.openalex import read_openalex
from kg.readers.record import Skipped, check_columns
from kg.readers.ris import read_ris
from kg.readers.semantic_scholar import read_semantic_scholar
from kg.readers.source import TextSource, check_path

__all__ = ["FORMATS", "ReadResult", "Skipped", "detect_format", "read_papers"]

FORMATS = FORMAT_NAMES


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Papers read from all inputs, and what was skipped on the way."""

    papers: tuple[Paper, ...]  # merged and deduplicated across all files, sorted by id
    skipped: tuple[Skipped, ...]
    per_file: tuple[tuple[str, int], ...]  # (path, records read) per input file, input order
    n_duplicates: int  # records that merged into another record of the same paper
    n_no_abstract: int = 0  # papers kept with an empty abstract

    def summary(self) -> str:
        """One line: records read, papers, title-only papers, duplicates merged, skipped and why.

        Example:
            >>> bad = Skipped("a.jsonl", 2, 2, "bad JSON (Expecting value) at column 7; fix it")
            >>> ReadResult((), (bad, bad), (("a.jsonl", 3),), 1, 0).summary()
            'read 3 records from 1 file: 0 papers (0 title-only), 1 duplicate merged, 2 skipped (2 bad JSON (Expecting value))'
        """
        n_records = sum(n for _, n in self.per_file)
        line = (
            f"read {n_records} records from {_plural(len(self.per_file), 'file')}: "
            f"{_plural(len(self.papers), 'paper')} ({self.n_no_abstract} title-only"
            f"{', no abstract: no concepts' if self.n_no_abstract else ''}), "
            f"{_plural(self.n_duplicates, 'duplicate')} merged, {len(self.skipped)} skipped"
        )
        reasons = Counter(_reason_kind(s.reason) for s in self.skipped)
        if reasons:
            line += " (" + ", ".join(f"{n} {why}" for why, n in reasons.most_common(4))
            line += ", …)" if len(reasons) > 4 else ")"
        return line


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _reason_kind(reason: str) -> str:
    """The kind of a skip reason: its 'what' part without positions and numbers."""
    what = reason.partition("; ")[0]
    what = re.sub(r",? at (?:column|line) \d+", "", what)
    return re.sub(r"\d+", "N", what)


def _records(
    fmt: str, source: TextSource, path: str, columns: Mapping[str, str] | None
) -> Iterator[Paper | Skipped]:
    if fmt == "hf":
        return read_hf_page(source, path=path)
    if fmt == "jsonl":
        return read_jsonl(source, path=path, columns=columns)
    if fmt == "json":
        return read_json(source, path=path, columns=columns)
    if fmt in ("csv", "tsv"):
        return read_csv(
            source, path=path, columns=columns, delimiter="\t" if fmt == "tsv" else None
        )
    if fmt == "atom":
        return read_atom(source, path=path)
    if fmt == "arxiv":
        return read_arxiv_snapshot(source, path=path)
    return _DOCUMENT_READERS[fmt](source, path=path)


_DOCUMENT_READERS = {
    "hf-html": read_hf_html,
    "bibtex": read_bibtex,
    "ris": read_ris,
    "s2": read_semantic_scholar,
    "openalex": read_openalex,
}


def read_papers(
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    progress: Reporter | None = None,
) -> ReadResult:
    """Read every file in `paths` and merge their papers.

    Args:
        fmt: one of FORMATS for all files; None detects each file's format.
        columns: our field names (id, title, abstract, authors, year, date, url, categories,
            doi) mapped to the file's column or key names.
        strict: raise InputError at the first bad record instead of skipping it.
        progress: hears the "read" step, counted in records (kg.progress).

    Raises:
        InputError: a path is missing or a folder, a file cannot be parsed at all, a CSV
            header has no title column, or (strict) a record is bad.
        NoRecords: a file holds no record.
        UnknownFormat: a file's format cannot be told, or `fmt` is not one of FORMATS.
    """
    check_columns(columns)
    if fmt is not None and fmt not in FORMATS:
        raise UnknownFormat(paths[0] if paths else "--format", f"no format {fmt!r}")
    records: list[tuple[str, int, Paper]] = []
    skipped: list[Skipped] = []
    per_file: list[tuple[str, int]] = []
    with step(progress, "read", unit="records") as advance:
        for path in map(Path, paths):
            check_path(path)
            source = TextSource(path, strict=strict)
            file_fmt = fmt or detect_format(path, source.head())
            n_read = n_seen = 0
            for item in _records(file_fmt, source, str(path), columns):
                n_seen += 1
                advance()
                if isinstance(item, Paper):
                    records.append((str(path), n_read, item))
                    n_read += 1
                elif strict:
                    raise item.to_error()
                else:
                    skipped.append(item)
            skipped.extend(source.problems)
            if n_seen == 0 and not source.problems:
                raise NoRecords(path)
            per_file.append((str(path), n_read))
        papers, n_duplicates = merge_papers(records)
    n_no_abstract = sum(1 for paper in papers if not paper.abstract)
    return ReadResult(papers, tuple(skipped), tuple(per_file), n_duplicates, n_no_abstract)
