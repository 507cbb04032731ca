"""`kg extract`: --spans like `kg evaluate`, and records with an abstract but no title."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import app

RECORDS = [
    {"id": "a1", "title": "", "abstract": "We fine-tune BERT with LoRA and evaluate on GLUE."},
    {"id": "a2", "title": "Llama 3 for QA", "abstract": "We study question answering on SQuAD."},
]


def _extract(tmp_path: Path, *args: str) -> tuple[int, str, list[dict[str, object]]]:
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["extract", str(source), "-o", str(out), *args])
    rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result.exit_code, result.output, rows


def _names(row: dict[str, object]) -> set[str]:
    entities = row["entities"]
    assert isinstance(entities, list)
    return {str(e["name"]) for e in entities}


def test_abstract_without_title_is_extracted(tmp_path: Path) -> None:
    code, _, rows = _extract(tmp_path)
    assert code == 0
    assert [r["paper_id"] for r in rows] == ["a1", "a2"]
    assert {"BERT", "GLUE"} <= _names(rows[0])


def test_spans_all_keeps_at_least_the_names(tmp_path: Path) -> None:
    _, _, names = _extract(tmp_path, "--ner")
    code, _, every = _extract(tmp_path, "--ner", "--spans", "all")
    assert code == 0
    for named, everything in zip(names, every, strict=True):
        assert _names(named) <= _names(everything)


def test_spans_other_value_is_a_one_line_error(tmp_path: Path) -> None:
    code, output, _ = _extract(tmp_path, "--spans", "some")
    assert code == 1
    assert "--spans 'some': use 'names' or 'all'" in output
