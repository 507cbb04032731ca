"""build_nlp() and extract(nlp, papers): the extraction entry points."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.model import Extraction, Paper

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy refuses texts over 1,000,000 characters (E088); abstracts longer than this are cut.
MAX_CHARS = 200_000
SEPARATOR = "\n\n"


NER_DIR = Path(__file__).resolve().parent / "data" / "ner"


SPANS = ("names", "all")


def check_model(ner: Path) -> None:
    """Raise a KGError saying how to get a model when `ner` holds none."""
    if not (ner / "config.cfg").is_file():
        raise KGError(
            f"no trained model in {str(ner)!r}; train one (extract/training/README.md) "
            "or leave out --ner"
        )


def build_nlp(*, ner: Path | None = None, spans: str = "names") -> Language:
    """English pipeline: kg's gazetteer, pattern, decider and resolver components, after a
    trained `ner` when one is given (`NER_DIR` is where the package ships it). The decider
    (extract/decider.py) adds technical noun phrases and keeps and types the candidates; with
    spans="all" it is left out, as SciERC-style gold wants every span the model finds.

    Args:
        ner: folder of a trained spaCy pipeline with an `ner` component; None for rules only.
        spans: "names" keeps only the model's spans that look like names (what the graph wants:
            "BiLSTM-CRF", "Noisy Model Learning"); "all" keeps every span, generic phrases
            included ("image sequence"), as SciERC-style annotation expects.
    """
    import spacy

    import extract.components  # noqa: F401  (registers the factories)

    if ner is not None:
        check_model(ner)
        nlp = spacy.load(ner)
        nlp.add_pipe("kg_model_candidates", config={"spans": spans})
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe("kg_gazetteer")
    nlp.add_pipe("kg_patterns")
    if spans == "names":
        nlp.add_pipe("kg_decide")
    nlp.add_pipe("kg_resolve")
    return nlp


def paper_text(paper: Paper) -> tuple[str, int]:
    """The text extraction reads (title, blank line, abstract) and the title's length."""
    title = paper.title[:MAX_CHARS]
    return title + SEPARATOR + paper.abstract[:MAX_CHARS], len(title)


ZONE_PAPERS = 1000  # papers per spaCy memory zone


def extract(
    nlp: Language, papers: Iterable[Paper], *, batch_size: int = 64
) -> Iterator[Extraction]:
    """Run the pipeline on each paper, in input order.

    Every ZONE_PAPERS papers run in a spaCy memory zone: the words, strings and tokenizer cache
    entries their text added are freed after them (one process over 4,000 new abstracts peaked
    11 MB lower; most of what a long run grows by is the decider's bounded caches). Nothing of a
    Doc outlives its zone: each paper leaves it as a plain Extraction.
    """
    from extract.convert import doc_to_extraction

    def docs(chunk: list[Paper]) -> Iterator[tuple[str | Doc, Paper]]:
        for paper in chunk:
            text, title_len = paper_text(paper)
            doc = nlp.make_doc(text)
            doc._.kg_title_len = title_len
            doc._.kg_text = text
            yield doc, paper

    it = iter(papers)
    while chunk := list(islice(it, ZONE_PAPERS)):
        with nlp.memory_zone():
            for doc, paper in nlp.pipe(docs(chunk), as_tuples=True, batch_size=batch_size):
                yield doc_to_extraction(doc, paper)


_WORKER_NLP: Language | None = None
_WORKER_PAPERS: Sequence[Paper] = ()
CHUNK_SIZE = 128  # papers per task: ~0.5 s of work, small next to the pool's start-up
# Chunks per worker before its pool is replaced by a fresh fork (1,024 papers, ~4 s). A forked
# worker's private memory grows as it runs: every object of the parent it touches gets its
# reference count written, and the page holding it is copied (10,000 papers on 2 jobs peaked at
# 495 MB PSS with one pool for the whole run). A new pool starts from the parent's pages again.
# The pools are made here, in the thread that runs extraction, and never by a pool itself
# (maxtasksperchild): kg.extraction gives each worker a parent-death signal, which Linux ties to
# the thread that forked it, so a worker forked by a pool's handler thread is killed when
# terminate() ends that thread, maybe holding the task queue's lock, and the pool hangs.
BLOCK_CHUNKS = 8


