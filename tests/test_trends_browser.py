"""The atlas's time features in headless Chromium (WebGL through SwiftShader): highlighting
rising, falling and new concepts, the panel's papers per month and trend, hostile names as
text, and no time section for an undated build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from test_atlas_papers import ARGS, CHROMIUM  # the same headless Chromium settings

from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Paper, Role, concept_key
from viz.graphview import GraphView
from viz.html import render_views

pytestmark = pytest.mark.browser

HOSTILE = '<img src=y onerror=alert(3)>Net</script>"'
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
# papers naming each concept per month (ten papers a month): HOSTILE rises and is new since
# 2026-05, "Old Net" falls, "Steady" and "Late" neither ("Late": too few papers)
SPEC = {
    HOSTILE: [0, 0, 0, 0, 5, 5],
    "Old Net": [3, 3, 3, 3, 0, 0],
    "Steady": [2] * 6,
    "Late": [0, 0, 1, 0, 0, 1],
}
DIM = "#e6e6e6"


def _graph(*, dated: bool) -> GraphView:
    papers, extractions = [], []
    for i, month in enumerate(MONTHS):
        for k in range(10):
            pid = f"{month}-{k}"
            date = f"{month}-15" if dated else None
            papers.append(Paper(pid, f"Paper {pid}", "", 2026 if dated else None, date))
            entities = tuple(
                Entity(concept_key(n), n, ConceptType.MODEL, Role.USED, ())
                for n, counts in SPEC.items()
                if k < counts[i]
            )
            extractions.append(Extraction(pid, f"Paper {pid}", entities))
    return GraphView.of(graph_data(papers, extractions))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    found = {}
    for name, dated in (("dated", True), ("undated", False)):
        out = tmp_path_factory.mktemp(name)
        render_views(_graph(dated=dated), out, title=f"{name} test")
        found[name] = out / "atlas.html"
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, sites: dict[str, Path]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
    page.goto(sites["dated"].as_uri())
    page.wait_for_selector("body.kg-stable", state="attached", timeout=60_000)
    page.wait_for_selector("body.kg-loaded", state="attached", timeout=60_000)  # all unpacked
    yield page
    context.close()
    assert errors == []


def _colour(page: Page, name: str) -> str:
    return str(
        page.evaluate(
            """(name) => {
                const g = kgAtlas.graph;
                const key = g.findNode((k, a) => a.label === name);
                return kgAtlas.renderer.getNodeDisplayData(key).color;
            }""",
            name,
        )
    )


def _marked(page: Page) -> int:
    return int(page.evaluate("kgAtlas.marked.reduce((a, b) => a + b, 0)"))


def test_atlas_time_section_offers_rising_falling_and_months(page: Page) -> None:
    assert page.is_visible("#kg-time")
    options = page.locator("#kg-highlight option").all_text_contents()
    assert options == ["nothing", "rising (1)", "falling (1)", "new since"]
    assert page.locator("#kg-since option").all_text_contents() == MONTHS
    assert page.input_value("#kg-since") == "4"  # the recent window starts 2026-05


def test_atlas_highlight_rising_dims_the_others(page: Page) -> None:
    page.select_option("#kg-highlight", "rising")
    assert _marked(page) == 1
    assert _colour(page, HOSTILE) != DIM
    assert _colour(page, "Steady") == DIM
    assert "1 rising highlighted" in page.text_content("#kg-showing")


def test_atlas_highlight_falling(page: Page) -> None:
    page.select_option("#kg-highlight", "falling")
    assert _colour(page, "Old Net") != DIM
    assert _colour(page, HOSTILE) == DIM


def test_atlas_new_since_a_chosen_month(page: Page) -> None:
    page.select_option("#kg-since", "2")  # 2026-03: "Late" is new then too
    assert page.input_value("#kg-highlight") == "new"
    assert _marked(page) == 2
    assert "2 new since 2026-03 highlighted" in page.text_content("#kg-showing")
    page.select_option("#kg-since", "5")
    assert _marked(page) == 0


def test_atlas_panel_shows_papers_per_month_and_the_trend(page: Page) -> None:
    page.fill("#kg-search-box", "Old Net")
    page.press("#kg-search-box", "Enter")
    panel = page.locator("#kg-panel")
    assert "Falling: its share of papers shrank to at most ×0.64" in panel.text_content()
    title = panel.locator("svg.kg-spark title").text_content()
    assert title == (
        "papers naming it per month: 2026-01: 3, 2026-02: 3, 2026-03: 3, 2026-04: 3, "
        "2026-05: 0, 2026-06: 0"
    )
    assert panel.locator(".kg-first").text_content() == "First named 2026-01"


def test_atlas_panel_of_a_hostile_new_concept_keeps_text(page: Page) -> None:
    page.fill("#kg-search-box", "Net</script>")
    page.press("#kg-search-box", "Enter")
    panel = page.locator("#kg-panel")
    assert panel.locator("h3").text_content() == HOSTILE
    assert "Rising: its share of papers grew at least ×5.21" in panel.text_content()
    assert panel.locator(".kg-first").text_content() == "First named 2026-05: new since 2026-05"
    assert page.locator("#kg-panel img").count() == 0


def test_atlas_of_an_undated_build_hides_the_time_section(
    browser: Browser, sites: dict[str, Path]
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(sites["undated"].as_uri())
    page.wait_for_selector("body.kg-stable", state="attached", timeout=60_000)
    assert page.is_hidden("#kg-time")
    context.close()
