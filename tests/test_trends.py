"""kg.trends on small hand-made dated corpora: periods, windows, rising, falling, new, partial
ends, undated papers; and `kg trends` on a build folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg import corpus
from kg.cli import app
from kg.errors import KGError
from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Paper, Role
from kg.rates import share_ratio_bound
from kg.trends import (
    ConceptInfo,
    NoDates,
    Trends,
    compute_trends,
    trends_of_data,
)

runner = CliRunner()
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
INFO = {
    "a": ConceptInfo("Alpha", "Method"),
    "b": ConceptInfo("Beta", "Dataset"),
    "c": ConceptInfo("Gamma", "Method"),
    "d": ConceptInfo("Delta", "Method"),
}
# papers naming each concept per month of MONTHS (ten papers a month)
SPEC = {"a": [0, 0, 0, 0, 5, 5], "b": [3, 3, 3, 3, 0, 0], "c": [2] * 6, "d": [0, 0, 0, 0, 1, 1]}


def _corpus(
    months: list[str], spec: dict[str, list[int]], per_month: int = 10
) -> tuple[dict[str, tuple[object, object]], list[tuple[str, str]]]:
    """`per_month` papers in each month (dated the 15th); concept c is in the first spec[c][i]."""
    dates: dict[str, tuple[object, object]] = {}
    mentions = []
    for i, month in enumerate(months):
        for k in range(per_month):
            dates[f"{month}-{k}"] = (int(month[:4]), f"{month}-15")
        for cid, counts in spec.items():
            mentions += [(f"{month}-{k}", cid) for k in range(counts[i])]
    return dates, mentions


def _trends(**options: Any) -> Trends:
    dates, mentions = _corpus(MONTHS, SPEC)
    return compute_trends(dates, mentions, INFO, **options)


def test_trends_count_papers_per_month() -> None:
    found = _trends()
    assert found.by == "month"
    assert [(p.label, p.papers, p.partial) for p in found.periods] == [
        (m, 10, False) for m in MONTHS
    ]


def test_trends_recent_window_is_the_last_third_of_the_periods() -> None:
    found = _trends()
    assert (found.since, found.earlier_papers, found.recent_papers) == ("2026-05", 40, 20)


def test_trends_concept_counts_and_shares_per_window() -> None:
    alpha = next(r for r in _trends().top if r.name == "Alpha")
    assert alpha.counts == (0, 0, 0, 0, 5, 5)
    assert (alpha.earlier, alpha.recent, alpha.first) == (0, 10, "2026-05")
    assert (alpha.share_earlier, alpha.share_recent) == (0.0, 0.5)


def test_trends_rising_bound_is_the_low_end_of_the_share_ratio() -> None:
    # Wilson 95% low end of 10/10 is 0.72248; ratio 0.72248/0.27752 * 40/20
    found = _trends()
    assert [r.name for r in found.rising] == ["Alpha"]
    assert found.rising[0].bound == pytest.approx(5.2066, abs=1e-3)


def test_trends_falling_bound_is_the_high_end() -> None:
    # Wilson 95% high end of 0/12 is 0.24250; ratio 0.2425/0.7575 * 40/20
    found = _trends()
    assert [r.name for r in found.falling] == ["Beta"]
    assert found.falling[0].bound == pytest.approx(0.6403, abs=1e-3)


def test_trends_steady_share_is_neither_rising_nor_falling() -> None:
    gamma = next(r for r in _trends().top if r.name == "Gamma")
    assert (gamma.share_earlier, gamma.share_recent, gamma.bound) == (0.2, 0.2, 1.0)


def test_trends_too_few_papers_never_rise() -> None:
    delta = next(r for r in _trends().top if r.name == "Delta")
    assert (delta.recent, delta.bound) == (2, 1.0)


def test_trends_p_is_the_exact_binomial_test_of_no_change() -> None:
    # Alpha: all 10 papers recent, where a third (20 of 60 papers) is expected: (1/3)^10
    rows = {r.name: r for r in _trends().top}
    assert rows["Alpha"].p == pytest.approx(3**-10)
    assert rows["Beta"].p == pytest.approx(0.011563, abs=1e-6)  # (2/3)^12 + P(9..12 of 12)
    assert rows["Gamma"].p == pytest.approx(1.0)  # 4 of 12 recent: just as expected
    assert rows["Delta"].p == 1.0  # too few papers: not compared


def test_trends_q_adjusts_for_the_concepts_compared() -> None:
    found = _trends()
    rows = {r.name: r for r in found.top}
    assert found.n_compared == 3  # Alpha, Beta, Gamma
    assert rows["Alpha"].q == pytest.approx(3 * 3**-10)
    assert rows["Beta"].q == pytest.approx(0.011563 * 3 / 2, abs=1e-6)
    assert rows["Gamma"].q == pytest.approx(1.0)


def test_share_ratio_bound_needs_the_whole_interval_off_one() -> None:
    assert share_ratio_bound(6, 20, 6, 40) == 1.0  # share doubled, but six against six is no proof
    assert share_ratio_bound(30, 20, 30, 40) > 1.0  # the same shares with more papers is


def test_trends_new_since_lists_concepts_first_seen_in_the_recent_window() -> None:
    found = _trends()
    assert [r.name for r in found.new] == ["Alpha", "Delta"]
    assert found.n_new == 2


def test_trends_since_moves_the_window() -> None:
    found = _trends(since="2026-03-20")  # a day picks its month
    assert (found.since, found.earlier_papers, found.recent_papers) == ("2026-03", 20, 40)
    assert [r.name for r in found.new] == ["Alpha", "Delta"]


def test_trends_type_filter() -> None:
    found = _trends(ctype="dataset")
    assert [r.name for r in found.top] == ["Beta"]
    assert found.rising == ()


def test_trends_limit_caps_each_list() -> None:
    found = _trends(limit=1)
    assert [r.name for r in found.top] == ["Beta"]  # 12 papers, as Gamma: by name
    assert found.n_new == 2
    assert len(found.new) == 1


def test_trends_partial_last_month_is_shown_but_not_compared() -> None:
    dates, mentions = _corpus(MONTHS, SPEC)
    dates |= {"late-0": (2026, "2026-07-02"), "late-1": (2026, "2026-07-03")}
    mentions += [("late-0", "c"), ("late-1", "c")]
    found = compute_trends(dates, mentions, INFO)
    assert (found.periods[-1].label, found.periods[-1].papers, found.periods[-1].partial) == (
        "2026-07",
        2,
        True,
    )
    assert (found.since, found.recent_papers) == ("2026-05", 20)  # the 2 July papers left out
    assert next(r for r in found.top if r.name == "Gamma").counts[-1] == 2


def test_trends_partial_month_with_few_papers_does_not_read_as_a_fall() -> None:
    dates, mentions = _corpus(MONTHS, {"c": [2] * 6})
    dates |= {"late-0": (2026, "2026-07-02")}  # July has begun: one paper, without Gamma
    found = compute_trends(dates, mentions, INFO)
    assert found.falling == ()


def test_trends_empty_months_inside_are_periods_with_no_papers() -> None:
    dates = {"p1": (2026, "2026-01-05"), "p2": (2026, "2026-04-05")}
    found = compute_trends(dates, [("p1", "a")], INFO)
    assert [(p.label, p.papers) for p in found.periods] == [
        ("2026-01", 1),
        ("2026-02", 0),
        ("2026-03", 0),
        ("2026-04", 1),
    ]


def test_trends_count_undated_and_year_only_papers_apart() -> None:
    dates, mentions = _corpus(MONTHS, SPEC)
    dates |= {"undated": (None, None), "year-only": (2026, None)}
    found = compute_trends(dates, mentions, INFO)
    assert (found.n_papers, found.n_undated, found.n_coarse) == (62, 1, 1)
    assert sum(p.papers for p in found.periods) == 60


def test_trends_year_only_paper_in_an_earlier_year_means_not_new() -> None:
    dates, mentions = _corpus(MONTHS, SPEC)
    dates["old"] = (2025, None)
    found = compute_trends(dates, [*mentions, ("old", "d")], INFO)
    assert [r.name for r in found.new] == ["Alpha"]


def test_trends_by_year_counts_year_only_papers() -> None:
    dates = {"p1": (2024, None), "p2": (2025, "2025-06-01"), "p3": (2025, None)}
    found = compute_trends(dates, [("p1", "a"), ("p3", "a")], INFO, by="year")
    assert [(p.label, p.papers) for p in found.periods] == [("2024", 1), ("2025", 2)]
    assert next(iter(found.top)).counts == (1, 1)


def test_trends_choose_years_for_a_long_span() -> None:
    dates = {"p1": (2020, "2020-01-01"), "p2": (2023, "2023-01-01"), "p3": (2026, "2026-01-01")}
    assert compute_trends(dates, [], INFO).by == "year"


def test_trends_choose_years_when_most_papers_give_only_a_year() -> None:
    dates = {"p1": (2026, "2026-01-01"), "p2": (2026, None), "p3": (2025, None)}
    assert compute_trends(dates, [], INFO).by == "year"


def test_trends_of_an_undated_corpus_is_an_error() -> None:
    with pytest.raises(NoDates, match="no paper in my-dir has a date"):
        compute_trends({"p": (None, None)}, [], INFO, where="my-dir")


@pytest.mark.parametrize("since", ["2026-13", "26", "2026-02-30", "soon"])
def test_trends_bad_since_is_an_error(since: str) -> None:
    with pytest.raises(KGError, match="give a year, a month or a day"):
        _trends(since=since)


@pytest.mark.parametrize("since", ["2026-01", "2019", "2027-01"])
def test_trends_since_outside_the_periods_is_an_error(since: str) -> None:
    with pytest.raises(
        KGError, match="the dated papers run 2026-01 … 2026-06; give a month after the first"
    ):
        _trends(since=since)


def test_trends_of_one_period_compare_nothing() -> None:
    found = compute_trends({"p": (2026, "2026-01-01")}, [("p", "a")], INFO)
    assert (found.rising, found.falling, found.earlier_papers) == ((), (), 0)


# -- from graph rows and the command line ------------------------------------------------------


def _papers_and_extractions() -> tuple[list[Paper], list[Extraction]]:
    dates, mentions = _corpus(MONTHS, SPEC)
    papers = [Paper(pid, f"Paper {pid}", "", int(str(y)), str(d)) for pid, (y, d) in dates.items()]
    papers.append(Paper("undated", "Undated <b>paper</b>", ""))
    named: dict[str, list[str]] = {}
    for pid, cid in mentions:
        named.setdefault(pid, []).append(cid)
    extractions = [
        Extraction(
            pid,
            f"Paper {pid}",
            tuple(
                Entity(cid, INFO[cid].name, ConceptType(INFO[cid].type), Role.USED, ())
                for cid in cids
            ),
        )
        for pid, cids in named.items()
    ]
    return papers, extractions


def test_trends_of_graph_rows() -> None:
    found = trends_of_data(graph_data(*_papers_and_extractions()))
    assert ([r.name for r in found.rising], [r.name for r in found.falling]) == (
        ["Alpha"],
        ["Beta"],
    )
    assert found.n_undated == 1


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    papers, extractions = _papers_and_extractions()
    corpus.write_papers(tmp_path / corpus.PAPERS, sorted(papers, key=lambda p: p.id))
    corpus.write_extractions(
        tmp_path / corpus.EXTRACTIONS, sorted(extractions, key=lambda e: e.paper_id)
    )
    return tmp_path


def test_cli_trends_prints_rising_falling_and_new(folder: Path) -> None:
    result = runner.invoke(app, ["trends", str(folder)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "61 papers: 60 by month (2026-01 … 2026-06), 1 undated" in out
    assert "Rising" in out
    assert "Falling" in out
    assert "New since 2026-05" in out
    rising = out[out.index("Rising") : out.index("Falling")]
    assert "Alpha" in rising
    assert "Beta" not in rising


def test_cli_trends_json(folder: Path) -> None:
    result = runner.invoke(app, ["trends", str(folder), "--json", "--since", "2026-03"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["since"], found["earlier_papers"], found["recent_papers"]) == ("2026-03", 20, 40)
    assert [r["name"] for r in found["new"]] == ["Alpha", "Delta"]


def test_cli_trends_type_and_by_year(folder: Path) -> None:
    result = runner.invoke(app, ["trends", str(folder), "--by", "year", "--type", "Dataset"])
    assert result.exit_code == 0, result.output
    assert "by year (2026)" in result.output
    assert "Alpha" not in result.output


def test_cli_trends_bad_date_is_one_line(folder: Path) -> None:
    result = runner.invoke(app, ["trends", str(folder), "--since", "2026-13"])
    assert result.exit_code == 1
    assert result.output.startswith("error: --since '2026-13': give a year")
    assert len(result.output.strip().splitlines()) == 1


def test_cli_trends_of_an_undated_build(tmp_path: Path) -> None:
    corpus.write_papers(tmp_path / corpus.PAPERS, [Paper("p1", "No date", "")])
    corpus.write_extractions(tmp_path / corpus.EXTRACTIONS, [])
    result = runner.invoke(app, ["trends", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: no paper in {tmp_path} has a date; trends need papers with a year or a date "
        "(build from a dated source: arXiv, OpenAlex, BibTeX with year, or --sample recent)"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--by", "week"], "error: --by 'week': use 'month' or 'year'"),
     (["--type", "Paper"], "error: --type 'Paper': use one of Method, Model")],
)  # fmt: skip
def test_cli_trends_bad_option_is_one_line(folder: Path, option: list[str], message: str) -> None:
    result = runner.invoke(app, ["trends", str(folder), *option])
    assert result.exit_code == 1
    assert result.output.startswith(message)
