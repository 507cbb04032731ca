"""Doc -> Extraction: the only code that reads spaCy objects back."""

from __future__ import annotations

from spacy.tokens import Doc

from kg.model import Extraction, Paper


def doc_to_extraction(doc: Doc, paper: Paper) -> Extraction:
    """The paper's entities as found by the pipeline's resolver."""
    return Extraction(paper_id=paper.id, title=paper.title, entities=tuple(doc._.kg_entities or ()))
