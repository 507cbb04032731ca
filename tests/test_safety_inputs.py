"""Hostile inputs: special files, gzip bombs, odd encodings and huge tokens end quickly with a
one-line error or are read right. Each case runs in a temporary folder beside a canary file.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from extract.patterns import find_all
from extract.pipeline import build_nlp, extract
from kg.cli import app
from kg.errors import InputError
from kg.model import Paper
from kg.readers import read_papers
from kg.readers.source import MAX_LINE_CHARS

if TYPE_CHECKING:
    from spacy.language import Language

ROOT = Path(__file__).resolve().parents[1]
CANARY = b"the user's own file\n"
PAPER = {"id": "2401.00001", "title": "Tuning BERT", "abstract": "We fine-tune BERT on GLUE."}


@pytest.fixture
def place(tmp_path: Path) -> Path:
    (tmp_path / "canary.txt").write_bytes(CANARY)
    return tmp_path


@pytest.fixture(autouse=True)
def canary_untouched(place: Path) -> Iterator[None]:
    yield
    assert (place / "canary.txt").read_bytes() == CANARY


def kg(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# 10: special files and gzip bombs


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_special_file_input_is_refused_at_once(place: Path, kind: str) -> None:
    path = Path(kind)
    if kind == "fifo":
        path = place / "papers.jsonl"
        os.mkfifo(path)
    done = kg("build", path, "-o", place / "DIR", timeout=30)
    assert done.returncode == 2
    what = "a FIFO" if kind == "fifo" else "a character device"
    assert (
        done.stderr
        == f"error: {path}: {what}, not a regular file; save the papers to a file and pass that\n"
    )
    assert not (place / "DIR").exists()


def gzip_bomb(path: Path, first: bytes, fill: bytes) -> Path:
    """`first`, then 1 GiB of `fill`, compressed about 1000:1 (one member repeated)."""
    member = gzip.compress(fill * (16 << 20), compresslevel=9)
    with path.open("wb") as handle:
        handle.write(gzip.compress(first))
        for _ in range(64):
            handle.write(member)
    return path


def jsonl_bomb(path: Path) -> Path:
    return gzip_bomb(path, (json.dumps(PAPER) + "\n").encode(), b"\0")


def test_gzip_bomb_stops_quickly_keeping_the_records_before(place: Path) -> None:
    bomb = jsonl_bomb(place / "papers.jsonl.gz")
    assert bomb.stat().st_size < 2 << 20
    began = time.monotonic()
    result = read_papers([bomb])
    assert time.monotonic() - began < 5
    assert [p.id for p in result.papers] == ["2401.00001"]
    (skipped,) = result.skipped
    assert "decompresses to over 67,108,864 bytes, 64 times its compressed size" in skipped.reason


def test_gzip_bomb_is_an_error_when_strict(place: Path) -> None:
    with pytest.raises(InputError, match="a gzip bomb"):
        read_papers([jsonl_bomb(place / "papers.jsonl.gz")], strict=True)


def test_gzip_bomb_as_a_json_document_stops_too(place: Path) -> None:
    bomb = gzip_bomb(place / "papers.json.gz", b"[", b" ")
    began = time.monotonic()
    result = read_papers([bomb])
    assert time.monotonic() - began < 5
    assert any("a gzip bomb" in skipped.reason for skipped in result.skipped)


# 11: long lines, NUL bytes, UTF-16 without a byte order mark


def test_one_line_json_array_over_the_line_cap_reads(place: Path) -> None:
    rows = [PAPER, {**PAPER, "id": "2401.00002", "notes": "x" * MAX_LINE_CHARS}]
    path = place / "papers.json"
    path.write_text(json.dumps(rows), encoding="utf-8")  # one line of 32 MiB and more
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["2401.00001", "2401.00002"]
    assert result.skipped == ()


def test_json_document_over_the_document_cap_is_refused(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.readers.source.MAX_DOCUMENT_CHARS", 1000)
    path = place / "papers.json"
    path.write_text(json.dumps([PAPER] * 40), encoding="utf-8")
    with pytest.raises(InputError, match="a JSON document over 1,000 characters"):
        read_papers([path])


def test_nul_in_a_csv_header_is_an_error_naming_the_column(place: Path) -> None:
    path = place / "papers.csv"
    path.write_bytes(b"id\0,title,abstract\n2401.00001,Tuning BERT,We fine-tune BERT.\n")
    with pytest.raises(InputError, match=r"papers\.csv:1: a control character .* 'id\\x00'"):
        read_papers([path])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("papers.json", json.dumps([PAPER])),
        ("papers.jsonl", json.dumps(PAPER) + "\n"),
        ("papers.csv", "id,title,abstract\n2401.00001,Tuning BERT,We fine-tune BERT on GLUE.\n"),
    ],
)
def test_utf16_without_a_byte_order_mark_reads(
    place: Path, encoding: str, name: str, text: str
) -> None:
    path = place / name
    path.write_bytes(text.encode(encoding))
    result = read_papers([path])
    assert [(p.id, p.title) for p in result.papers] == [("2401.00001", "Tuning BERT")]


# 11: a build folder's papers.jsonl and a --param value


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('{"title": "T", "abstract": "A"}', "not a paper record (no 'id' field)"),
        ("[1, 2]", "not a paper record (a JSON list, not an object)"),
        ("[" * 100_000, "not valid JSON (nested too deeply)"),
    ],
)
def test_bad_papers_jsonl_in_a_build_folder_is_one_line(place: Path, line: str, what: str) -> None:
    out = place / "DIR"
    out.mkdir()
    (out / "papers.jsonl").write_text(json.dumps(PAPER) + "\n" + line + "\n", encoding="utf-8")
    (out / "extractions.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["stats", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {out / 'papers.jsonl'}:2: {what}; ")
    assert result.output.count("\n") == 1


def test_deeply_nested_param_is_one_line(place: Path) -> None:
    args = ["query", str(place), "RETURN $x", "--param", "x=" + "[" * 100_000]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.output.endswith(
        'is not a JSON list (nested too deeply); write it like ["a", 1].\n'
    )
    assert result.output.count("\n") == 1


# 9: one huge token, or a paper of long tokens, costs the patterns linear time

TOKENS = {
    "capitals": "A" * 100_000,
    "capitals and plus": "A+" * 50_000,
    "capitals and dots": "A." * 50_000,
    "hyphenated": "Ab-" * 33_333,
    "camel with digits": "aB1" * 33_333,
    "lower case": "a" * 100_000,
}


@pytest.mark.parametrize("token", TOKENS.values(), ids=TOKENS.keys())
def test_patterns_on_a_100k_character_token_take_well_under_a_second(token: str) -> None:
    began = time.monotonic()
    find_all(f"Title\n\nWe propose {token}, a new dataset.", 5)
    assert time.monotonic() - began < 0.5


@pytest.mark.parametrize("length", [65, 1_000, 16_000])
def test_patterns_on_100k_characters_of_long_tokens_take_well_under_a_second(length: int) -> None:
    token = ("aB1+" * length)[:length]
    text = " ".join([token] * (100_000 // (length + 1)))
    began = time.monotonic()
    find_all(text, 0)
    assert time.monotonic() - began < 0.5


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def test_extraction_of_a_paper_with_a_100k_character_token_is_quick(nlp: Language) -> None:
    paper = Paper(id="1", title="Tuning BERT", abstract=f"We propose {'A+' * 50_000} on GLUE.")
    began = time.monotonic()
    (extraction,) = extract(nlp, [paper])
    assert time.monotonic() - began < 3
    assert {e.name for e in extraction.entities} >= {"BERT", "GLUE"}


def test_long_tokens_are_masked_and_names_beside_them_kept() -> None:
    text = f"We fine-tune TinyLlama on {'A1' * 2_500} and GLUE."
    assert {cand.name for cand in find_all(text, 0)} == {"TinyLlama"}
