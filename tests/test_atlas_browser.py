"""atlas.html in a real headless Chromium (WebGL through SwiftShader): draws every concept offline,
searches by name and alias, filters by type and year, shows a concept's panel, keeps hostile text
as text. Screenshots go to tests/artifacts/atlas/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key
from viz.graphview import GraphView
from viz.html import render_views
from viz.synthetic import synthetic_corpus

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",  # WebGL without a GPU
    "--enable-unsafe-swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts" / "atlas"
HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>"><svg onload=alert(2)>'
HOSTILE_NAME = "<img src=y onerror=alert(3)>Net"
OLD_NAME = "Perceptron Classic"  # only in a 1958 paper: the year filter hides it


def _entity(name: str, kind: ConceptType, aliases: tuple[str, ...] = ()) -> Entity:
    return Entity(concept_key(name), name, kind, Role.USED, (), aliases=aliases)


def _extra() -> list[tuple[Paper, list[Entity]]]:
    hostile_text = f"We train {HOSTILE_NAME} with LoRA."
    at = hostile_text.index(HOSTILE_NAME)
    hostile = Entity(
        concept_key(HOSTILE_NAME),
        HOSTILE_NAME,
        ConceptType.MODEL,
        Role.PROPOSED,
        (Mention(HOSTILE_NAME, at, at + len(HOSTILE_NAME), "abstract"),),
        source="pattern",
    )
    lora = _entity("LoRA", ConceptType.METHOD, ("Low-Rank Adaptation",))
    return [
        (Paper("6666.66666", HOSTILE_TITLE, hostile_text, 2026, url="javascript:alert(4)"),
         [hostile, lora]),
        (Paper("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models", "...", 2021,
               url="https://arxiv.org/abs/2106.09685"),
         [lora, _entity("GPT-4", ConceptType.MODEL)]),
        (Paper("5801.00001", "The Perceptron", "...", 1958), [_entity(OLD_NAME, ConceptType.METHOD)]),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def G_and_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[GraphView, Path]:
    papers, extractions = synthetic_corpus(400, seed=2)
    for paper, entities in _extra():
        papers.append(paper)
        extractions.append(Extraction(paper.id, paper.title, tuple(entities)))
    G = GraphView.of(graph_data(papers, extractions))
    out = tmp_path_factory.mktemp("atlas")
    render_views(G, out, title="atlas test", extractions=lambda: extractions)
    return G, out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Opened:
    """The atlas opened from file://, with what it logged, requested and tried to alert; by
    default once every data block is unpacked (kg-loaded), with `prefetch=False` as soon as
    the first frame is drawn, the page unpacking the other blocks only when asked."""

    def __init__(self, browser: Browser, path: Path, *, prefetch: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        if not prefetch:
            self.page.add_init_script("window.kgNoPrefetch = true")
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body.kg-stable", state="attached", timeout=60_000)
        if prefetch:
            self.page.wait_for_selector("body.kg-loaded", state="attached", timeout=60_000)


@pytest.fixture
def atlas(browser: Browser, G_and_site: tuple[GraphView, Path]) -> Iterator[Opened]:
    opened = Opened(browser, G_and_site[1] / "atlas.html")
    yield opened
    opened.context.close()


def _n_shown(page: Page) -> int:
    return int(page.evaluate("kgAtlas.shown.reduce((a, b) => a + b, 0)"))


def _find(page: Page, text: str) -> None:
    page.fill("#kg-search-box", text)
    page.press("#kg-search-box", "Enter")


def _click_node(page: Page, key: str) -> None:
    at = page.evaluate(
        """(key) => {
            const r = kgAtlas.renderer, d = r.getNodeDisplayData(key);
            const p = r.framedGraphToViewport(d), box = r.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        key,
    )
    page.mouse.click(at["x"], at["y"])


def test_atlas_draws_every_concept_offline(
    atlas: Opened, G_and_site: tuple[GraphView, Path]
) -> None:
    G = G_and_site[0]
    n_concepts = len(G.concepts)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    atlas.page.screenshot(path=str(ARTIFACTS / "atlas.png"))
    assert atlas.errors == []
    assert atlas.page.evaluate("kgAtlas.graph.order") == n_concepts
    assert (
        atlas.page.text_content("#kg-showing") == f"showing {n_concepts} of {n_concepts} concepts"
    )
    assert [u for u in atlas.requests if not u.startswith(("file://", "data:"))] == []


