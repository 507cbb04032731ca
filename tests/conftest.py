"""Shared fixtures: ten hand-written papers and their extractions, whose graph we know by heart.

What the graph holds (tests rely on these facts):
- Transformer (Method): proposed in p01, used in p02 and p07; Accuracy (Metric): p06, p07, p08.
  These two are the only concepts in three papers; BERT, GLUE, SQuAD, Llama 2, ImageNet,
  ResNet, CIFAR-10 and Direct Preference Optimization are in two.
- p05 names only the bare acronym "DPO"; graph_data joins it to "Direct Preference
  Optimization", which p04 defines as "(DPO)". "ViT" and "RLHF" are aliases too.
- p07 has no year; p08 (ResNet, 2016) is older than p01 (Transformer, 2017).
- p09's title, abstract and author are hostile text (quotes, newline, backslash, brackets,
  unicode, emoji, markup); its concepts are ResNet and CIFAR-10.
- p10 names only Adam, which so co-occurs with nothing and links to no other paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import GraphData, graph_data, to_networkx
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role
from kg.stores.ladybug_store import LadybugStore

M, MO, D, B, T, ME = (
    ConceptType.METHOD,
    ConceptType.MODEL,
    ConceptType.DATASET,
    ConceptType.BENCHMARK,
    ConceptType.TASK,
    ConceptType.METRIC,
)
P, U, N = Role.PROPOSED, Role.USED, Role.MENTIONED

HOSTILE = (
    "Quotes \"and\" 'single', commas; [a,b] \\ back\\slash\nnew line — é 🚀 <script>x</script>"
)

# (id, year, title, abstract, [(name, type, role, aliases), ...])
_CORPUS: list[
    tuple[str, int | None, str, str, list[tuple[str, ConceptType, Role, tuple[str, ...]]]]
] = [
    (
        "p01",
        2017,
        "Attention Is All You Need",
        "We propose the Transformer, built on attention alone. The Transformer reaches 28.4 BLEU "
        "on WMT 2014 English-German.",
        [("Transformer", M, P, ()), ("WMT 2014", D, U, ()), ("BLEU", ME, U, ())],
    ),
    (
        "p02",
        2018,
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "We introduce BERT, an encoder built on the Transformer. BERT improves GLUE and SQuAD.",
        [("BERT", MO, P, ()), ("Transformer", M, U, ()), ("GLUE", B, U, ()), ("SQuAD", D, U, ())],
    ),
    (
        "p03",
        2019,
        "RoBERTa: A Robustly Optimized Pretraining Approach",
        "RoBERTa retrains BERT for longer and improves GLUE and SQuAD.",
        [("RoBERTa", MO, P, ()), ("BERT", MO, U, ()), ("GLUE", B, U, ()), ("SQuAD", D, U, ())],
    ),
    (
        "p04",
        2023,
        "Direct Preference Optimization",
        "We propose Direct Preference Optimization (DPO), a simpler alternative to Reinforcement "
        "Learning from Human Feedback (RLHF). DPO is evaluated on Anthropic HH.",
        [
            ("Direct Preference Optimization", M, P, ("DPO",)),
            ("Reinforcement Learning from Human Feedback", M, N, ("RLHF",)),
            ("Anthropic HH", D, U, ()),
        ],
    ),
    (
        "p05",
        2024,
        "Aligning Llama 2 with DPO",
        "We fine-tune Llama 2 with DPO and report MT-Bench scores.",
        [("DPO", M, U, ()), ("Llama 2", MO, U, ()), ("MT-Bench", B, U, ())],
    ),
    (
        "p06",
        2024,
        "Evaluating Llama 2",
        "Llama 2 is tested on MMLU and GSM8K; we report Accuracy.",
        [("Llama 2", MO, U, ()), ("MMLU", B, U, ()), ("GSM8K", D, U, ()), ("Accuracy", ME, U, ())],
    ),
    (
        "p07",
        None,
        "An Image is Worth 16x16 Words",
        "We propose the Vision Transformer (ViT), a Transformer for images. ViT reaches high "
        "Accuracy on ImageNet.",
        [
            ("Vision Transformer", MO, P, ("ViT",)),
            ("Transformer", M, U, ()),
            ("ImageNet", D, U, ()),
            ("Accuracy", ME, U, ()),
        ],
    ),
    (
        "p08",
        2016,
        "Deep Residual Learning for Image Recognition",
        "We propose ResNet. ResNet wins ImageNet and improves CIFAR-10 Accuracy.",
        [
            ("ResNet", MO, P, ()),
            ("ImageNet", D, U, ()),
            ("CIFAR-10", D, U, ()),
            ("Accuracy", ME, N, ()),
        ],
    ),
    (
        "p09",
        2020,
        HOSTILE,
        f"{HOSTILE} We train ResNet on CIFAR-10.",
        [("ResNet", MO, U, ()), ("CIFAR-10", D, U, ())],
    ),
    (
        "p10",
        2015,
        "Adam: A Method for Stochastic Optimization",
        "We propose Adam, an optimizer.",
        [("Adam", M, P, ())],
    ),
]


def _mentions(title: str, abstract: str, forms: tuple[str, ...]) -> tuple[Mention, ...]:
    found = []
    for field, text in (("title", title), ("abstract", abstract)):
        for form in forms:
            for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
                found.append(Mention(form, match.start(), match.end(), field))
    return tuple(found)


def make_papers() -> tuple[Paper, ...]:
    """The ten fixture papers (a plain function, for tests that need them outside a fixture)."""
    authors = {"p09": (HOSTILE, "B. Author")}
    return tuple(
        Paper(
            pid,
            title,
            abstract,
            year,
            date=f"{year}-06-01" if year else None,
            url=f"https://example.org/{pid}",
            authors=authors.get(pid, ("A. Author",)),
            categories=("cs.LG",),
            sources=("fixture",),
        )
        for pid, year, title, abstract, _ in _CORPUS
    )


def make_extractions() -> tuple[Extraction, ...]:
    """One extraction per fixture paper, with mentions found in its title and abstract."""
    from kg.model import concept_key

    return tuple(
        Extraction(
            pid,
            title,
            tuple(
                Entity(
                    concept_key(name),
                    name,
                    kind,
                    role,
                    _mentions(title, abstract, (name, *aliases)),
                    aliases,
                )
                for name, kind, role, aliases in entities
            ),
        )
        for pid, _, title, abstract, entities in _CORPUS
    )


@pytest.fixture
def papers() -> tuple[Paper, ...]:
    return make_papers()


@pytest.fixture
def extractions() -> tuple[Extraction, ...]:
    return make_extractions()


@pytest.fixture
def graph(papers: tuple[Paper, ...], extractions: tuple[Extraction, ...]) -> GraphData:
    return graph_data(papers, extractions)


@pytest.fixture
def nx_graph(graph: GraphData) -> nx.DiGraph:
    return to_networkx(graph)


@pytest.fixture
def store(graph: GraphData, tmp_path: Path) -> Iterator[LadybugStore]:
    """The fixture graph written to a LadybugDB file in tmp_path, open read-write."""
    db = LadybugStore.open(tmp_path / "graph.lbug")
    db.write(graph)
    yield db
    db.close()


@pytest.fixture(scope="session")
def read_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    """The fixture graph in one LadybugDB file for the whole session, open read-only."""
    path = tmp_path_factory.mktemp("read_store") / "graph.lbug"
    with LadybugStore.open(path) as writer:
        writer.write(graph_data(make_papers(), make_extractions()))
    db = LadybugStore.open(path, read_only=True)
    yield db
    db.close()
