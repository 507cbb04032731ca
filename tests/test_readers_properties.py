"""Property tests for every reader: any bytes give papers or one clean KGError (never a
traceback), and a bad record loses no valid record before or after it."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError
from kg.readers import FORMATS, read_papers

SUFFIX = {
    "hf": ".txt", "hf-html": ".html", "jsonl": ".jsonl", "json": ".json", "csv": ".csv",
    "tsv": ".tsv", "atom": ".xml", "arxiv": ".json", "bibtex": ".bib", "ris": ".ris",
    "s2": ".json", "openalex": ".json",
}  # fmt: skip
ABSTRACT = "We propose a method and evaluate it on a benchmark at length. " * 6
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
titles = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30).map(
    lambda t: "T " + " ".join(t.split())
)
junk = st.text(max_size=200)


def _read(fmt: str, data: bytes) -> tuple[str, ...]:
    """Read `data` as `fmt`; return the titles, or () when kg refuses it with a KGError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{SUFFIX[fmt]}"
        path.write_bytes(data)
        try:
            result = read_papers([path], fmt=fmt)
        except KGError as err:
            message = str(err)
        else:
            return tuple(p.title for p in result.papers)
    assert "\n" not in message
    assert message.startswith(str(path))
    return ()


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(data=st.binary(max_size=3000))
def test_any_bytes_give_papers_or_one_clean_error(fmt: str, data: bytes) -> None:
    _read(fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(text=st.text(max_size=1500))
def test_any_text_gives_papers_or_one_clean_error(fmt: str, text: str) -> None:
    _read(fmt, text.encode("utf-8", "surrogatepass"))


def _jsonl(good: list[str], bad: str) -> str:
    lines = [json.dumps({"title": t, "abstract": ABSTRACT}) for t in good]
    return "\n".join([lines[0], bad.replace("\n", " ") or "{", lines[1]]) + "\n"


def _arxiv(good: list[str], bad: str) -> str:
    lines = [
        json.dumps({"id": f"2401.0000{i}", "title": t, "abstract": ABSTRACT, "versions": []})
        for i, t in enumerate(good)
    ]
    return "\n".join([lines[0], bad.replace("\n", " ") or "[", lines[1]]) + "\n"


def _json_list(key: str | None, wrap: Callable[[str], dict[str, object]]) -> Callable[..., str]:
    def make(good: list[str], bad: str) -> str:
        items: list[object] = [wrap(good[0]), bad, wrap(good[1])]
        return json.dumps({key: items} if key else items)

    return make


def _csv(delimiter: str) -> Callable[..., str]:
    def make(good: list[str], bad: str) -> str:
        row = bad.replace("\n", " ").replace('"', "").replace(delimiter, " ")
        lines = ["title", *(f"{t}{delimiter}{ABSTRACT}" for t in good)]
        lines[0] = f"title{delimiter}abstract"
        return "\n".join([lines[0], lines[1], row or "x", lines[2]]) + "\n"  # no abstract field

    return make


def _bibtex(good: list[str], bad: str) -> str:
    entries = [
        f"@article{{k{i},\n title = {{{t}}},\n abstract = {{{ABSTRACT}}}}}\n"
        for i, t in enumerate(good)
    ]
    broken = "@article{bad,\n title = {" + bad.replace("@", " ").replace("{", " ").replace("}", " ")
    return entries[0] + broken + "\n" + entries[1]


def _ris(good: list[str], bad: str) -> str:
    records = [f"TY  - JOUR\nTI  - {t}\nAB  - {ABSTRACT}\nER  - \n" for t in good]
    lines = [line for line in bad.splitlines() if not line.startswith(("TY", "ER"))]
    return records[0] + "TY  - JOUR\n" + "\n".join(lines) + "\nER  - \n" + records[1]


def _atom(good: list[str], bad: str) -> str:
    from xml.sax.saxutils import escape

    def entry(title: str, summary: str) -> str:
        return f"<entry><title>{title}</title><summary>{summary}</summary></entry>"

    clean = "".join(c for c in bad if c.isprintable() and c not in "\ufffe\uffff")
    body = (
        entry(good[0], ABSTRACT)
        + f"<entry><id>{escape(clean)}</id></entry>"
        + entry(good[1], ABSTRACT)
    )
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'


def _hf(good: list[str], bad: str) -> str:
    orphan = ("An abstract whose title was lost. " * 12) + bad.replace("\n", " ")
    return "\n".join([good[0], ABSTRACT, orphan, good[1], ABSTRACT]) + "\n"


def _hf_html(good: list[str], bad: str) -> str:
    from html import escape

    items: list[object] = [{"paper": {"title": t, "summary": ABSTRACT}} for t in good]
    items.insert(1, bad)
    return f'<html><div data-props="{escape(json.dumps({"dailyPapers": items}))}"></div></html>'


MAKERS: dict[str, Callable[..., str]] = {
    "jsonl": _jsonl,
    "json": _json_list(None, lambda t: {"title": t, "abstract": ABSTRACT}),
    "arxiv": _arxiv,
    "csv": _csv(","),
    "tsv": _csv("\t"),
    "bibtex": _bibtex,
    "ris": _ris,
    "atom": _atom,
    "hf": _hf,
    "hf-html": _hf_html,
    "s2": _json_list("data", lambda t: {"paperId": "x", "title": t, "abstract": ABSTRACT}),
    "openalex": _json_list("results", lambda t: {"title": t, "abstract_inverted_index": None}),
}


def test_every_format_has_a_bad_record_property() -> None:
    assert sorted(MAKERS) == sorted(FORMATS)


@pytest.mark.parametrize("fmt", sorted(MAKERS))
@SETTINGS
@given(good=st.lists(titles, min_size=2, max_size=2, unique=True), bad=junk)
def test_bad_record_keeps_the_records_before_and_after(fmt: str, good: list[str], bad: str) -> None:
    text = MAKERS[fmt](good, bad)
    read = _read(fmt, text.encode("utf-8", "surrogatepass"))
    assert set(good) <= set(read)