def test_atlas_canvas_is_painted(atlas: Opened) -> None:
    painted = atlas.page.evaluate(
        """() => {
            const c = document.querySelector('#kg-atlas canvas.sigma-nodes');
            const gl = c.getContext('webgl2', {preserveDrawingBuffer: true}) || c.getContext('webgl');
            kgAtlas.renderer.refresh();
            const px = new Uint8Array(4 * c.width * c.height);
            gl.readPixels(0, 0, c.width, c.height, gl.RGBA, gl.UNSIGNED_BYTE, px);
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return n;
        }"""
    )
    assert painted > 1000  # some thousands of node pixels, not a blank canvas


def test_atlas_search_by_name_selects_and_opens_the_panel(atlas: Opened) -> None:
    _find(atlas.page, "transformer")
    assert atlas.page.evaluate("kgAtlas.state.selected") == "concept:transformer"
    assert atlas.page.text_content("#kg-search-status") == "found: Transformer"
    assert atlas.page.text_content("#kg-panel h3") == "Transformer"


def test_atlas_search_by_alias(atlas: Opened) -> None:
    _find(atlas.page, "Low-Rank Adaptation")
    assert atlas.page.evaluate("kgAtlas.state.selected") == "concept:lora"


def test_atlas_search_suggests_while_typing(atlas: Opened) -> None:
    atlas.page.fill("#kg-search-box", "llam")
    items = atlas.page.locator("#kg-results li").all_text_contents()
    assert items
    assert all("llama" in item.lower() for item in items)


def test_atlas_search_reports_no_match(atlas: Opened) -> None:
    _find(atlas.page, "no such concept anywhere")
    assert atlas.page.evaluate("kgAtlas.state.selected") is None
    assert "no concept named" in atlas.page.text_content("#kg-search-status")


def test_atlas_type_filter_hides_that_type(atlas: Opened) -> None:
    page = atlas.page
    before = _n_shown(page)
    n_methods = page.evaluate(
        "kgAtlas.graph.filterNodes((k, a) => D.type[a.i] === D.types.indexOf('Method')).length"
    )
    page.uncheck('input.kg-kind[data-kind="0"]')
    assert _n_shown(page) == before - n_methods
    assert page.evaluate("kgAtlas.renderer.getNodeDisplayData('concept:transformer').hidden")


def test_atlas_year_filter_hides_concepts_of_other_years(atlas: Opened) -> None:
    page = atlas.page
    old = "concept:" + concept_key(OLD_NAME)
    page.fill("#kg-year-from", "2000")
    page.dispatch_event("#kg-year-from", "change")
    assert page.evaluate(f"kgAtlas.shown[kgAtlas.graph.getNodeAttribute('{old}', 'i')]") == 0
    page.fill("#kg-year-from", "")
    page.dispatch_event("#kg-year-from", "change")
    page.fill("#kg-year-to", "1960")
    page.dispatch_event("#kg-year-to", "change")
    assert _n_shown(page) == 1  # only the 1958 paper's concept


def test_atlas_click_shows_neighbours_papers_and_aliases(atlas: Opened) -> None:
    page = atlas.page
    _find(page, "LoRA")
    page.wait_for_timeout(600)  # the camera moves to it
    page.mouse.click(5, 5)  # nothing: header
    _click_node(page, "concept:lora")
    assert page.evaluate("kgAtlas.state.selected") == "concept:lora"
    near = page.evaluate("Array.from(kgAtlas.state.near).sort()")
    assert near == sorted(page.evaluate("kgAtlas.graph.neighbors('concept:lora')"))
    panel = page.locator("#kg-panel")
    assert "Low-Rank Adaptation" in panel.locator("ul.kg-aliases").text_content()
    votes = page.evaluate("kgAtlas.graph.getNodeAttribute('concept:lora', 'i')")
    n_papers = page.evaluate(f"D.count[{votes}]")
    assert (
        panel.locator("ul.kg-votes").text_content()
        == f"Method in {n_papers} papers, found by pattern"
    )
    link = panel.locator("a", has_text="LoRA: Low-Rank Adaptation of Large Language Models")
    assert link.get_attribute("href") == "https://arxiv.org/abs/2106.09685"
    assert "2021" in panel.text_content()


