"""`kg build FILE -o DIR` end to end on bad inputs: exit code, one-line messages, DIR kept.

Each case runs the real command in a subprocess on a copy of a folder that already holds a build.
A failed build must leave every file of that folder byte-identical; a build that skips records
must say so in one `warning:` line per record, naming the file. The readers' own tests
(tests/test_readers*.py) check what each reader makes of these inputs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROWS = [
    {"id": "b1", "title": "Fine-tuning BERT on GLUE", "abstract": "We fine-tune BERT on GLUE."},
    {"id": "b2", "title": "Résumé of ResNet", "abstract": "We train ResNet on ImageNet."},
    {"id": "b3", "title": "LoRA adapters", "abstract": "We apply LoRA to Llama 2 on MMLU."},
]
OUTPUTS = ("papers.jsonl", "extractions.jsonl", "manifest.json", "index.html", "papers.html")


def line(row: dict[str, object]) -> str:
    return json.dumps(row, ensure_ascii=False)


def many_rows(n: int = 400) -> list[dict[str, object]]:
    pick = random.Random(7)
    models, data = ("BERT", "ResNet", "T5", "GPT-2"), ("GLUE", "ImageNet", "SQuAD", "MMLU")
    return [
        {
            "id": f"m{i:03d}",
            "title": f"Study {i} of {pick.choice(models)}",
            "abstract": f"We evaluate {pick.choice(models)} on {pick.choice(data)}; "
            f"it scores {pick.random():.6f}.",
        }
        for i in range(n)
    ]


LF = "".join(line(r) + "\n" for r in ROWS)
MANY = "".join(line(r) + "\n" for r in many_rows())


def run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with in.jsonl, many.jsonl and DIR, a build of both (reused by later builds)."""
    folder = tmp_path_factory.mktemp("base")
    (folder / "in.jsonl").write_text(LF, encoding="utf-8")
    (folder / "many.jsonl").write_text(MANY, encoding="utf-8")
    done = run_kg("build", "in.jsonl", "many.jsonl", "-o", "DIR", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def lf_build(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build of in.jsonl alone (LF, UTF-8): what its re-encoded copies must give too."""
    folder = tmp_path_factory.mktemp("lf")
    shutil.copytree(base, folder, dirs_exist_ok=True)
    done = run_kg("build", "in.jsonl", "-o", "DIR", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "DIR"


def utf16_be(text: str) -> bytes:
    return b"\xfe\xff" + text.encode("utf-16-be")


def bad_byte_at(n: int) -> bytes:
    lines = MANY.encode("utf-8").splitlines(keepends=True)
    lines[n - 1] = lines[n - 1].replace(b"Study", b"\xe9tude", 1)
    return b"".join(lines)


def truncated_gzip(*, padded: bool) -> bytes:
    """MANY gzipped and cut at two thirds; `padded` adds incompressible text to each record."""
    pick = random.Random(11)
    rows = many_rows()
    if padded:  # a field the build ignores, so the kept records still reuse the base build
        rows = [{**row, "note": pick.randbytes(200).hex()} for row in rows]
    packed = gzip.compress("".join(line(r) + "\n" for r in rows).encode("utf-8"), mtime=0)
    return packed[: len(packed) * 2 // 3]


ATOM = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
    "<entry><id>http://arxiv.org/abs/2101.00001v1</id><title>Fine-tuning BERT on GLUE</title>"
    "<summary>We fine-tune BERT on GLUE.</summary></entry>\n</feed>\n"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2101.00001v1</id>'
    "<title>&xxe;</title><summary>S</summary></entry></feed>\n"
)
BIB = "@article{k1,\n  title = {Fine-tuning BERT on GLUE},\n  abstract = {We fine-tune BERT.},\n}\n"
CSV = "id,title,abstract\nb1,Fine-tuning BERT on GLUE,We fine-tune BERT on GLUE.\n"


@dataclass(frozen=True)
class Case:
    """One bad input: its file name and bytes, the exit code and what the build keeps."""

    name: str
    data: bytes | None  # None: the path is not created
    rc: int
    n_warnings: int = 0
    n_papers: int | None = None  # papers in the new build (rc 0)
    same_as_lf: bool = False  # the build equals the build of in.jsonl, byte for byte
    args: tuple[str, ...] = ()
    is_dir: bool = False


TRUNCATED = LF + '{"id": "t9", "title": "Trunc'
CASES = {
    "empty": Case("empty.jsonl", b"", 2),
    "whitespace-only": Case("blank.jsonl", b" \n\n\t\r\n", 2),
    "bom-jsonl": Case("in.jsonl", b"\xef\xbb\xbf" + LF.encode(), 0, n_papers=3, same_as_lf=True),
    "bom-csv": Case("in.csv", b"\xef\xbb\xbf" + CSV.encode(), 0, n_papers=1),
    "bom-bibtex": Case("in.bib", b"\xef\xbb\xbf" + BIB.encode(), 0, n_papers=1),
    "bom-atom": Case("in.atom", b"\xef\xbb\xbf" + ATOM.encode(), 0, n_papers=1),
    "utf16-le": Case("in.jsonl", LF.encode("utf-16"), 0, n_papers=3, same_as_lf=True),
    "utf16-be": Case("in.jsonl", utf16_be(LF), 0, n_papers=3, same_as_lf=True),
    "bad-utf8-byte-mid-file": Case("bad.jsonl", bad_byte_at(200), 0, n_warnings=1, n_papers=399),
    "bad-utf8-byte-strict": Case("bad.jsonl", bad_byte_at(200), 2, args=("--strict",)),
    "crlf": Case("in.jsonl", LF.replace("\n", "\r\n").encode(), 0, n_papers=3, same_as_lf=True),
    "mixed-lf-crlf-cr": Case(
        "in.jsonl",
        f"{line(ROWS[0])}\r\n{line(ROWS[1])}\r{line(ROWS[2])}\n".encode(),
        0,
        n_papers=3,
        same_as_lf=True,
    ),
    "nul-and-controls": Case(
        "ctl.jsonl",
        (line({"id": "c1", "title": "A\x00B\x0bC\x1bD", "abstract": "BERT\x00."}) + "\n").encode(),
        0,
        n_papers=1,
    ),
    "lone-surrogate": Case(
        "sur.jsonl",
        (LF + '{"id": "s1", "title": "Bad \\ud800 title", "abstract": "x"}\n').encode(),
        0,
        n_papers=4,
    ),
    "truncated-last-line": Case("trunc.jsonl", TRUNCATED.encode(), 0, n_warnings=1, n_papers=3),
    "truncated-last-line-strict": Case("trunc.jsonl", TRUNCATED.encode(), 2, args=("--strict",)),
    "not-an-object": Case("types.jsonl", ('[1]\n"x"\n3\nnull\n' + LF).encode(), 0, 4, 3),
    "nesting-bomb": Case("bomb.jsonl", (LF + "[" * 100_000 + "\n").encode(), 0, 1, 3),
    "nan-literal": Case(
        "nan.jsonl",
        (LF + '{"id": "n1", "title": "N", "abstract": "x", "year": NaN}\n').encode(),
        0,
        1,
        3,
    ),
    "huge-int": Case(
        "big.jsonl",
        (LF + '{"id": "h1", "title": "H", "abstract": "x", "year": ' + "9" * 5000 + "}\n").encode(),
        0,
        1,
        3,
    ),
    "missing-title-kept": Case(  # abstract-only corpora exist: a record needs one of the two
        "notitle.jsonl", (LF + '{"id": "x1", "abstract": "No title."}\n').encode(), 0, 0, 4
    ),
    "missing-title-and-abstract": Case(
        "notitle.jsonl", (LF + '{"id": "x1", "year": 2024}\n').encode(), 0, 1, 3
    ),
    "duplicate-ids-same-content": Case("dup.jsonl", (LF + line(ROWS[0]) + "\n").encode(), 0, 0, 3),
    "duplicate-ids-different-content": Case(
        "dup.jsonl",
        (LF + line({**ROWS[0], "abstract": "A longer, different abstract."}) + "\n").encode(),
        0,
        1,
        3,
    ),
    "every-record-bad": Case("allbad.jsonl", b'[1]\n{"id": "x"}\n', 2),
    "csv-unbalanced-quote": Case(
        "quote.csv",
        b'id,title,abstract\nq1,"Open quote,abs one\nq2,Second,abs two\nq3,Third,abs three\n',
        0,
        1,
    ),
    "atom-not-well-formed": Case("bad.atom", ATOM.encode()[:-20], 2),
    "atom-xxe": Case("xxe.atom", XXE.encode(), 2),
    "truncated-gzip": Case("many.jsonl.gz", truncated_gzip(padded=True), 0, n_warnings=1),
    "truncated-gzip-small": Case("many.jsonl.gz", truncated_gzip(padded=False), 0, n_warnings=1),
    "directory-as-input": Case("papers", None, 2, is_dir=True),
    "missing-path": Case("missing.jsonl", None, 2),
    "unknown-extension": Case("paper.xyz", b"hello\n", 2),
}


@dataclass(frozen=True)
class Outcome:
    """What one run of `kg build CASE -o DIR` did."""

    done: subprocess.CompletedProcess[str]
    before: dict[str, str]
    after: dict[str, str]
    out: Path


@pytest.fixture(scope="module")
def outcomes(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Each case run once, on its own copy of the base build, when a test first asks for it."""

    class Runs(dict[str, Outcome]):
        def __missing__(self, key: str) -> Outcome:
            case, folder = CASES[key], tmp_path_factory.mktemp(key)
            shutil.copytree(base / "DIR", folder / "DIR")
            if case.is_dir:
                (folder / case.name).mkdir()
            elif case.data is not None:
                (folder / case.name).write_bytes(case.data)
            before = digest(folder / "DIR")
            done = run_kg("build", *case.args, case.name, "-o", "DIR", cwd=folder)
            self[key] = Outcome(done, before, digest(folder / "DIR"), folder / "DIR")
            return self[key]

    return Runs()


def keys(*, where: object = None) -> list[str]:
    """Case keys to parametrize over: those `where` accepts."""
    return [
        key
        for key, case in CASES.items()
        if where is None or where(case)  # type: ignore[operator]
    ]


@pytest.mark.parametrize("key", keys())
def test_build_cli_bad_input_exit_code(key: str, outcomes: dict[str, Outcome]) -> None:
    done = outcomes[key].done
    assert done.returncode == CASES[key].rc, done.stderr


@pytest.mark.parametrize("key", keys())
def test_build_cli_bad_input_has_no_traceback(key: str, outcomes: dict[str, Outcome]) -> None:
    assert "Traceback" not in outcomes[key].done.stderr


@pytest.mark.parametrize("key", keys())
def test_build_cli_bad_input_messages_are_one_line_each_naming_the_file(
    key: str, outcomes: dict[str, Outcome]
) -> None:
    case, lines = CASES[key], outcomes[key].done.stderr.splitlines()
    expected = ["error"] if case.rc else ["warning"] * case.n_warnings
    assert [text.partition(":")[0] for text in lines] == expected, lines
    assert all(text.split(": ", 1)[1].startswith(case.name) for text in lines), lines


@pytest.mark.parametrize("key", keys(where=lambda case: case.rc))
def test_build_cli_failed_build_leaves_dir_unchanged(
    key: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[key]
    assert outcome.after == outcome.before


@pytest.mark.parametrize("key", keys(where=lambda case: case.n_papers is not None))
def test_build_cli_bad_input_keeps_the_good_records(key: str, outcomes: dict[str, Outcome]) -> None:
    stdout = outcomes[key].done.stdout
    assert f"\n{CASES[key].n_papers} papers, " in f"\n{stdout}", stdout


@pytest.mark.parametrize("key", keys(where=lambda case: case.same_as_lf))
def test_build_cli_reencoded_input_gives_the_same_bytes(
    key: str, outcomes: dict[str, Outcome], lf_build: Path
) -> None:
    out = outcomes[key].out
    assert [(out / n).read_bytes() for n in OUTPUTS] == [
        (lf_build / n).read_bytes() for n in OUTPUTS
    ]


@pytest.mark.parametrize("key", ["nul-and-controls", "lone-surrogate", "nan-literal"])
def test_build_cli_output_holds_no_controls_surrogates_or_nan(
    key: str, outcomes: dict[str, Outcome]
) -> None:
    text = (outcomes[key].out / "papers.jsonl").read_bytes().decode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b-\x1f]|\\ud[89a-f]|NaN", text)


def test_build_cli_xxe_is_refused_without_reading_the_entity(outcomes: dict[str, Outcome]) -> None:
    assert "root:" not in outcomes["atom-xxe"].done.stderr + outcomes["atom-xxe"].done.stdout


def test_build_cli_truncated_gzip_keeps_the_records_before_the_break(
    outcomes: dict[str, Outcome],
) -> None:
    papers = (outcomes["truncated-gzip"].out / "papers.jsonl").read_text(encoding="utf-8")
    assert 100 < len(papers.splitlines()) < 400


def test_build_cli_output_parent_is_a_file(base: Path, tmp_path: Path) -> None:
    shutil.copy(base / "in.jsonl", tmp_path / "in.jsonl")
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    done = run_kg("build", "in.jsonl", "-o", "afile/DIR", cwd=tmp_path)
    assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
    assert done.stderr.startswith("error: afile/DIR: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "in.jsonl"]
