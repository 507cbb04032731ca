"""The atlas's papers on demand: the data block (every paper naming a concept, its concepts as
positions) without a browser, then the "draw the papers" box in headless Chromium (WebGL
through SwiftShader): papers of the shown concepts only, filters, selection, hostile titles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Paper, Role, concept_key
from viz.atlas import atlas_html, page_blocks
from viz.atlas_papers import paper_data
from viz.graphview import GraphView
from viz.html import render_views

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--no-first-run",
]
HOSTILE_TITLE = '<img src=x onerror=alert(1)>{{PAPER_DATA}}</script>"'
# (id, year, title, url, concepts)
PAPERS = [
    ("p1", 2024, "LoRA for vision", "https://arxiv.org/abs/p1", ["LoRA", "ImageNet"]),
    ("p2", 2025, "LoRA again", None, ["LoRA"]),
    ("p3", 2025, HOSTILE_TITLE, "javascript:alert(4)", ["ImageNet", "Accuracy"]),
    ("p4", 2026, "Nothing found here", None, []),
]
TYPES = {
    "LoRA": ConceptType.METHOD,
    "ImageNet": ConceptType.DATASET,
    "Accuracy": ConceptType.METRIC,
}


def _view() -> GraphView:
    papers = [Paper(pid, title, "", year, url=url) for pid, year, title, url, _ in PAPERS]
    extractions = [
        Extraction(
            pid,
            title,
            tuple(Entity(concept_key(n), n, TYPES[n], Role.USED, ()) for n in names),
        )
        for pid, _, title, _, names in PAPERS
    ]
    return GraphView.of(graph_data(papers, extractions))


def test_paper_data_lists_papers_with_concepts_and_their_positions() -> None:
    keys = ["concept:lora", "concept:imagenet", "concept:accuracy"]
    found = paper_data(_view(), keys)
    assert [row[0] for row in found["rows"]] == ["p1", "p2", "p3"]  # p4 names nothing
    assert found["start"] == [0, 2, 3, 5]
    assert found["concepts"] == [0, 1, 0, 1, 2]


def test_paper_data_keeps_only_http_links() -> None:
    rows = paper_data(_view(), ["concept:imagenet"])["rows"]
    assert [row[3] for row in rows] == ["https://arxiv.org/abs/p1", None]


def test_atlas_keeps_a_title_that_reads_like_a_slot_as_text() -> None:
    page = atlas_html(_view(), title="t")
    blocks = page_blocks(page)
    assert blocks["kg-paper-data"]["rows"][2][1] == HOSTILE_TITLE
    assert HOSTILE_TITLE in [row[1] for row in blocks["kg-panel-papers"]]


# -- in the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("papers")
    render_views(_view(), out, title="papers test")
    return out / "atlas.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, site: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
    page.goto(site.as_uri())
    page.wait_for_selector("body.kg-stable", state="attached", timeout=60_000)
    page.wait_for_selector("body.kg-loaded", state="attached", timeout=60_000)  # all unpacked
    yield page
    context.close()
    assert errors == []


def _papers(page: Page) -> list[str]:
    return sorted(page.evaluate("kgAtlas.graph.filterNodes((k, a) => a.paper)"))


@pytest.mark.browser
def test_atlas_draws_papers_only_when_asked(page: Page) -> None:
    assert _papers(page) == []
    page.check("#kg-show-papers")
    assert _papers(page) == ["paper:p1", "paper:p2", "paper:p3"]
    assert page.text_content("#kg-papers-note") == "drawing 3 papers"
    page.uncheck("#kg-show-papers")
    assert _papers(page) == []


@pytest.mark.browser
def test_atlas_draws_the_papers_of_the_shown_concepts_only(page: Page) -> None:
    page.check("#kg-show-papers")
    page.uncheck('input.kg-kind[data-kind="0"]')  # Method: LoRA, the only concept of p2
    assert _papers(page) == ["paper:p1", "paper:p3"]
    page.check('input.kg-kind[data-kind="0"]')
    page.fill("#kg-year-from", "2025")
    page.dispatch_event("#kg-year-from", "change")
    assert _papers(page) == ["paper:p2", "paper:p3"]


@pytest.mark.browser
def test_atlas_selected_concept_links_its_papers(page: Page) -> None:
    page.check("#kg-show-papers")
    page.evaluate("kgAtlas.select('concept:lora', false)")
    near = page.evaluate("Array.from(kgAtlas.state.nearPapers).sort()")
    assert near == ["paper:p1", "paper:p2"]
    assert page.evaluate("kgAtlas.graph.hasEdge('paper:p1', 'concept:lora')")


@pytest.mark.browser
def test_atlas_paper_panel_keeps_a_hostile_title_as_text(page: Page) -> None:
    page.check("#kg-show-papers")
    page.evaluate("kgAtlas.select('paper:p3', false)")
    panel = page.locator("#kg-panel")
    assert panel.locator("h3").text_content() == HOSTILE_TITLE
    assert panel.locator(".kg-chip").all_text_contents() == ["ImageNet", "Accuracy"]
    assert panel.locator("a").count() == 0  # a javascript: URL is no link
    assert page.locator("#kg-panel img").count() == 0


@pytest.mark.browser
def test_atlas_chip_in_a_paper_panel_selects_the_concept(page: Page) -> None:
    page.check("#kg-show-papers")
    page.evaluate("kgAtlas.select('paper:p1', false)")
    page.locator("#kg-panel .kg-chip", has_text="LoRA").click()
    assert page.locator("#kg-panel h3").text_content() == "LoRA"
