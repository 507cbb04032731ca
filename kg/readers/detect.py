"""Tell the format of an input file from its name, then from its first characters."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.errors import UnknownFormat
from kg.readers.arxiv_snapshot import SNAPSHOT_KEYS
from kg.readers.csv_reader import WOS_TAGS

BY_SUFFIX = {
    ".txt": "hf",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xml": "atom",
    ".atom": "atom",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".html": "hf-html",
    ".htm": "hf-html",
}
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_FIRST_LINE = re.compile(r"[^\n]*")
_RIS_START = re.compile(r"^\ufeff?TY  - ", re.MULTILINE)
_S2_KEY = re.compile(r'"paperId"\s*:')
# paperId alone may be any JSON's id column; these only Semantic Scholar writes with it
_S2_MARK = re.compile(
    r'"(?:externalIds|corpusId|citingPaper|citedPaper)"\s*:|^\{"total"|"data"\s*:\s*\['
)
_OPENALEX = re.compile(r'"https://openalex\.org/W\d|"abstract_inverted_index"\s*:')
_HTML = re.compile(r"<(?:!doctype html|html|body|div)\b", re.IGNORECASE)


_TXT_FORMATS = frozenset({"tsv", "ris", "bibtex", "arxiv", "s2", "openalex"})


def _first_object(head: str) -> dict[str, object] | None:
    line = head.lstrip().partition("\n")[0]
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _json_kind(head: str) -> str:
    """Tell Semantic Scholar, OpenAlex, a JSON array, JSON Lines and the arXiv snapshot apart."""
    stripped = head.lstrip()
    if _OPENALEX.search(head):
        return "openalex"
    if _S2_KEY.search(head) and _S2_MARK.search(stripped):
        return "s2"
    if stripped.startswith("["):
        return "json"
    first = _first_object(stripped)
    if first is not None and len(SNAPSHOT_KEYS & first.keys()) >= 2:
        return "arxiv"
    rest = stripped.partition("\n")[2].lstrip()
    return "jsonl" if first is not None and rest.startswith("{") else "json"


def _sniff(head: str) -> str | None:
    stripped = head.lstrip()
    first_line = _FIRST_LINE.match(stripped)
    header = first_line.group() if first_line else ""
    if stripped.startswith(("[", "{")):
        return _json_kind(head)
    if stripped.startswith("<") and "<feed" in head:
        return "atom"
    if stripped.startswith("<") and _HTML.search(head):
        return "hf-html"
    if _RIS_START.search(head[:4096]):
        return "ris"
    if _BIB_ENTRY.search(head):
        return "bibtex"
    if set(header.split("\t")) >= WOS_TAGS:
        return "tsv"
    return None


def detect_format(path: Path, head: str) -> str:
    """Return the format of `path` (one of kg.readers.FORMATS) from its name and first text.

    Example:
        >>> detect_format(Path("papers.jsonl.gz"), '{"id": "1", "title": "T"}\\n')
        'jsonl'
        >>> detect_format(Path("arxiv-metadata-oai-snapshot.json"),
        ...               '{"id": "0704.0001", "submitter": "P", "versions": []}\\n')
        'arxiv'
        >>> detect_format(Path("savedrecs.txt"), "PT\\tAU\\tTI\\tAB\\n")
        'tsv'
        >>> detect_format(Path("export"), "\\nTY  - JOUR\\nTI  - T\\n")
        'ris'
        >>> detect_format(Path("search.json"), '{"total": 1, "data": [{"paperId": "x"}]}')
        's2'
    """
    name = path.name.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    by_name = BY_SUFFIX.get(suffix)
    if head.startswith("FN ") and "Web of Science" in head[:200]:
        raise UnknownFormat(path, "a Web of Science plain-text export; export it tab-delimited")
    if by_name == "jsonl":
        kind = _json_kind(head)
        return kind if kind in ("arxiv", "s2", "openalex") else "jsonl"
    if by_name == "json":
        return _json_kind(head) if head.strip() else "json"
    if by_name == "hf":  # Web of Science and PubMed save exports as .txt
        sniffed = _sniff(head)
        return sniffed if sniffed in _TXT_FORMATS else "hf"
    if by_name is not None:
        return by_name
    sniffed = _sniff(head)
    if sniffed is None:
        detail = f"unknown extension {suffix!r}" if suffix else "no file extension"
        raise UnknownFormat(path, detail)
    return sniffed
