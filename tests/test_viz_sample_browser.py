"""The views of the real sample corpus (356 papers), opened in headless chromium."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from test_viz_browser import ARGS, ARTIFACTS, CHROMIUM, Loaded, _open, _search

from kg.build import build, sample_inputs

pytestmark = pytest.mark.browser
VIEWS = ["index.html", "papers.html", "concepts.html"]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample-site") / "kg-out"
    build(sample_inputs(), out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=VIEWS)
def sample_view(
    request: pytest.FixtureRequest, browser: Browser, sample_site: Path
) -> Iterator[Loaded]:
    seen = _open(browser, sample_site / request.param, wait_stable=request.param != "index.html")
    yield seen
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen.page.screenshot(path=str(ARTIFACTS / f"sample_test_{request.param}.png"))
    seen.page.context.close()


def test_sample_view_loads_offline_without_errors(sample_view: Loaded) -> None:
    sample_view.page.wait_for_timeout(300)
    assert sample_view.errors == []
    assert [u for u in sample_view.requests if not u.startswith(("file://", "data:"))] == []


@pytest.mark.parametrize("name", ["papers.html", "concepts.html"])
def test_sample_view_search_finds_bert(browser: Browser, sample_site: Path, name: str) -> None:
    seen = _open(browser, sample_site / name)
    try:
        assert _search(seen.page, "BERT") == ["concept:bert"]
        assert seen.page.evaluate("nodes.length") > 50
    finally:
        seen.page.context.close()
    print(f"screenshots in {ARTIFACTS}")