def _init_worker(ner: Path | None, spans: str = "names") -> None:
    global _WORKER_NLP
    _WORKER_NLP = build_nlp(ner=ner, spans=spans)


def _extract_chunk(task: tuple[int, int] | list[Paper]) -> list[str]:
    """One chunk's extractions as canonical JSON lines: a string pickles and unpickles ~50x
    faster than the Extraction objects it holds, and the parent writes lines as they come."""
    from kg.corpus import dumps

    assert _WORKER_NLP is not None  # set before the fork, or by _init_worker
    papers = _WORKER_PAPERS[task[0] : task[1]] if isinstance(task, tuple) else task
    return [dumps(ext.to_json()) for ext in extract(_WORKER_NLP, papers)]


def _chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    it = iter(papers)
    while chunk := list(islice(it, size)):
        yield chunk


def extract_lines(
    papers: Sequence[Paper],
    *,
    jobs: int = 1,
    chunk_size: int = CHUNK_SIZE,
    ner: Path | None = None,
    spans: str = "names",
) -> Iterator[str]:
    """Each paper's Extraction as one canonical JSON line (kg.corpus.dumps), in input order,
    extracted in `jobs` processes.

    With fork (Linux), the workers inherit the pipeline built here and the papers, and get only
    (start, end) of their chunk: no pipeline built per worker and nothing pickled but the
    lines that come back; a fresh pool of workers takes each block of `jobs` x BLOCK_CHUNKS
    chunks. `spans` is build_nlp's: "names" (the graph's) or "all".
    """
    global _WORKER_NLP, _WORKER_PAPERS
    if ner is not None:
        check_model(ner)  # before the pool: a worker that fails to start is started again
    if jobs <= 1 or len(papers) <= chunk_size:
        from kg.corpus import dumps

        for ext in extract(build_nlp(ner=ner, spans=spans), papers):
            yield dumps(ext.to_json())
        return
    # a trained model may hold BLAS threads that a fork would copy half-way: spawn-like start
    if ner is not None or "fork" not in multiprocessing.get_all_start_methods():
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pool = multiprocessing.get_context(method).Pool(
            jobs, initializer=_init_worker, initargs=(ner, spans)
        )
        with pool:
            for lines in pool.imap(_extract_chunk, _chunks(papers, chunk_size)):
                yield from lines
        return
    _WORKER_NLP, _WORKER_PAPERS = build_nlp(spans=spans), papers
    try:
        block = jobs * BLOCK_CHUNKS * chunk_size
        for start in range(0, len(papers), block):
            stop = min(start + block, len(papers))
            tasks = ((i, min(i + chunk_size, stop)) for i in range(start, stop, chunk_size))
            # A fresh pool per block, forked here in this thread: see BLOCK_CHUNKS.
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for lines in pool.imap(_extract_chunk, tasks):
                    yield from lines
    finally:
        _WORKER_NLP, _WORKER_PAPERS = None, ()


def extract_parallel(
    papers: Sequence[Paper],
    *,
    jobs: int = 1,
    chunk_size: int = CHUNK_SIZE,
    ner: Path | None = None,
    spans: str = "names",
) -> Iterator[Extraction]:
    """`extract` over `jobs` processes; results come back in input order, so output is the same.

    `spans` is build_nlp's: "names" (the graph's) or "all" (every span the model finds).
    """
    import json

    if jobs <= 1 or len(papers) <= chunk_size:
        if ner is not None:
            check_model(ner)
        yield from extract(build_nlp(ner=ner, spans=spans), papers)
        return
    for line in extract_lines(papers, jobs=jobs, chunk_size=chunk_size, ner=ner, spans=spans):
        yield Extraction.from_json(json.loads(line))
