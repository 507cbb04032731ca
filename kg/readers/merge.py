"""Merge the records of all input files into one Paper per paper."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from kg.ids import arxiv_id, title_key
from kg.model import Paper

log = logging.getLogger(__name__)
T = TypeVar("T")


def _first(values: Sequence[T | None]) -> T | None:
    return next((v for v in values if v), None)


def merge_group(paper_id: str, papers: Sequence[Paper]) -> Paper:
    """One Paper from several records of it: the longest abstract, the first value of each other
    field, every source."""
    abstracts = [p.abstract for p in papers]
    abstract = max(abstracts, key=len)  # the longest; of equals, the first
    if len({a for a in abstracts if a}) > 1:
        log.warning(
            "%s: paper %s has %d different abstracts; the longest is kept",
            ", ".join(sorted({s for p in papers for s in p.sources})),
            paper_id,
            len(set(abstracts)),
        )
    return Paper(
        id=paper_id,
        title=_first([p.title for p in papers]) or "",
        abstract=abstract,
        year=next((p.year for p in papers if p.year is not None), None),
        date=_first([p.date for p in papers]),
        url=_first([p.url for p in papers]),
        authors=_first([p.authors for p in papers]) or (),
        categories=_first([p.categories for p in papers]) or (),
        sources=tuple(sorted({s for p in papers for s in p.sources})),
    )


Group = list[tuple[tuple[str, int], Paper]]


def _join_by_title(
    groups: dict[str, Group], is_weak: Callable[[str], bool], is_strong: Callable[[str], bool]
) -> None:
    """Move each group with a weak id into the group of a strong id whose title is the same."""
    by_title: dict[str, str] = {}
    for paper_id in sorted(groups):
        if is_strong(paper_id):
            for _, paper in groups[paper_id]:
                if paper.title:
                    by_title.setdefault(title_key(paper.title), paper_id)
    for paper_id in sorted(i for i in groups if is_weak(i)):
        title = groups[paper_id][0][1].title
        target = by_title.get(title_key(title)) if title else None
        if target is not None and target != paper_id:
            groups[target].extend(groups.pop(paper_id))


def merge_papers(records: Sequence[tuple[str, int, Paper]]) -> tuple[tuple[Paper, ...], int]:
    """Merge (path, index in file, paper) records; return papers sorted by id and n_duplicates.

    Records with one id are one paper; a paper known only by its title hash (a Hugging Face
    page) joins the paper with a real id whose normalised title is the same, and a paper known
    by its DOI (a journal's BibTeX) joins the paper with an arXiv id and the same title (the
    preprint that Semantic Scholar or arXiv lists). Of each
    field the first non-empty value is kept, the abstract is the longest, sources are
    united. "First" follows (path, index), so the order of the inputs does not matter.

    Example:
        >>> a = Paper("title:x", "Deep Nets", "", sources=("hf.txt",))
        >>> b = Paper("2310.07298", "Deep nets.", "Long abstract.", year=2023, sources=("a.json",))
        >>> papers, n_duplicates = merge_papers([("hf.txt", 0, a), ("a.json", 0, b)])
        >>> [(p.id, p.title, p.year, p.sources) for p in papers], n_duplicates
        ([('2310.07298', 'Deep nets.', 2023, ('a.json', 'hf.txt'))], 1)
    """
    groups: dict[str, list[tuple[tuple[str, int], Paper]]] = {}
    for path, index, paper in records:
        groups.setdefault(paper.id, []).append(((path, index), paper))
    _join_by_title(groups, lambda i: i.startswith("title:"), lambda i: not i.startswith("title:"))
    _join_by_title(groups, lambda i: i.startswith("doi:"), lambda i: arxiv_id(i) is not None)
    papers = []
    for paper_id in sorted(groups):
        members = [paper for _, paper in sorted(groups[paper_id], key=lambda m: m[0])]
        papers.append(merge_group(paper_id, members))
    return tuple(papers), len(records) - len(papers)
