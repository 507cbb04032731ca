"""kg's spaCy components, registered in one place.

Components read and extend `doc._.kg_candidates` (a list of Candidate); `kg_resolve` turns them
into the final `doc.spans["kg"]` (label = type, id = concept id) and `doc._.kg_entities`.
The Doc's text is the title, a blank line, then the abstract; `doc._.kg_title_len` marks the split.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.candidate import Candidate
from extract.cleanup import clean
from extract.decider import PASS_THROUGH, Decider, decide_candidates, load_decider, tokens_of
from extract.gazetteer import load_gazetteer
from extract.lexicon import Lexicon, load_lexicon
from extract.matcher import GazetteerMatcher
from extract.normalize import canonical_name, concept_id, infer_type, is_not_concept
from extract.patterns import find_all
from extract.resolve import resolve, to_entities
from kg.model import ConceptType

for _name, _default in (
    ("kg_candidates", None),
    ("kg_entities", None),
    ("kg_title_len", 0),
    ("kg_text", None),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def doc_text(doc: Doc) -> str:
    """The Doc's text, kept by `extract` when it made the Doc (doc.text rebuilds it every time)."""
    text: str | None = doc._.kg_text
    if text is None:
        text = doc._.kg_text = doc.text
    return text


def _candidates(doc: Doc) -> list[Candidate]:
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    cands: list[Candidate] = doc._.kg_candidates
    return cands


class GazetteerComponent:
    """Adds a candidate for every gazetteer name in the Doc."""

    def __init__(self, matcher: GazetteerMatcher) -> None:
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        _candidates(doc).extend(self.matcher(doc, doc_text(doc)))
        return doc


class PatternComponent:
    """Adds candidates for names the gazetteer does not know (abbreviations, "we propose X", ...)."""

    def __call__(self, doc: Doc) -> Doc:
        _candidates(doc).extend(find_all(doc_text(doc), doc._.kg_title_len))
        return doc


def looks_like_name(span: str) -> bool:
    """True for spans written like a name: a digit or a capital inside a word ("BiLSTM", "T5",
    "SQuAD"). Capitalised phrases ("Noisy Model Learning") are not enough: on the 40-paper role
    set they were mostly title-case headings and sentence starts.

    Example:
        >>> [looks_like_name(s) for s in ("BiLSTM", "image sequences", "Noisy Model Learning")]
        [True, False, False]
    """
    return any(c.isdigit() for c in span) or any(c.isupper() for w in span.split() for c in w[1:])


def model_candidate(start: int, end: int, text: str, label: str) -> Candidate | None:
    """A statistical entity as a candidate: coarse labels (SciERC/SciREX "Material", "Method")
    become kg types by the name's shape ("Llama 2" is a Model, "MMLU benchmark" a Benchmark)."""
    name, size = canonical_name(text)
    if not name or is_not_concept(name):
        return None
    if label == "Material":
        guess = infer_type(name)
        ctype = ConceptType.BENCHMARK if guess is ConceptType.BENCHMARK else ConceptType.DATASET
    elif label == "Method":
        ctype = ConceptType.MODEL if infer_type(name) is ConceptType.MODEL else ConceptType.METHOD
    elif label in ConceptType.__members__.values():
        ctype = ConceptType(label)
    else:
        return None
    return Candidate(start, end, name, ctype, "model", size=size)


class EntityRulerCandidates:
    """Adds the Doc's statistical entities (a trained `ner`); with spans="names", only those that
    look like names, since the graph wants named things, not every technical phrase."""

    def __init__(self, spans: str = "names") -> None:
        self.names_only = spans == "names"

    def __call__(self, doc: Doc) -> Doc:
        cands = _candidates(doc)
        for ent in doc.ents:
            if self.names_only and not looks_like_name(ent.text):
                continue
            cand = model_candidate(ent.start_char, ent.end_char, ent.text, ent.label_)
            if cand is not None:
                cands.append(replace(cand, source="model-name") if self.names_only else cand)
        return doc


class DeciderComponent:
    """Adds technical noun phrases to the rule candidates, then keeps and types the spans the
    learned decider judges to name a concept (a trained ner's spans pass through untouched)."""

    def __init__(self, model: Decider, lexicon: Lexicon) -> None:
        self.model = model
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        cands = _candidates(doc)
        rules = [c for c in cands if c.source not in PASS_THROUGH]
        passed = [c for c in cands if c.source in PASS_THROUGH]
        text = doc_text(doc)
        decided = decide_candidates(
            self.model, text, doc._.kg_title_len, tokens_of(doc), rules, self.lexicon
        )
        doc._.kg_candidates = [*decided, *passed]
        return doc


class ResolveComponent:
    """Chooses among overlapping candidates, links short forms, sets roles and concept ids."""

    def __call__(self, doc: Doc) -> Doc:
        title_len = doc._.kg_title_len
        text = doc_text(doc)
        chosen = clean(text, title_len, resolve(text, title_len, _candidates(doc)))
        doc._.kg_entities = to_entities(chosen, text=text, title_len=title_len)
        spans = []
        for cand in chosen:
            span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
            if span is not None:
                spans.append(
                    Span(
                        doc,
                        span.start,
                        span.end,
                        label=str(cand.type),
                        span_id=concept_id(cand.name),
                    )
                )
        doc.spans["kg"] = spans
        return doc


def make_gazetteer(nlp: Language, name: str) -> GazetteerComponent:
    return GazetteerComponent(GazetteerMatcher(load_gazetteer(), nlp.tokenizer))


def make_patterns(nlp: Language, name: str) -> PatternComponent:
    return PatternComponent()


def make_model_candidates(nlp: Language, name: str, spans: str) -> EntityRulerCandidates:
    return EntityRulerCandidates(spans)


def make_decider(nlp: Language, name: str) -> DeciderComponent:
    return DeciderComponent(load_decider(), load_lexicon())  # both read when the pipeline is made


def make_resolver(nlp: Language, name: str) -> ResolveComponent:
    return ResolveComponent()


Language.factory("kg_gazetteer", assigns=["doc._.kg_candidates"])(make_gazetteer)
Language.factory("kg_patterns", assigns=["doc._.kg_candidates"])(make_patterns)
Language.factory(
    "kg_model_candidates", assigns=["doc._.kg_candidates"], default_config={"spans": "names"}
)(make_model_candidates)
Language.factory("kg_decide", assigns=["doc._.kg_candidates"])(make_decider)
Language.factory("kg_resolve", assigns=["doc._.kg_entities", "doc.spans"])(make_resolver)
