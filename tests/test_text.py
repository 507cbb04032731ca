"""kg.text.clean_text: Unicode, invisible characters, whitespace and simple LaTeX."""

from __future__ import annotations

import unicodedata

import pytest

from kg.text import clean_text, strip_invisible


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b", "ab"),
        ("a\x1bb", "ab"),
        ("a\x7fb", "ab"),
        ("a\u200bb", "ab"),
        ("a\u200fb\u202e", "ab"),
        ("\ufeffTitle", "Title"),
        ("lone\ud800 surrogate", "lone surrogate"),
        ("lone \udcff byte", "lone byte"),
    ],
)
def test_clean_text_strips_invisible_characters(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["a b", " a  b ", "a\nb", "a\r\nb", "a\rb", "a\tb", "a\x0bb", "a\x0cb", "a\u00a0b", "a\u2028b"],
)
def test_clean_text_collapses_whitespace_to_one_space(raw: str) -> None:
    assert clean_text(raw) == "a b"


def test_clean_text_returns_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Café Ørsted Ångström")
    assert clean_text(decomposed) == unicodedata.normalize("NFC", "Café Ørsted Ångström")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"a $3\times$ speed-up", "a 3× speed-up"),
        (r"$\alpha$-entmax", "α-entmax"),
        (r"$\beta \leq 0.5$", "β ≤ 0.5"),
        (r"$\sim$100 tokens", "~100 tokens"),
        (r"$k$-NN", "k-NN"),
        (r"$\mathrm{F1}$ score", "F1 score"),
        (r"{\deg}C", "°C"),
    ],
)
def test_clean_text_turns_simple_math_into_unicode(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [r"$O(n^2)$ time", r"$\mathcal{O}(n)$", r"$x_{i}$", "costs $5 and $10", "$5$10"],
)
def test_clean_text_keeps_math_it_cannot_render(raw: str) -> None:
    assert clean_text(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"\emph{fast}", "fast"),
        (r"\textbf{bold}", "bold"),
        (r"\textit{it}", "it"),
        (r"\texttt{code}", "code"),
        (r"\textbf{\textit{both}}", "both"),
        (r"\textbf {spaced}", "spaced"),
    ],
)
def test_clean_text_drops_font_commands(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"{\"U}ber", "Über"),
        (r"\"{U}ber", "Über"),
        (r"caf\'e", "café"),
        (r"na\"ive", "naïve"),
        (r"Erd\H{o}s", "Erdős"),
        (r"\v{C}ech", "Čech"),
        (r"Fran\c{c}ois", "François"),
        (r"Espa\~na", "España"),
        (r"\`a la", "à la"),
        (r"{\o}rsted", "ørsted"),
        (r"Stra\ss e", "Straße"),
        (r"\'{\i}", "í"),
    ],
)
def test_clean_text_renders_accents(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pages 1--2", "pages 1–2"),
        ("a---b", "a—b"),
        (r"95\% of", "95% of"),
        (r"R\&D", "R&D"),
        (r"snake\_case", "snake_case"),
        (r"\$5", "$5"),
    ],
)
def test_clean_text_renders_dashes_and_escapes(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{{BERT}}: Pre-training", "BERT: Pre-training"),
        ("Attention {Is} {All} {You} Need", "Attention Is All You Need"),
        (r"\emph{{GPT}} models", "GPT models"),
        ("Fig.~1", "Fig. 1"),
        (r"line\\break", "line break"),
        (r"keeps $10^{31}$", r"keeps $10^{31}$"),
    ],
)
def test_clean_text_drops_bibtex_braces(raw: str, expected: str) -> None:
    assert clean_text(raw, braces=True) == expected


def test_clean_text_keeps_braces_outside_bibtex() -> None:
    assert clean_text("github.com/x{y}") == "github.com/x{y}"


def test_clean_text_leaves_latex_when_asked() -> None:
    assert clean_text(r"$\alpha$ 1--2", latex=False) == r"$\alpha$ 1--2"


@pytest.mark.parametrize(
    "raw",
    [
        "日本語のタイトル",
        "نموذج لغوي",
        "Языковая модель",
        "emoji 🚀 ok",
        "<script>alert(1)</script>",
    ],
)
def test_clean_text_keeps_other_scripts_and_markup(raw: str) -> None:
    assert clean_text(raw) == raw


def test_strip_invisible_keeps_line_breaks() -> None:
    assert strip_invisible("a\nb\x00") == "a\nb"
