"""The bundled samples: the default Hugging Face pages and `--sample recent` (2,000 dated papers)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.build import SAMPLE_DIR, sample_inputs
from kg.cli import _inputs
from kg.model import Paper
from kg.readers import read_papers


@pytest.fixture(scope="module")
def recent() -> tuple[Paper, ...]:
    return read_papers(sample_inputs("recent")).papers


def test_recent_sample_has_2000_papers_with_dates_and_arxiv_ids(recent: tuple[Paper, ...]) -> None:
    assert len(recent) == 2000
    assert all(p.date and p.year and p.url == f"https://arxiv.org/abs/{p.id}" for p in recent)


def test_recent_sample_is_even_by_month(recent: tuple[Paper, ...]) -> None:
    per_month = Counter((p.date or "")[:7] for p in recent)
    assert (len(per_month), min(per_month.values()), max(per_month.values())) == (17, 117, 118)


def test_recent_sample_keeps_its_provenance_and_licence() -> None:
    folder = SAMPLE_DIR / "recent"
    assert "CC0" in (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Apache License" in (folder / "SOURCE_LICENSE.txt").read_text(encoding="utf-8")


def test_default_sample_stays_the_hf_pages() -> None:
    assert _inputs(None, sample=True) == sample_inputs() == sorted(SAMPLE_DIR.glob("*.txt"))


def test_sample_name_after_the_flag_picks_that_sample(tmp_path: Path) -> None:
    own = tmp_path / "mine.jsonl"
    assert _inputs([own, Path("recent")], sample=True) == [own, *sample_inputs("recent")]
