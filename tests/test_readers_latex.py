"""LaTeX in titles and abstracts becomes Unicode text (pylatexenc), for BibTeX and arXiv always
and elsewhere where a command or a formula shows it is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.readers import read_papers
from kg.readers.latex import clean_latex, has_latex
from kg.text import clean_text

INPUTS = Path(__file__).parent / "data" / "inputs"
LATEX_LEFT = re.compile(r"\\[A-Za-z]|[{}]|\$[^$]*\$")  # a command, a brace, $…$


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (r"Monte\textendash{}Carlo tree search", "Monte–Carlo tree search"),  # Better BibTeX
        (r"a 3\texttimes{} speed-up", "a 3× speed-up"),
        (r"\textmu{}RTS", "μRTS"),
        (r"an area of 10 m$^2$", "an area of 10 m^2"),
        (r"within $1\,+\,\varepsilon$", "within 1 + ε"),
        (r"The $\Lambda_\alpha$ family", "The Λ_α family"),  # arXiv
        (r"Units of $\Q(\sqrt{5})$", "Units of Q(√(5))"),
        (r"CeAg$_2$Ge$_2$ single crystals", "CeAg_2Ge_2 single crystals"),
        (r"The zeros of {Ki(z)}", "The zeros of Ki(z)"),
        (r"{\"U}ber-Efficient caf\'e", "Über-Efficient café"),
        (r"Readability $\ne$ Learnability", "Readability ≠ Learnability"),
        (r"$\textit{Agents Under Siege}$: attacks", "Agents Under Siege: attacks"),
        (r"gains of 95% with \$100", "gains of 95% with $100"),
        (r"see \url{https://x.org/a_b} and \cite{k}", "see https://x.org/a_b and"),
        (r"Transformers (\eg BERT) and \ce{H2O}", "Transformers (e.g. BERT) and H2O"),
    ],
)
def test_latex_becomes_text(raw: str, text: str) -> None:
    assert clean_latex(raw, always=True) == text


@pytest.mark.parametrize(
    "plain",
    ["costs $5 and $10", "R&D at 95% {sic}", "C# and F# ~ 3 years", "it's a 'quote' -- ok"],
)
def test_plain_text_is_not_latex(plain: str) -> None:
    assert (has_latex(plain), clean_latex(plain)) == (False, clean_text(plain))


def test_latex_in_a_json_abstract_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"title": "T", "abstract": "We bound $\\\\alpha$ by 3\\\\%."}\n')
    assert read_papers([path]).papers[0].abstract == "We bound α by 3%."


def test_unbalanced_latex_does_not_lose_the_record() -> None:
    # a lone $ opens no formula, so it stays a dollar; the broken braces are dropped
    assert clean_latex(r"A {broken $\frac{1}{ title", always=True) == "A broken $1/ title"


_NO_PAPERS = {"arxiv_api_empty.xml", "arxiv_api_error.xml"}  # an empty feed, an error answer
_LATEX_FILES = sorted(
    path
    for path in [
        *INPUTS.glob("**/*.bib"),
        *INPUTS.glob("arxiv*"),
        *(INPUTS / "real").glob("arxiv*"),
    ]
    if path.name not in _NO_PAPERS
)


@pytest.mark.parametrize("path", _LATEX_FILES, ids=lambda p: p.name)
def test_no_title_from_bibtex_or_arxiv_keeps_latex(path: Path) -> None:
    papers = read_papers([path]).papers
    assert papers
    assert [p.title for p in papers if LATEX_LEFT.search(p.title)] == []
