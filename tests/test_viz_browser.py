"""viz in a real headless Chromium: pages load offline, lay out and stop, search, filter, stay safe.

Needs `apt-get install -y chromium` and `pip install playwright` (no `playwright install`:
we drive the system chromium). Screenshots go to tests/artifacts/viz/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key
from viz.graphview import GraphView
from viz.html import FOCUS_MAX_NODES, MAX_NODES, MIN_WEIGHT, render_focus, render_views
from viz.select import select_concept_map, select_focus, select_overview
from viz.synthetic import synthetic_corpus

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts" / "viz"
VIEWS = ["papers.html", "concepts.html", "focus.html"]
HOSTILE_TITLE = (
    '<script>alert("t")</script><img src=x onerror=alert(1)>"><svg onload=alert(2)> '
    "it's a href trap"
)
HOSTILE_CONCEPT = "<img src=y onerror=alert(3)>Net"
LORA_URL = "https://arxiv.org/abs/2106.09685"


def _entity(name: str, kind: ConceptType, aliases: tuple[str, ...] = ()) -> Entity:
    mention = Mention(text=name, start=0, end=len(name), field="abstract")
    return Entity(concept_key(name), name, kind, Role.USED, (mention,), aliases=aliases)


def _extra_papers() -> list[tuple[Paper, list[Entity]]]:
    """A hostile paper naming popular concepts (so every view shows it) and LoRA with an alias."""
    popular = [("Transformer", ConceptType.METHOD), ("GPT-4", ConceptType.MODEL),
               ("MMLU", ConceptType.BENCHMARK), ("Self-Attention", ConceptType.METHOD),
               ("LoRA", ConceptType.METHOD)]  # fmt: skip
    hostile = [_entity(n, t) for n, t in popular]
    hostile.append(_entity(HOSTILE_CONCEPT, ConceptType.MODEL))
    return [
        (Paper("6666.66666", HOSTILE_TITLE, "...", 2024, url="javascript:alert(4)"), hostile),
        (Paper("6666.66667", "Second hostile paper", "...", 2024), hostile),
        (
            Paper("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models", "...",
                  2021, url=LORA_URL),
            [_entity("LoRA", ConceptType.METHOD, ("Low-Rank Adaptation",)),
             _entity("Transformer", ConceptType.METHOD), _entity("GPT-4", ConceptType.MODEL)],
        ),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def G() -> GraphView:
    papers, extractions = synthetic_corpus(300, seed=1)
    for paper, entities in _extra_papers():
        papers.append(paper)
        extractions.append(Extraction(paper.id, paper.title, tuple(entities)))
    return GraphView.of(graph_data(papers, extractions))


@pytest.fixture(scope="module")
def site(G: GraphView, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_views(G, out, title="synthetic corpus")
    render_focus(G, out / "focus.html", focus="LoRA")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@dataclass
class Loaded:
    """A page opened from file://, with what it did while loading and afterwards."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def _open(browser: Browser, path: Path, *, wait_stable: bool = True) -> Loaded:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = Loaded(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    context.on("request", lambda r: seen.requests.append(r.url))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    if wait_stable:  # a class, not wait_for_function: the page's CSP forbids eval
        page.wait_for_selector("body.kg-stable", state="attached", timeout=60_000)
    return seen


@pytest.fixture(params=VIEWS)
def view(request: pytest.FixtureRequest, browser: Browser, site: Path) -> Iterator[Loaded]:
    """A freshly loaded view, for tests that click, search or filter."""
    seen = _open(browser, site / request.param)
    yield seen
    seen.page.context.close()


@pytest.fixture(scope="module", params=VIEWS)
def loaded(request: pytest.FixtureRequest, browser: Browser, site: Path) -> Iterator[Loaded]:
    """A view loaded once and only looked at: no test using it may change it."""
    seen = _open(browser, site / request.param)
    yield seen
    seen.page.context.close()


def _search(page: Page, text: str) -> list[str]:
    page.fill("#kg-search-box", text)
    page.press("#kg-search-box", "Enter")
    return page.evaluate("network.getSelectedNodes()")


