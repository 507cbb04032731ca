"""Training reads each of its papers through a lexicon with that paper left out
(extract/training/build_lexicon.py: `left_out`): it must count as a lexicon built without it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import spacy

from extract.decider import tokens_of
from extract.lexicon import Lexicon

_SCRIPT = Path(__file__).resolve().parents[1] / "extract" / "training" / "build_lexicon.py"
_NLP = spacy.blank("en")
PAPERS = [
    "We study catastrophic forgetting in continual learning with few-shot prompting.",
    "Catastrophic forgetting hurts continual learning; we propose replay buffers.",
    "Few-shot prompting of large language models reduces catastrophic forgetting.",
    "Replay buffers for continual learning of large language models.",
]


@pytest.fixture(scope="module")
def build_lexicon():
    spec = importlib.util.spec_from_file_location("build_lexicon", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_lexicon"] = module
    spec.loader.exec_module(module)
    return module


def lexicon_of(bl, texts: list[str]) -> Lexicon:
    df, full, word_df, _ = bl.phrase_counts([{"abstract": t} for t in texts], frozenset())
    phrases = {p: (n, full[p]) for p, n in df.items() if n >= bl.MIN_PHRASE_DF and " " in p}
    return Lexicon(len(texts), {w: (n, 0, 0) for w, n in word_df.items()}, phrases)


def keys_of(bl, text: str) -> set[str]:
    doc = "\n\n" + text  # build_lexicon reads "title\n\nabstract" with an empty title
    return bl.paper_phrases(doc, tokens_of(_NLP.make_doc(doc)), frozenset())[0]


@pytest.mark.parametrize("k", range(len(PAPERS)))
def test_left_out_counts_as_a_lexicon_built_without_the_paper(build_lexicon, k):
    bl = build_lexicon
    whole = lexicon_of(bl, PAPERS)
    without = lexicon_of(bl, PAPERS[:k] + PAPERS[k + 1 :])
    text = "\n\n" + PAPERS[k]
    view = bl.left_out(whole, text, tokens_of(_NLP.make_doc(text)), frozenset())
    keys = keys_of(bl, PAPERS[k]) | {"replay buffers", "few-shot", "catastrophic"}
    assert {key: view.phrase(key) for key in keys} == {key: without.phrase(key) for key in keys}
    assert {w: view.word(w)[0] for w in ("continual", "catastrophic")} == {
        w: (without.word(w) or (0,))[0] for w in ("continual", "catastrophic")
    }
