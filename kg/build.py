"""papers -> extract -> corpus -> stores and views: the one library module that joins them all.

A build holds OUT's lock, writes everything into a staging folder inside OUT, then moves the
files into place under a journal with manifest.json last (kg.lock), so a failed or killed build
leaves the previous build whole. It builds only into a new or empty folder or an earlier kg build,
unless forced (kg.folder).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg import corpus
from kg.corrections import corrected_graph, corrected_reader
from kg.corrections import load as load_corrections
from kg.errors import BuildDirError, InputError
from kg.folder import (
    GRAPH_DB,
    JOURNAL,
    KG_FILES,
    MANIFEST,
    check_buildable,
    check_database,
    is_kg_build,
    make_staging,
    read_meta,
)
from kg.graph import GraphData
from kg.lock import LOCK_WAIT_S, commit, dir_lock, recover, settle
from kg.model import Extraction, Paper

if TYPE_CHECKING:
    from kg.readers import ReadResult
    from kg.stores import GraphStore

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


@dataclass(frozen=True, slots=True)
class BuildSummary:
    """What a build read and wrote."""

    out: Path
    n_papers: int
    n_concepts: int
    n_links: int
    n_extracted: int
    read: ReadResult
    files: tuple[str, ...] = field(default=())


SAMPLES = ("hf", "recent")  # the first is the default


def sample_inputs(name: str = "hf") -> list[Path]:
    """A bundled sample corpus: "hf", five saved Hugging Face papers pages (the default), or
    "recent", 2,000 dated arXiv papers taken evenly by month (see sample/recent/PROVENANCE.md)."""
    if name == "recent":
        return [SAMPLE_DIR / "recent" / "papers.jsonl.gz"]
    return sorted(SAMPLE_DIR.glob("*.txt"))


def check_out_dir(out: Path, *, force: bool = False) -> None:
    """Refuse an output path that cannot be a build folder, before any work is done.

    Args:
        force: build into a folder that holds other files than a kg build's.
    """
    if out.exists() and not out.is_dir():
        raise BuildDirError(f"{out}: exists and is not a folder; choose another -o/--out")
    for parent in out.resolve().parents:
        if parent.exists():
            if not parent.is_dir():
                raise BuildDirError(
                    f"{out}: {parent} is a file, not a folder; choose another -o/--out"
                )
            break
    check_buildable(out, force=force)


def merge_papers(old: Iterable[Paper], new: Iterable[Paper]) -> list[Paper]:
    """One paper per id; a paper read again keeps its earlier values and gains its new sources."""
    from kg.readers.merge import merge_group

    groups: dict[str, list[Paper]] = {}
    for paper in (*old, *new):
        groups.setdefault(paper.id, []).append(paper)
    return sorted((merge_group(pid, group) for pid, group in groups.items()), key=lambda p: p.id)


def extract_papers(
    papers: Sequence[Paper],
    *,
    reuse: Mapping[str, tuple[Paper, Extraction]] | None = None,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    ner: Path | None = None,
) -> tuple[list[Extraction], int]:
    """Extract every paper, reusing earlier results for papers whose text has not changed."""
    reuse = reuse or {}
    todo = [p for p in papers if not _unchanged(p, reuse.get(p.id))]
    done = {p.id: reuse[p.id][1] for p in papers if p.id in reuse and p not in todo}
    if todo:
        from extract.pipeline import extract_parallel

        for n, ext in enumerate(extract_parallel(todo, jobs=jobs, ner=ner), 1):
            done[ext.paper_id] = ext
            if progress:
                progress(n)
    return [done[p.id] for p in papers], len(todo)


def _unchanged(paper: Paper, before: tuple[Paper, Extraction] | None) -> bool:
    return before is not None and (before[0].title, before[0].abstract) == (
        paper.title,
        paper.abstract,
    )


def extractor_fingerprint(*, ner: Path | None = None) -> str:
    """Hash of the extraction code and data (and whether a trained model runs): earlier results
    are reused only when it matches."""
    import hashlib

    import extract

    root = Path(extract.__file__).resolve().parent
    digest = hashlib.sha256(b"ner" if ner is not None else b"rules")
    for path in sorted(root.rglob("*")):
        if {"training", "eval"} & set(path.relative_to(root).parts):  # tooling and gold data,
            continue  # never loaded by extraction
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _built_with(out: Path) -> str | None:
    import json

    try:
        manifest = json.loads(read_meta(out / MANIFEST) or "null")
    except ValueError:
        return None
    return manifest.get("extractor") if isinstance(manifest, dict) else None


def load_corpus(out: Path) -> tuple[list[Paper], list[Extraction]]:
    """Papers and extractions of a build folder."""
    settle(out)
    if not (out / corpus.PAPERS).exists():
        raise BuildDirError(
            f"{out}: not a kg build folder (no {corpus.PAPERS}); run 'kg build INPUT... -o {out}'"
        )
    return corpus.read_papers(out / corpus.PAPERS, in_build=True), corpus.read_extractions(
        out / corpus.EXTRACTIONS, in_build=True
    )


def open_built_store(out: Path, *, read_only: bool = True) -> GraphStore:
    """The embedded graph database of a build folder."""
    from kg.stores import open_store

    settle(out)
    check_database(out)
    if not (out / GRAPH_DB).exists():
        raise BuildDirError(
            f"{out}: no graph database ({GRAPH_DB}); run 'kg build INPUT... -o {out}' first"
        )
    return open_store(out / GRAPH_DB, read_only=read_only)


def load_graph(out: Path) -> GraphData:
    """The graph rows of a build folder, rebuilt from its source of truth (with the folder's
    corrections.toml applied, kg.corrections)."""
    papers, extractions = load_corpus(out)
    return corrected_graph(papers, extractions, out)


def build(
    inputs: Sequence[Path],
    out: Path,
    *,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    update: bool = False,
    views: bool = True,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    wait: float = LOCK_WAIT_S,
    ner: Path | None = None,
    force: bool = False,
) -> BuildSummary:
    """Read INPUTS, extract, and write the build folder OUT (papers, extractions, database, views).

    Another build of OUT runs first if it holds the folder's lock; this one waits up to `wait`
    seconds for it, so concurrent updates apply one after the other. A folder that holds other
    files than a kg build's is refused unless `force`.
    """
    from kg.readers import read_papers

    check_out_dir(out, force=force)
    load_corrections(out)  # a malformed corrections.toml stops the build before any work
    result = read_papers(inputs, fmt=fmt, columns=columns, strict=strict)
    if not result.papers and result.skipped:  # keep the previous build rather than empty it
        first = result.skipped[0]
        what, _, fix = first.reason.partition("; ")
        raise InputError(
            first.path,
            f"no paper could be read ({len(result.skipped)} skipped, the first: {what})",
            fix or "fix the input",
            line=first.line,
            record=first.record,
        )
    with dir_lock(out, wait=wait):
        recover(out)
        previous: dict[str, tuple[Paper, Extraction]] = {}
        old_papers: list[Paper] = []
        if is_kg_build(out):  # never read a forced folder's own papers.jsonl as kg's
            old_papers, old_exts = load_corpus(out)
            if _built_with(out) == extractor_fingerprint(ner=ner):
                ext_by_id = {e.paper_id: e for e in old_exts}
                previous = {p.id: (p, ext_by_id[p.id]) for p in old_papers if p.id in ext_by_id}
        papers = merge_papers(old_papers if update else [], result.papers)
        extractions, n_extracted = extract_papers(
            papers, reuse=previous, progress=progress, jobs=jobs, ner=ner
        )
        data = corrected_graph(papers, extractions, out)
        files = write_build(
            out, papers, extractions, data, views=views, extractor=extractor_fingerprint(ner=ner)
        )
    return BuildSummary(
        out, len(papers), len(data.concepts), len(data.mentions), n_extracted, result, files
    )


def write_build(
    out: Path,
    papers: Sequence[Paper],
    extractions: Sequence[Extraction],
    data: GraphData,
    *,
    views: bool = True,
    view_options: Mapping[str, int] | None = None,
    extractor: str | None = None,
) -> tuple[str, ...]:
    """Write every output into a staging folder, then move them into OUT, the manifest last."""
    with dir_lock(out, wait=LOCK_WAIT_S):
        recover(out)
        staging: Path | None = None
        try:
            staging = make_staging(out)
            corpus.write_papers(staging / corpus.PAPERS, papers)
            corpus.write_extractions(staging / corpus.EXTRACTIONS, extractions)
            _write_database(staging / GRAPH_DB, data)
            if views:
                _write_views(staging, data, **(view_options or {}))
            names = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
            if not set(names) <= KG_FILES:  # the journal may name only kg's own files
                raise ValueError(f"unexpected build outputs {names}; add them to kg.folder")
            made_by = extractor or extractor_fingerprint()
            manifest = corpus.dumps(_manifest(staging, names, data, made_by)) + "\n"
            corpus.write_atomic(staging / MANIFEST, manifest)
            commit(out, staging, [*names, MANIFEST])
        except OSError as err:
            kept = "unchanged" if not (out / JOURNAL).exists() else "restored by the next kg run"
            raise BuildDirError(
                f"{out}: cannot write the build ({err.strerror or err}); free some space or "
                f"choose another -o/--out; the previous build is {kept}"
            ) from err
        finally:
            # else recover needs the old files kept in it
            if staging is not None and not os.path.lexists(out / JOURNAL):
                shutil.rmtree(staging, ignore_errors=True)
    return (*names, MANIFEST)


def _write_database(path: Path, data: GraphData) -> None:
    from kg.stores import open_store

    store = open_store(path)
    try:
        store.write(data)
    finally:
        store.close()


def _write_views(folder: Path, data: GraphData, **options: int) -> list[Path]:
    """The views, from the staging folder's files; the index also links the focus and query
    pages already in OUT (the staging folder's parent)."""
    from kg.graph import to_networkx
    from viz.html import MAX_NODES, MIN_WEIGHT, render_views

    G = to_networkx(data)
    path = folder / corpus.EXTRACTIONS
    return render_views(
        G,
        folder,
        max_nodes=options.get("max_nodes", MAX_NODES),
        min_weight=options.get("min_weight", MIN_WEIGHT),
        extractions=corrected_reader(
            data.papers, lambda: corpus.iter_extractions(path, in_build=True), folder.parent
        ),
        pages_in=folder.parent,
    )


def rewrite(out: Path, **view_options: int) -> tuple[str, ...]:
    """Write a build folder's database, views and manifest again from its JSONL source of truth
    (e.g. with other view caps), under the folder's lock like a build."""
    with dir_lock(out, wait=LOCK_WAIT_S):
        recover(out)
        papers, extractions = load_corpus(out)
        data = corrected_graph(papers, extractions, out)
        return write_build(
            out, papers, extractions, data, view_options=view_options, extractor=_built_with(out)
        )


def _manifest(
    folder: Path, names: Sequence[str], data: GraphData, extractor: str
) -> dict[str, object]:
    import hashlib

    def sha256(path: Path) -> str:
        digest = hashlib.sha256()
        if path.is_dir():
            return ""
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    return {
        "kg_version": __import__("kg").__version__,
        "extractor": extractor,
        "papers": len(data.papers),
        "concepts": len(data.concepts),
        "mentions": len(data.mentions),
        "co_occurs": len(data.co_occurs),
        "files": {name: sha256(folder / name) for name in names if name != GRAPH_DB},
    }
