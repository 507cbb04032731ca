"""kg.ids: arXiv ids, DOIs and title hashes."""

from __future__ import annotations

import unicodedata

import pytest

from kg.ids import arxiv_id, find_arxiv_id, make_paper_id, normalize_doi, title_id, title_key


@pytest.mark.parametrize(
    "value",
    [
        "2310.07298",
        "2310.07298v2",
        "arXiv:2310.07298v2",
        "arxiv: 2310.07298",
        "http://arxiv.org/abs/2310.07298v2",
        "https://arxiv.org/abs/2310.07298",
        "https://arxiv.org/pdf/2310.07298",
        "https://arxiv.org/pdf/2310.07298v1.pdf",
        "http://export.arxiv.org/abs/2310.07298v1",
        "10.48550/arXiv.2310.07298",
        "https://doi.org/10.48550/ARXIV.2310.07298",
        " 2310.07298 ",
    ],
)
def test_arxiv_id_drops_prefix_and_version(value: str) -> None:
    assert arxiv_id(value) == "2310.07298"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("http://arxiv.org/abs/astro-ph/9904306v1", "astro-ph/9904306"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("arXiv:math.gt/0309136v1", "math.GT/0309136"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_arxiv_id_keeps_old_style_ids(value: str, expected: str) -> None:
    assert arxiv_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "10.1109/5.771073",
        "1234.5678 pages",
        "https://example.org/abs/2310.07298",
        "W123",
        "12345",
    ],
)
def test_arxiv_id_rejects_other_values(value: str) -> None:
    assert arxiv_id(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:1706.03762 [cs]", "1706.03762"),
        ("arXiv: 1706.03762v5", "1706.03762"),
        ("none", None),
    ],
)
def test_find_arxiv_id_reads_free_text(text: str, expected: str | None) -> None:
    assert find_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "10.1109/CVPR.2020.00975",
        "https://doi.org/10.1109/CVPR.2020.00975",
        "http://dx.doi.org/10.1109/cvpr.2020.00975",
        "doi:10.1109/CVPR.2020.00975",
    ],
)
def test_normalize_doi_lowercases_and_drops_resolver(value: str) -> None:
    assert normalize_doi(value) == "10.1109/cvpr.2020.00975"


@pytest.mark.parametrize("value", ["", "n/a", "11.1000/x", "10.1000"])
def test_normalize_doi_rejects_non_dois(value: str) -> None:
    assert normalize_doi(value) is None


@pytest.mark.parametrize(
    "variant",
    [
        "Attention is all you need",
        "ATTENTION IS ALL YOU NEED.",
        "  Attention  is\nall you need ",
        "Attention: is all -- you need!",
    ],
)
def test_title_key_ignores_case_space_and_punctuation(variant: str) -> None:
    assert title_key(variant) == title_key("Attention Is All You Need")


def test_title_id_is_equal_for_nfc_and_nfd() -> None:
    title = "Über Café Modelle"
    assert title_id(unicodedata.normalize("NFD", title)) == title_id(title)


def test_title_id_has_prefix_and_16_hex_digits() -> None:
    found = title_id("Some Title")
    assert found.startswith("title:")
    assert len(found) == len("title:") + 16
    int(found.removeprefix("title:"), 16)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"refs": ["arXiv:1706.03762v7"], "doi": "10.1000/x"}, "1706.03762"),
        ({"refs": [None, "https://arxiv.org/abs/1706.03762"]}, "1706.03762"),
        ({"doi": "10.48550/arXiv.1706.03762"}, "1706.03762"),
        ({"refs": ["https://ieeexplore.ieee.org/x"], "doi": "10.1109/X.1"}, "doi:10.1109/x.1"),
        ({"doi": "not a doi"}, title_id("T")),
        ({}, title_id("T")),
    ],
)
def test_make_paper_id_prefers_arxiv_then_doi_then_title(
    kwargs: dict[str, object], expected: str
) -> None:
    assert make_paper_id("T", **kwargs) == expected  # type: ignore[arg-type]
