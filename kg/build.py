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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg import corpus
from kg.corrections import corrected_graph, corrected_reader
from kg.corrections import load as load_corrections
from kg.errors import BuildDirError, InputError
from kg.folder import (
    GRAPH_DB,
    GRAPH_SIDE_FILES,
    JOURNAL,
    KG_FILES,
    MANIFEST,
    check_buildable,
    check_database,
    is_kg_build,
    make_staging,
    open_regular,
    read_meta,
)
from kg.graph import GraphData, graph_data
from kg.lock import LOCK_WAIT_S, commit, dir_lock, recover, settle
from kg.model import Extraction, Paper
from kg.progress import Reporter, step

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


def extraction_lines(
    papers: Sequence[Paper],
    *,
    reuse: Path | None = None,
    before: Mapping[str, bytes] | None = None,
    jobs: int | None = 1,
    ner: Path | None = None,
    progress: Reporter | None = None,
) -> tuple[Iterator[str], int]:
    """Each paper's extraction as a JSON line, in the papers' order, and how many are extracted
    anew. A paper whose text key (`text_key`) is in `before` takes its line from the earlier
    build's `reuse` file instead; lines come as they are made, so none are held in memory.
    `jobs` None: default_jobs.
    """
    read_old = _old_lines(reuse) if reuse is not None and before else None
    old_ids = _sorted_ids(read_old) if read_old is not None else None
    kept = {pid: key for pid, key in (before or {}).items() if old_ids and pid in old_ids}
    todo = [p for p in papers if kept.get(p.id) != text_key(p)]
    jobs = default_jobs(len(todo)) if jobs is None else jobs
    lines = _merged_lines(papers, todo, read_old, kept, jobs=jobs, ner=ner, progress=progress)
    return lines, len(todo)


# Papers to extract above which --jobs defaults to every usable core: two tasks of 128 papers, so
# a second worker has work. The workers are forked from the pipeline (no start-up of their own):
# 1,000 new papers took 8.4-8.7 s on 2 jobs against 14.1-16.1 s on one, 300 papers 5.0-6.7 s
# against 7.2 s (pipeline made once in either).
BIG_CORPUS = 256


def default_jobs(n_papers: int) -> int:
    """Processes to extract `n_papers` in: every core this process may use for a big corpus,
    one for a small one (a pool's start-up costs more than it saves there)."""
    if n_papers <= BIG_CORPUS:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def extract_to_file(
    papers: Sequence[Paper],
    path: Path,
    *,
    jobs: int | None = 1,
    ner: Path | None = None,
    spans: str = "names",
    progress: Reporter | None = None,
) -> int:
    """Extract `papers` into a JSON Lines file (atomically, lines written as they come);
    returns the number of concept links written. `jobs` None: default_jobs."""
    import json

    from kg.extraction import extract_lines

    jobs = default_jobs(len(papers)) if jobs is None else jobs
    n_links = 0
    with step(progress, "extract", total=len(papers), unit="papers") as advance:

        def lines() -> Iterator[str]:
            nonlocal n_links
            for line in extract_lines(papers, jobs=jobs, ner=ner, spans=spans):
                n_links += len(json.loads(line)["entities"])
                advance(note=f"{jobs} job{'s' if jobs > 1 else ''}")
                yield line + "\n"

        corpus.write_lines(path, lines())
    return n_links


def _merged_lines(
    papers: Sequence[Paper],
    todo: Sequence[Paper],
    read_old: Callable[[], Iterator[tuple[str, str]]] | None,
    before: Mapping[str, bytes],
    *,
    jobs: int,
    ner: Path | None,
    progress: Reporter | None,
) -> Iterator[str]:
    from kg.extraction import extract_lines

    n_reused = len(papers) - len(todo)
    note = f"{jobs} job{'s' if jobs > 1 else ''}" + (f", {n_reused:,} reused" if n_reused else "")
    old = read_old() if read_old is not None and n_reused else iter(())
    with step(progress, "extract", total=len(todo), unit="papers") as advance:
        new = extract_lines(todo, jobs=jobs, ner=ner) if todo else iter(())
        for paper in papers:
            if before.get(paper.id) != text_key(paper):
                yield next(new) + "\n"
                advance(note=note)
                continue
            yield next(line for pid, line in old if pid == paper.id)  # both sorted by id