def test_atlas_click_on_background_clears_the_selection(atlas: Opened) -> None:
    page = atlas.page
    _find(page, "transformer")
    page.wait_for_timeout(600)
    box = page.locator("#kg-atlas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 3, box["y"] + box["height"] - 3)
    assert page.evaluate("kgAtlas.state.selected") is None


def test_atlas_hostile_text_stays_text(atlas: Opened) -> None:
    page = atlas.page
    atlas.page.fill("#kg-search-box", "<img src=y")
    assert HOSTILE_NAME in page.text_content("#kg-results")
    _find(page, HOSTILE_NAME)
    panel = page.locator("#kg-panel")
    assert panel.locator("h3").text_content() == HOSTILE_NAME
    assert HOSTILE_TITLE in panel.text_content()  # the paper's title, and the sentence:
    assert f"We train {HOSTILE_NAME} with LoRA." in panel.locator("blockquote").text_content()
    assert page.evaluate("document.querySelectorAll('#kg-panel img, #kg-panel svg').length") == 0
    assert panel.locator("a").count() == 0  # its javascript: URL is no link
    page.wait_for_timeout(300)
    assert atlas.dialogs == []
    assert atlas.errors == []


def test_atlas_colour_by_community(atlas: Opened) -> None:
    page = atlas.page
    key = "concept:transformer"
    by_type = page.evaluate(f"kgAtlas.renderer.getNodeDisplayData('{key}').color")
    page.check("input[name=kg-colour][value=community]")
    by_community = page.evaluate(f"kgAtlas.renderer.getNodeDisplayData('{key}').color")
    assert by_type == "#4e79a7"  # Method
    assert by_community == page.evaluate(
        f"D.community_colours[D.community[kgAtlas.graph.getNodeAttribute('{key}', 'i')]]"
    )


def test_atlas_selection_shows_links_beyond_the_drawn_ones(
    browser: Browser, G_and_site: tuple[GraphView, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import viz.atlas

    monkeypatch.setattr(viz.atlas, "MAX_DRAWN_LINKS", 10)  # a big map draws only its strongest
    path = viz.atlas.render_atlas(G_and_site[0], G_and_site[1] / "atlas-few-links.html")
    opened = Opened(browser, path)
    page = opened.page
    assert page.evaluate("kgAtlas.graph.size") == 10
    _find(page, "GSM8K")
    key = page.evaluate("kgAtlas.state.selected")
    i = page.evaluate(f"kgAtlas.graph.getNodeAttribute('{key}', 'i')")
    n_links = page.evaluate(f"linksOf({i}).length")
    assert n_links > 0
    assert len(page.evaluate("Array.from(kgAtlas.state.near)")) == n_links
    page.mouse.click(5, 880)  # the map's corner: clears the selection and its extra links
    assert page.evaluate("kgAtlas.graph.size") == 10
    opened.context.close()


# -- a big build: the long tail is drawn on demand -----------------------------------------------


@pytest.fixture(scope="module")
def tail_site(G_and_site: tuple[GraphView, Path]) -> tuple[int, int, Path]:
    """The atlas as a big build draws it: concepts in two papers or more first (FIRST_ALL 0),
    the others, the links and the panels in many small blocks."""
    import viz.atlas

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(viz.atlas, "FIRST_ALL", 0)
        for name, size in (("REST_CHUNK", 40), ("LINK_CHUNK", 60), ("PANEL_CHUNK", 50)):
            mp.setattr(viz.atlas, name, size)  # many blocks, each joined to the first frame's
        path = viz.atlas.render_atlas(G_and_site[0], G_and_site[1] / "atlas-tail.html")
    counts = [c.paper_count for c in G_and_site[0].concepts]
    return sum(n >= 2 for n in counts), len(counts), path


@pytest.fixture
def tail_atlas(browser: Browser, tail_site: tuple[int, int, Path]) -> Iterator[Opened]:
    opened = Opened(browser, tail_site[2])
    yield opened
    opened.context.close()


def test_atlas_draws_the_head_first_and_says_how_many_wait(
    tail_atlas: Opened, tail_site: tuple[int, int, Path]
) -> None:
    n_head, n, _ = tail_site
    page = tail_atlas.page
    assert 0 < n_head < n
    assert page.evaluate("kgAtlas.graph.order") == n_head
    assert page.text_content("#kg-showing") == f"showing {n_head} of {n} concepts"
    assert page.is_visible("#kg-show-tail")
    label = page.text_content("#kg-tail-label")
    assert label == f"draw the other {n - n_head} concepts, named in only one paper"
    assert tail_atlas.errors == []


def test_atlas_search_draws_a_concept_of_the_tail_while_selected(
    tail_atlas: Opened, tail_site: tuple[int, int, Path]
) -> None:
    page, key = tail_atlas.page, "concept:" + concept_key(OLD_NAME)
    assert not page.evaluate(f"kgAtlas.graph.hasNode('{key}')")
    _find(page, "perceptron classic")
    assert page.evaluate("kgAtlas.state.selected") == key
    assert page.evaluate(f"kgAtlas.graph.hasNode('{key}')")
    assert page.text_content("#kg-panel h3") == OLD_NAME
    assert page.evaluate(f"kgAtlas.renderer.getNodeDisplayData('{key}').hidden") is False
    page.wait_for_timeout(600)  # the camera moves to it
    page.mouse.click(5, 880)  # the map's corner: the selection ends, the tail is let go
    assert page.evaluate("kgAtlas.state.selected") is None
    assert page.evaluate("kgAtlas.graph.order") == tail_site[0]
    assert tail_atlas.errors == []


def test_atlas_tail_box_draws_every_concept_and_back(
    tail_atlas: Opened, tail_site: tuple[int, int, Path]
) -> None:
    n_head, n, _ = tail_site
    page = tail_atlas.page
    page.check("#kg-show-tail")
    assert page.evaluate("kgAtlas.graph.order") == n
    assert page.text_content("#kg-showing") == f"showing {n} of {n} concepts"
    page.uncheck("#kg-show-tail")
    assert page.evaluate("kgAtlas.graph.order") == n_head
    assert tail_atlas.errors == []


# -- blocks unpacked on demand -------------------------------------------------------------------


@pytest.fixture
def lazy_atlas(browser: Browser, tail_site: tuple[int, int, Path]) -> Iterator[Opened]:
    """The tail atlas at its first frame, before any other block is unpacked."""
    opened = Opened(browser, tail_site[2], prefetch=False)
    yield opened
    opened.context.close()


def _unpacked(page: Page) -> list[str]:
    return sorted(page.evaluate("Object.keys(blocks)"))


def _panel_when_shown(page: Page, name: str) -> str:
    page.wait_for_function(
        "(name) => document.querySelector('#kg-panel h3')?.textContent === name", arg=name
    )
    return str(page.inner_html("#kg-panel"))


def test_atlas_first_frame_unpacks_only_its_own_block(lazy_atlas: Opened) -> None:
    page = lazy_atlas.page
    assert (
        page.evaluate(
            "document.querySelectorAll('script[type=\"application/octet-stream\"]').length"
        )
        > 10
    )
    assert _unpacked(page) == ["kg-data"]
    assert page.evaluate("D.key.length") == page.evaluate("kgAtlas.graph.order")
    assert lazy_atlas.errors == []


def test_atlas_search_before_the_map_is_unpacked_finds_a_concept_of_the_tail(
    lazy_atlas: Opened,
) -> None:
    page, key = lazy_atlas.page, "concept:" + concept_key(OLD_NAME)
    _find(page, "perceptron classic")  # named in one paper: not in the first frame's block
    assert _panel_when_shown(page, OLD_NAME)
    assert page.evaluate("kgAtlas.state.selected") == key
    assert page.text_content("#kg-search-status") == f"found: {OLD_NAME}"
    assert lazy_atlas.errors == []


def test_atlas_panel_opened_before_its_block_is_unpacked_shows_the_same(
    browser: Browser, lazy_atlas: Opened, tail_site: tuple[int, int, Path]
) -> None:
    eager = Opened(browser, tail_site[2])
    for page in (lazy_atlas.page, eager.page):
        _find(page, HOSTILE_NAME)  # its panel block is not the first; its text stays text
    lazy, ready = (_panel_when_shown(o.page, HOSTILE_NAME) for o in (lazy_atlas, eager))
    assert lazy == ready
    assert HOSTILE_TITLE in lazy_atlas.page.text_content("#kg-panel")
    assert lazy_atlas.page.evaluate("document.querySelectorAll('#kg-panel img').length") == 0
    assert lazy_atlas.errors == eager.errors == lazy_atlas.dialogs == []
    eager.context.close()


def test_atlas_papers_ticked_before_their_block_is_unpacked_are_drawn(lazy_atlas: Opened) -> None:
    page = lazy_atlas.page
    page.check("#kg-show-papers")
    page.wait_for_function("() => kgAtlas.graph.filterNodes((k, a) => a.paper).length > 0")
    assert page.text_content("#kg-papers-note").startswith("drawing ")
    assert "kg-paper-data" in _unpacked(page)
    assert lazy_atlas.errors == []


def test_atlas_of_an_empty_build_opens_and_unpacks_its_blocks(
    browser: Browser, tmp_path: Path
) -> None:
    import viz.atlas

    path = viz.atlas.render_atlas(GraphView.of(graph_data([], [])), tmp_path / "atlas.html")
    opened = Opened(browser, path)  # waits for kg-loaded
    assert opened.page.is_visible("#kg-empty")
    assert opened.errors == []
    opened.context.close()
