"""build_nlp() and extract(nlp, papers): the extraction entry points."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from kg.model import Extraction, Paper

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy refuses texts over 1,000,000 characters (E088); abstracts longer than this are cut.
MAX_CHARS = 200_000
SEPARATOR = "\n\n"


def build_nlp() -> Language:
    """A blank English pipeline with kg's gazetteer, pattern and resolver components."""
    import spacy

    import extract.components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_gazetteer")
    nlp.add_pipe("kg_patterns")
    nlp.add_pipe("kg_resolve")
    return nlp


def paper_text(paper: Paper) -> tuple[str, int]:
    """The text extraction reads (title, blank line, abstract) and the title's length."""
    title = paper.title[:MAX_CHARS]
    return title + SEPARATOR + paper.abstract[:MAX_CHARS], len(title)


def extract(
    nlp: Language, papers: Iterable[Paper], *, batch_size: int = 64
) -> Iterator[Extraction]:
    """Run the pipeline on each paper, in input order."""
    from extract.convert import doc_to_extraction

    def docs() -> Iterator[tuple[object, Paper]]:
        for paper in papers:
            text, title_len = paper_text(paper)
            doc = nlp.make_doc(text)
            doc._.kg_title_len = title_len
            yield doc, paper

    for doc, paper in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size):
        yield doc_to_extraction(doc, paper)