def _sorted_ids(read: Callable[[], Iterator[tuple[str, str]]]) -> set[str] | None:
    """The paper ids of an extractions file, or None unless they are sorted (as kg writes them)."""
    ids = [pid for pid, _ in read()]
    return set(ids) if ids == sorted(set(ids)) else None


def _old_lines(path: Path) -> Callable[[], Iterator[tuple[str, str]]]:
    """A reader of (paper id, line) of an earlier build's extractions file: its lines as they
    are where the folder's manifest vouches for the file (kg wrote it, unchanged since: an
    update copies 100,000 lines in ~2 s), else each line made again from its Extraction, which
    checks every field of a file someone has edited."""
    if _vouched(path):
        return lambda: corpus.extraction_lines_by_id(path)
    return lambda: (
        (e.paper_id, corpus.dumps(e.to_json()) + "\n")
        for e in corpus.iter_extractions(path, in_build=True)
    )


def _vouched(path: Path) -> bool:
    """The build folder's manifest names `path` with the SHA-256 it has now."""
    import json

    try:
        manifest = json.loads(read_meta(path.parent / MANIFEST) or "null")
        want = manifest["files"][path.name]
        return isinstance(want, str) and _sha256(path) == want
    except (ValueError, KeyError, TypeError, OSError, BuildDirError):
        return False  # read the slow way, which says what is wrong


def text_key(paper: Paper) -> bytes:
    """A digest of what extraction reads, to tell an unchanged paper."""
    import hashlib

    text = f"{paper.title}\0{paper.abstract}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


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


def load_graph(out: Path, *, progress: Reporter | None = None) -> GraphData:
    """The graph rows of a build folder, rebuilt from its source of truth (the extractions are
    read from the file, twice, never all held)."""
    settle(out)
    papers = load_papers(out)
    return _graph_from(papers, out / corpus.EXTRACTIONS, progress, corrections=out)


def load_papers(out: Path) -> list[Paper]:
    """Papers of a build folder."""
    settle(out)
    if not (out / corpus.PAPERS).exists():
        raise BuildDirError(
            f"{out}: not a kg build folder (no {corpus.PAPERS}); run 'kg build INPUT... -o {out}'"
        )
    return corpus.read_papers(out / corpus.PAPERS, in_build=True)


def _graph_from(
    papers: Sequence[Paper],
    path: Path,
    progress: Reporter | None,
    *,
    corrections: Path | None,
    redirect: dict[str, str] | None = None,
) -> GraphData:
    """graph_data over an extractions file, with the corrections.toml of the build folder
    `corrections` applied (kg.corrections); progress counts records read in every pass.
    `redirect`: the acronym joins (`_redirect`), where there are no corrections."""
    with step(progress, "graph", total=2 * len(papers), unit="records") as advance:

        def records() -> Iterator[Extraction]:
            for ext in corpus.iter_extractions(path, in_build=True):
                advance()
                yield ext

        if redirect is not None:
            advance(len(papers))  # the first pass, made by _redirect
            return graph_data(papers, corpus.Reread(records), redirect=redirect)
        return corrected_graph(papers, corpus.Reread(records), corrections)


def _redirect(papers: Sequence[Paper], path: Path, folder: Path) -> dict[str, str] | None:
    """The acronym joins of an extractions file (kg.graph.acronym_targets), read as plain JSON
    once for the graph and the atlas, which would each read every entity for them; None where
    `folder` has corrections, which can change them (the graph then reads them itself)."""
    from kg.graph import acronym_targets

    if load_corrections(folder).items:
        return None
    return acronym_targets(corpus.entity_aliases(path, {p.id for p in papers}))