def _node_xy(page: Page, node_id: str) -> dict[str, float]:
    return page.evaluate(
        """(id) => {
            const p = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.getElementById("mynetwork").getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        node_id,
    )


def test_view_loads_without_errors(loaded: Loaded) -> None:
    assert loaded.errors == []


def test_view_makes_no_network_request(loaded: Loaded) -> None:
    loaded.page.wait_for_timeout(300)
    assert [u for u in loaded.requests if not u.startswith(("file://", "data:"))] == []


def test_view_network_holds_the_selected_nodes(loaded: Loaded, G: GraphView) -> None:
    name = Path(loaded.page.url).name
    expected = {
        "papers.html": lambda: select_overview(G, max_nodes=MAX_NODES),
        "concepts.html": lambda: select_concept_map(G, max_nodes=MAX_NODES, min_weight=MIN_WEIGHT),
        "focus.html": lambda: select_focus(G, focus="LoRA", depth=2, max_nodes=FOCUS_MAX_NODES),
    }[name]()
    assert loaded.page.evaluate("nodes.length") == len(expected.nodes)
    assert loaded.page.text_content("#kg-showing") == expected.showing


def test_view_turns_physics_off_once_stable(loaded: Loaded) -> None:
    assert loaded.page.evaluate("network.physics.physicsEnabled") is False
    loaded.page.evaluate(
        "window.kgDraws = 0; network.on('beforeDrawing', () => window.kgDraws++); true"
    )
    loaded.page.wait_for_timeout(1000)
    assert loaded.page.evaluate("window.kgDraws") == 0  # nothing animates: the CPU is idle


def test_view_search_focuses_a_concept_by_name(view: Loaded) -> None:
    assert _search(view.page, "transformer") == ["concept:transformer"]
    assert view.page.text_content("#kg-search-status") == "found: Transformer"


def test_view_search_finds_a_concept_by_alias(view: Loaded) -> None:
    assert _search(view.page, "Low-Rank Adaptation") == ["concept:lora"]


def test_view_search_reports_no_match(view: Loaded) -> None:
    assert _search(view.page, "no such concept anywhere") == []
    assert "no match" in view.page.text_content("#kg-search-status")


def test_view_type_filter_hides_that_type(view: Loaded) -> None:
    n_methods = view.page.evaluate("nodes.get({filter: n => META[n.id].kind === 'Method'}).length")
    view.page.uncheck('input.kg-kind[data-kind="Method"]')
    hidden = view.page.evaluate(
        "nodes.get({filter: n => n.hidden === true}).map(n => META[n.id].kind)"
    )
    assert n_methods > 0
    assert hidden == ["Method"] * n_methods


def test_view_click_dims_all_but_the_neighbourhood(view: Loaded) -> None:
    page = view.page
    _search(page, "LoRA")
    page.wait_for_timeout(700)  # the focus animation
    page.mouse.click(**_node_xy(page, "concept:lora"))
    dimmed = set(
        page.evaluate("nodes.get({filter: n => n.color.background === '#eeeeee'}).map(n => n.id)")
    )
    near = set(page.evaluate("network.getConnectedNodes('concept:lora')"))
    assert page.evaluate("network.getSelectedNodes()") == ["concept:lora"]
    assert dimmed == set(page.evaluate("nodes.getIds()")) - near - {"concept:lora"}


def test_view_hostile_text_shows_as_text(view: Loaded) -> None:
    page = view.page
    target = "Second hostile paper" if "concepts" not in page.url else HOSTILE_CONCEPT
    _search(page, target)
    page.wait_for_timeout(700)
    node_id = page.evaluate("network.getSelectedNodes()[0]")
    page.mouse.move(**_node_xy(page, node_id))
    page.wait_for_selector(".vis-tooltip", state="visible")
    shown = page.text_content("#kg-details") + page.text_content(".vis-tooltip")
    assert HOSTILE_CONCEPT in shown
    assert page.evaluate("document.querySelectorAll('#kg-details *, .vis-tooltip *').length") > 0
    assert (
        page.evaluate(
            "document.querySelectorAll('#kg-details img, .vis-tooltip img, svg[onload]').length"
        )
        == 0
    )
    assert view.dialogs == []


def test_papers_view_hostile_title_does_not_run(browser: Browser, site: Path) -> None:
    seen = _open(browser, site / "papers.html")
    _search(seen.page, HOSTILE_TITLE)
    seen.page.wait_for_timeout(700)
    seen.page.mouse.move(**_node_xy(seen.page, "paper:6666.66666"))
    seen.page.wait_for_selector(".vis-tooltip", state="visible")
    assert HOSTILE_TITLE in seen.page.text_content(".vis-tooltip")
    assert (
        seen.page.evaluate("document.querySelectorAll('#kg-details a').length") == 0
    )  # javascript: URL
    assert seen.dialogs == []
    seen.page.context.close()


def test_papers_view_double_click_opens_the_paper(browser: Browser, site: Path) -> None:
    seen = _open(browser, site / "papers.html")
    _search(seen.page, "LoRA: Low-Rank Adaptation")
    seen.page.wait_for_timeout(700)
    with seen.page.context.expect_page() as popup:
        seen.page.mouse.dblclick(**_node_xy(seen.page, "paper:2106.09685"))
    popup.value.wait_for_load_state("commit")
    assert LORA_URL in seen.requests  # asked for (it fails: the test browser is offline)
    seen.page.context.close()


def test_view_screenshot_looks_drawn(loaded: Loaded) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / Path(loaded.page.url).name.replace(".html", ".png")
    loaded.page.screenshot(path=shot)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 30_000  # a blank page is a few kB


def test_index_loads_offline_with_links(browser: Browser, site: Path) -> None:
    seen = _open(browser, site / "index.html", wait_stable=False)
    links = seen.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen.page.screenshot(path=ARTIFACTS / "index.png", full_page=True)
    assert links == ["atlas.html", "papers.html", "concepts.html"]
    assert seen.errors == []
    assert [u for u in seen.requests if not u.startswith("file://")] == []
    seen.page.context.close()


def test_empty_view_settles_and_says_why(browser: Browser, tmp_path: Path) -> None:
    render_views(GraphView.of(graph_data([], [])), tmp_path)
    seen = _open(browser, tmp_path / "concepts.html")
    assert seen.page.is_visible("#kg-empty")
    assert seen.page.evaluate("network.physics.physicsEnabled") is False
    assert seen.errors == []
    seen.page.context.close()


def test_concepts_view_recolours_by_community(browser: Browser, site: Path) -> None:
    seen = _open(browser, site / "concepts.html")
    seen.page.check("input[name=kg-colour][value=community]")
    fills = seen.page.evaluate(
        "nodes.get().map(n => [n.color.background, META[n.id].colours.community.background])"
    )
    assert seen.page.is_visible("#kg-legend-communities")
    assert all(now == want for now, want in fills)
    assert len({want for _, want in fills}) > 1
    seen.page.context.close()