def build(
    inputs: Sequence[Path],
    out: Path,
    *,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    update: bool = False,
    views: bool = True,
    progress: Reporter | None = None,
    jobs: int | None = 1,
    wait: float = LOCK_WAIT_S,
    ner: Path | None = None,
    force: bool = False,
) -> BuildSummary:
    """Read INPUTS, extract, and write the build folder OUT (papers, extractions, database, views).

    Another build of OUT runs first if it holds the folder's lock; this one waits up to `wait`
    seconds for it, so concurrent updates apply one after the other. A folder that holds other
    files than a kg build's is refused unless `force`. `progress` hears each step (kg.progress).
    """
    from kg.readers import read_papers

    check_out_dir(out, force=force)
    load_corrections(out)  # a malformed corrections.toml stops the build before any work
    result = read_papers(inputs, fmt=fmt, columns=columns, strict=strict, progress=progress)
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
    extractor = extractor_fingerprint(ner=ner)
    with dir_lock(out, wait=wait):
        recover(out)
        old_papers: list[Paper] = []
        reuse: Path | None = None
        if is_kg_build(out):  # never read a forced folder's own papers.jsonl as kg's
            old_papers = load_papers(out)
            reuse = out / corpus.EXTRACTIONS if _built_with(out) == extractor else None
        before = {p.id: text_key(p) for p in old_papers} if reuse else {}
        papers = merge_papers(old_papers if update else [], result.papers)
        del old_papers
        lines, n_extracted = extraction_lines(
            papers, reuse=reuse, before=before, jobs=jobs, ner=ner, progress=progress
        )
        written = write_build(
            out, papers, lines, views=views, extractor=extractor, progress=progress
        )
    return BuildSummary(
        out,
        len(papers),
        written.n_concepts,
        written.n_links,
        n_extracted,
        result,
        written.files,
    )


@dataclass(frozen=True, slots=True)
class Written:
    """What write_build put in a build folder."""

    files: tuple[str, ...]
    n_concepts: int
    n_links: int


def write_build(
    out: Path,
    papers: Sequence[Paper],
    extraction_lines: Iterable[str],
    *,
    views: bool = True,
    view_options: Mapping[str, int] | None = None,
    extractor: str | None = None,
    progress: Reporter | None = None,
) -> Written:
    """Write every output into a staging folder, then move them into OUT, the manifest last.

    The extractions are written as their lines come (in the papers' order); the graph,
    database and views are then made from the files in the staging folder.
    """
    with dir_lock(out, wait=LOCK_WAIT_S):
        recover(out)
        staging: Path | None = None
        try:
            staging = make_staging(out)
            corpus.write_papers(staging / corpus.PAPERS, papers)
            corpus.write_lines(staging / corpus.EXTRACTIONS, extraction_lines)
            release_memory()
            redirect = _redirect(papers, staging / corpus.EXTRACTIONS, out)
            data = _graph_from(
                papers,
                staging / corpus.EXTRACTIONS,
                progress,
                corrections=out,
                redirect=redirect,
            )
            release_memory()
            n_rows = sum(map(len, (data.papers, data.concepts, data.mentions, data.co_occurs)))
            with step(progress, "database", total=n_rows, unit="rows") as advance:
                if not _update_database(out, staging, data, on_batch=lambda _, n: advance(n)):
                    _write_database(staging / GRAPH_DB, data, on_batch=lambda _, n: advance(n))
            release_memory()
            if views:
                with step(progress, "views", total=4, unit="views") as advance:
                    options = view_options or {}
                    advance(len(_write_views(staging, data, redirect=redirect, **options)))
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
    return Written((*names, MANIFEST), len(data.concepts), len(data.mentions))


def release_memory() -> None:
    """Hand memory freed by a finished step back to the system (glibc keeps it otherwise), so the
    next step does not start from the last one's peak: after the database load, about 110 MB of
    the engine's freed memory on 10k papers. Does nothing where the C library has no malloc_trim.
    """
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (macOS, musl)
        return
    trim(0)


def _write_database(
    path: Path, data: GraphData, *, on_batch: Callable[[str, int], None] | None = None
) -> None:
    from kg.stores.ladybug_store import LadybugStore

    store = LadybugStore.open(path)
    try:
        store.write(data, on_batch=on_batch)
    finally:
        store.close()


def _update_database(
    out: Path, staging: Path, data: GraphData, *, on_batch: Callable[[str, int], None]
) -> bool:
    """Write the staging folder's database as a copy of OUT's with only the changed rows
    written (kg.stores.ladybug_update), when OUT's database is the one its last build wrote:
    older than the manifest written after it (`kg query --write` would have made it newer) and
    with no write-ahead log beside it. False, with no database in the staging folder, where a
    whole load must be made instead; the rows come out the same either way.
    """
    from kg.stores.ladybug_update import update_rows

    if not _untouched_database(out):
        return False
    target = staging / GRAPH_DB
    try:
        shutil.copyfile(out / GRAPH_DB, target, follow_symlinks=False)
        if _untouched_database(out) and update_rows(target, data, on_batch=on_batch):
            return True
    except (OSError, RuntimeError) as err:  # a whole load follows, and reports what fails
        log.info("incremental database update failed (%s); loading whole", err)
    for path in (target, *(staging / side for side in GRAPH_SIDE_FILES)):
        path.unlink(missing_ok=True)
    return False


def _untouched_database(out: Path) -> bool:
    """OUT's graph.lbug is a regular file older than the manifest that names its build
    (a build moves the database in before the manifest), with no side files."""
    import stat

    try:
        graph = os.lstat(out / GRAPH_DB)
        manifest = os.lstat(out / MANIFEST)
    except OSError:
        return False
    if any(os.path.lexists(out / side) for side in GRAPH_SIDE_FILES):
        return False
    regular = stat.S_ISREG(graph.st_mode) and stat.S_ISREG(manifest.st_mode)
    return regular and graph.st_mtime_ns < manifest.st_mtime_ns and is_kg_build(out)


def _sha256(path: Path) -> str:
    """The SHA-256 of a regular file of a build or staging folder (a link is refused)."""
    import hashlib

    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_views(
    folder: Path, data: GraphData, *, redirect: dict[str, str] | None = None, **options: int
) -> list[Path]:
    """The views, from the staging folder's files; the index also links the focus and query
    pages already in OUT (the staging folder's parent)."""
    from viz.graphview import GraphView
    from viz.html import MAX_NODES, MIN_WEIGHT, render_views

    path = folder / corpus.EXTRACTIONS
    return render_views(
        GraphView.of(data),
        folder,
        max_nodes=options.get("max_nodes", MAX_NODES),
        min_weight=options.get("min_weight", MIN_WEIGHT),
        extractions=corrected_reader(
            data.papers, lambda: corpus.iter_extractions(path, in_build=True), folder.parent
        ),
        pages_in=folder.parent,
        redirect=redirect,
    )


def rewrite(out: Path, *, progress: Reporter | None = None, **view_options: int) -> tuple[str, ...]:
    """Write a build folder's database, views and manifest again from its JSONL source of truth
    (e.g. with other view caps), under the folder's lock like a build."""
    with dir_lock(out, wait=LOCK_WAIT_S):
        recover(out)
        papers = load_papers(out)
        lines = (
            corpus.dumps(ext.to_json()) + "\n"
            for ext in corpus.iter_extractions(out / corpus.EXTRACTIONS, in_build=True)
        )
        written = write_build(
            out,
            papers,
            lines,
            view_options=view_options,
            extractor=_built_with(out),
            progress=progress,
        )
        return written.files


def _manifest(
    folder: Path, names: Sequence[str], data: GraphData, extractor: str
) -> dict[str, object]:
    def sha256(path: Path) -> str:
        return "" if path.is_dir() else _sha256(path)

    return {
        "kg_version": __import__("kg").__version__,
        "extractor": extractor,
        "papers": len(data.papers),
        "concepts": len(data.concepts),
        "mentions": len(data.mentions),
        "co_occurs": len(data.co_occurs),
        "files": {name: sha256(folder / name) for name in names if name != GRAPH_DB},
    }
