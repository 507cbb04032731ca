"""The `kg` command line: each command parses, calls one library function, and prints."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from kg.errors import KGError

if TYPE_CHECKING:
    from kg.readers import ReadResult
    from kg.stores import ServerStore
    from viz.graphview import GraphView

app = typer.Typer(
    name="kg",
    help="Build a knowledge graph of methods, models, datasets and benchmarks from ML paper abstracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

InputsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Paper files: HF papers pages (.txt, .html), JSONL/JSON, CSV/TSV, arXiv Atom, "
        "arXiv snapshot, BibTeX, RIS, Semantic Scholar or OpenAlex JSON; .gz too."
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Force the input format: hf, hf-html, jsonl, json, csv, tsv, atom, arxiv, bibtex, "
        "ris, s2, openalex.",
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns", help="Map fields to columns/keys, e.g. 'title=Document Title,abstract=AB'."
    ),
]
NerOpt = Annotated[
    bool,
    typer.Option(
        "--ner",
        help="Also run the trained statistical model shipped in extract/data/ner (slower; see README).",
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Extract in this many processes (default: every usable core when over 256 "
        "papers are to be extracted, else 1).",
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bars and no step times (warnings still show)."),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Stop at the first bad record (exit 2) instead of skipping it."),
]
UserOpt = Annotated[
    str | None,
    typer.Option("--user", envvar=["NEO4J_USER", "NEO4J_USERNAME"], help="Neo4j user."),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="NEO4J_PASSWORD",
        show_default=False,
        help="Neo4j password (better: set NEO4J_PASSWORD; it is never printed).",
    ),
]
DatabaseOpt = Annotated[
    str | None, typer.Option("--database", envvar="NEO4J_DATABASE", help="Neo4j database.")
]
SpansOpt = Annotated[
    str,
    typer.Option(
        "--spans",
        help="names: the graph's extraction (named things); all: every span the model finds, "
        "as SciERC-style gold annotates generic phrases too (with --ner).",
    ),
]
MAX_WARNINGS = 20
P = ParamSpec("P")
R = TypeVar("R")


class _EchoWarnings(logging.Handler):
    """kg's logged warnings as one `warning: …` line each on stderr (the library never prints)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"warning: {record.getMessage()}", err=True)


def _show_warnings() -> None:
    for name in ("kg", "extract", "viz"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _EchoWarnings) for h in logger.handlers):
            handler = _EchoWarnings(logging.WARNING)
            logger.addHandler(handler)
            logger.propagate = False


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a KGError into one line on stderr and its exit code (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _show_warnings()
        try:
            return command(*args, **kwargs)
        except KGError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(getattr(err, "exit_code", 1)) from None

    return wrapper


def _columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise KGError(
                f"--columns {text!r}: expected FIELD=COLUMN pairs separated by commas, "
                "e.g. 'title=Document Title,abstract=Abstract'"
            )
        mapping[key.strip().lower()] = value.strip()
    return mapping


def _ner_dir(ner: bool) -> Path | None:
    """The packaged model folder when --ner is given (the pipeline checks that it is there)."""
    if not ner:
        return None
    from extract.pipeline import NER_DIR

    return NER_DIR


def _inputs(inputs: list[Path] | None, *, sample: bool) -> list[Path]:
    """The input files; with --sample, an input named like a sample ("recent") that is no
    file picks that sample instead of the default one."""
    from kg.build import SAMPLES, sample_inputs

    paths = list(inputs or [])
    if sample:
        names = [p for p in paths if str(p) in SAMPLES and not p.exists()]
        paths = [p for p in paths if p not in names]
        for name in names or [Path(SAMPLES[0])]:
            paths += sample_inputs(str(name))
    if not paths:
        raise KGError("no input files; name some (kg build papers.jsonl -o DIR) or pass --sample")
    return paths


def _report_skipped(result: ReadResult) -> None:
    for skipped in result.skipped[:MAX_WARNINGS]:
        typer.echo(f"warning: {skipped.message()}", err=True)
    if len(result.skipped) > MAX_WARNINGS:
        typer.echo(
            f"warning: … and {len(result.skipped) - MAX_WARNINGS} more skipped records", err=True
        )


@app.command()
@_reports_errors
def extract(
    inputs: InputsArg = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output JSON Lines file.")] = Path(
        "extractions.jsonl"
    ),
    fmt: FormatOpt = None,
    columns: ColumnsOpt = None,
    strict: StrictOpt = False,
    sample: Annotated[
        bool,
        typer.Option(
            "--sample",
            help="Read the bundled sample corpus ('--sample recent': 2,000 dated papers).",
        ),
    ] = False,
    jobs: JobsOpt = None,
    ner: NerOpt = False,
    spans: SpansOpt = "names",
    quiet: QuietOpt = False,
) -> None:
    """Extract concepts from INPUTS and write one JSON line per paper to OUT."""
    if spans not in ("names", "all"):
        raise KGError(f"--spans {spans!r}: use 'names' or 'all'")
    from kg.build import extract_to_file
    from kg.progress_view import ProgressView
    from kg.readers import read_papers

    with ProgressView(quiet=quiet) as view:
        result = read_papers(
            _inputs(inputs, sample=sample),
            fmt=fmt,
            columns=_columns(columns),
            strict=strict,
            progress=view,
        )
        _report_skipped(result)
        n_entities = extract_to_file(
            result.papers, out, jobs=jobs, ner=_ner_dir(ner), spans=spans, progress=view
        )
    typer.echo(f"{len(result.papers)} papers, {n_entities} concept links -> {out}")


@app.command()
@_reports_errors
def build(
    inputs: InputsArg = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Build folder.")] = Path("kg-out"),
    fmt: FormatOpt = None,
    columns: ColumnsOpt = None,
    strict: StrictOpt = False,
    sample: Annotated[
        bool,
        typer.Option(
            "--sample",
            help="Add the bundled sample corpus ('--sample recent': 2,000 dated papers).",
        ),
    ] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update", help="Add to the papers already in OUT instead of replacing them."
        ),
    ] = False,
    views: Annotated[bool, typer.Option("--views/--no-views", help="Write the HTML views.")] = True,
    jobs: JobsOpt = None,
    ner: NerOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Build into OUT even if it holds other files than a kg build's "
            "(kg's own file names there are replaced).",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Extract concepts from INPUTS and build the graph, its database and its views in OUT.

    Each step (read, extract, graph, database, views) shows a progress bar on a terminal and
    ends with one line giving its count and time (off a terminal, on stdout once the build has
    succeeded); --quiet leaves out both.
    """
    from kg.build import build as run_build
    from kg.progress_view import ProgressView

    with ProgressView(quiet=quiet) as view:
        summary = run_build(
            _inputs(inputs, sample=sample),
            out,
            fmt=fmt,
            columns=_columns(columns),
            strict=strict,
            update=update,
            views=views,
            jobs=jobs,
            ner=_ner_dir(ner),
            force=force,
            progress=view,
        )
    _report_skipped(summary.read)
    read = summary.read
    typer.echo(read.summary())
    typer.echo(
        f"{summary.n_papers} papers, {summary.n_concepts} concepts, {summary.n_links} paper-concept "
        f"links ({summary.n_extracted} papers extracted) -> {out}"
    )
    for name in summary.files:
        typer.echo(f"  {out / name}")


@app.command()
@_reports_errors
def stats(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    top: Annotated[int, typer.Option("--top", help="How many top concepts per type.")] = 10,
) -> None:
    """Print counts per type and the top concepts of a build."""
    from kg.build import load_graph
    from kg.stats import format_stats

    typer.echo(format_stats(load_graph(folder), top=top))


@app.command()
@_reports_errors
def query(
    folder: Annotated[
        Path | None, typer.Argument(help="A build folder made by 'kg build'.")
    ] = None,
    cypher: Annotated[
        str | None, typer.Argument(help="A Cypher query (read-only unless --write).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Run a named query from cypher/.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A $parameter, as name=value (repeatable)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of row objects.")
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Allow a query that changes the graph.")
    ] = False,
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds before the query is stopped.")
    ] = 60.0,
    memory: Annotated[
        int, typer.Option("--memory", help="MiB of memory the database engine may use.")
    ] = 1024,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Most rows a query may return.")
    ] = 100_000,
    uri: Annotated[
        str | None,
        typer.Option("--uri", help="Query a server instead: bolt://, neo4j://, falkor://…"),
    ] = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Run a Cypher query (or a named one) on a build's embedded graph database, or a server.

    The query runs in a separate, bounded process: only reading unless --write (never files,
    extensions or settings), within --timeout, --memory and --max-rows; Ctrl-C stops it (exit 130).
    """
    from kg import query as q

    if list_queries:
        for named in q.list_queries():
            params = ", ".join(f"{p} ({d})" for p, d in named.params) or "none"
            typer.echo(f"{named.name}: {named.description}  params: {params}")
        return
    if uri and cypher is None and folder is not None:  # with --uri the one argument is the query
        folder, cypher = None, str(folder)
    if (folder is None) == (uri is None) or (cypher is None) == (name is None):
        raise KGError(
            "give a build folder (or --uri URL) and either a Cypher query or --name NAME "
            "(see 'kg query --list')"
        )
    to_run: str | q.NamedQuery = q.load_query(name) if name else str(cypher)
    values = dict(q.parse_param(p) for p in param or [])
    if folder is not None and uri is None and name:
        values = _resolve_papers(folder, values)
    from kg.build import open_built_store
    from kg.sandbox import Limits

    limits = Limits(timeout_s=timeout, memory_mb=memory, max_rows=max_rows)
    store = (
        _open_server(uri, user, password, database, read_only=not write, timeout_s=timeout)
        if uri
        else open_built_store(folder or Path("."), read_only=not write)
    )
    result = q.run_user_query(store, to_run, values, write=write, limits=limits)
    if folder is not None and uri is None and name and not result.rows:
        _check_concepts(folder, values)
    if as_json:
        typer.echo(q.format_json(result))
    elif as_csv:
        typer.echo(q.format_csv(result), nl=False)
    else:
        typer.echo(q.format_table(result))


def _open_server(
    uri: str,
    user: str | None,
    password: str | None,
    database: str | None,
    *,
    read_only: bool = False,
    timeout_s: float = 60.0,
) -> ServerStore:
    """A server store; the NEO4J_* login applies to Neo4j URLs only (FalkorDB's is in its URL)."""
    from kg.stores import open_server
    from kg.stores.url import server_kind

    if server_kind(uri) != "neo4j":
        user = password = database = None
    return open_server(
        uri,
        read_only=read_only,
        timeout_s=timeout_s,
        user=user,
        password=password,
        database=database,
    )


@app.command()
@_reports_errors
def push(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    uri: Annotated[
        str,
        typer.Option(
            "--uri",
            envvar="NEO4J_URI",
            help="bolt://host:7687, neo4j://…, neo4j+s://… or falkor://host:6379[/graph].",
        ),
    ],
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Delete kg's Paper and Concept nodes on the server first."),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per write transaction.")
    ] = 5000,
) -> None:
    """Push a build's graph to Neo4j or FalkorDB (merged: pushing twice changes nothing)."""
    from kg.build import load_graph

    data = load_graph(folder)
    total = len(data.papers) + len(data.concepts) + len(data.mentions) + len(data.co_occurs)
    store = _open_server(uri, user, password, database)
    try:
        with typer.progressbar(length=total, label="push", file=sys.stderr) as bar:
            counts = store.push(
                data, replace=replace, batch_size=batch_size, on_batch=lambda _, n: bar.update(n)
            )
    finally:
        store.close()
    rate = counts.relationships / counts.seconds if counts.seconds else 0.0
    deleted = f", {counts.deleted} old nodes deleted first" if replace else ""
    typer.echo(
        f"{counts.papers} papers, {counts.concepts} concepts, {counts.mentions} mentions, "
        f"{counts.co_occurs} co-occurrences -> {store.url} in {counts.seconds:.1f} s "
        f"({rate:,.0f} relationships/s{deleted})"
    )


@app.command()
@_reports_errors
def export(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    fmt: Annotated[
        str, typer.Option("--format", help="neo4j-csv, graphml, gexf, json or csv.")
    ] = "graphml",
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Output file (a folder for neo4j-csv and csv)."),
    ] = None,
) -> None:
    """Write a build's graph for Neo4j (neo4j-admin import), Gephi, Cytoscape and others."""
    from kg.build import load_graph
    from kg.export import export as write_export

    suffix = {"neo4j-csv": "-neo4j-csv", "csv": "-csv"}.get(fmt, f".{fmt}")
    for path in write_export(load_graph(folder), fmt, out or Path(f"{folder.name}{suffix}")):
        typer.echo(str(path))


@app.command()
@_reports_errors
def viz(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Where to write (default: FOLDER).")
    ] = None,
    focus: Annotated[
        str | None, typer.Option("--focus", help="Show the neighbourhood of a concept or paper.")
    ] = None,
    depth: Annotated[int, typer.Option("--depth", help="Hops around --focus.")] = 2,
    cypher: Annotated[
        str | None, typer.Option("--query", help="Draw the nodes and paths a Cypher query returns.")
    ] = None,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", help="Cap of the paper–concept view.")
    ] = 300,
    min_weight: Annotated[
        int, typer.Option("--min-weight", help="Weakest co-occurrence link the concept map keeps.")
    ] = 2,
) -> None:
    """Write the HTML views of a build (index, atlas, paper–concept view, concept map)."""
    from kg.build import load_graph
    from viz.graphview import GraphView

    target = out or folder
    target.mkdir(parents=True, exist_ok=True)
    if cypher:
        typer.echo(str(_query_view(folder, cypher, target / "query.html")))
        _refresh_index(folder, target)
        return
    if not focus and target.resolve() == folder.resolve():  # the build's own views: as a build
        from kg.build import rewrite

        for name in rewrite(folder, max_nodes=max_nodes, min_weight=min_weight):
            if name.endswith(".html"):
                typer.echo(str(folder / name))
        return
    G = GraphView.of(load_graph(folder))
    if focus:
        from viz.html import render_focus

        slug = "".join(c if c.isalnum() else "-" for c in focus.lower()).strip("-")[:60] or "focus"
        path = render_focus(G, target / f"focus-{slug}.html", focus=focus, depth=depth)
        typer.echo(str(path))
        _refresh_index(folder, target, G)
        return
    from kg import corpus
    from viz.html import render_views

    path = folder / corpus.EXTRACTIONS
    for page in render_views(
        G,
        target,
        max_nodes=max_nodes,
        min_weight=min_weight,
        extractions=lambda: corpus.iter_extractions(path, in_build=True),
    ):
        typer.echo(str(page))


def _refresh_index(folder: Path, target: Path, G: GraphView | None = None) -> None:
    """A page written into the build folder gets a link on its index page."""
    if target.resolve() != folder.resolve() or not (folder / "index.html").exists():
        return
    from viz.html import refresh_index

    if G is None:
        from kg.build import load_graph
        from viz.graphview import GraphView

        G = GraphView.of(load_graph(folder))
    refresh_index(G, folder)


def _query_view(folder: Path, cypher: str, out: Path) -> Path:
    from kg.build import open_built_store
    from kg.query import run_user_query
    from kg.query_view import rows_to_graph
    from viz.html import render_subgraph

    result = run_user_query(open_built_store(folder), cypher)
    nodes, edges = rows_to_graph(result)
    if not nodes:
        raise KGError(
            "the query returned no nodes or paths to draw; return p for MATCH p=… or nodes"
        )
    return render_subgraph(nodes, edges, out, title=f"Query: {cypher[:80]}")


@app.command()
@_reports_errors
def evaluate(
    gold: Annotated[
        list[Path],
        typer.Argument(help="Gold files: abstract-view JSONL, DyGIE JSON, kg paper JSONL."),
    ],
    pred: Annotated[
        Path | None,
        typer.Option(
            "--pred",
            help="extractions.jsonl (or a build folder) to score; default: run the pipeline.",
        ),
    ] = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Compare kg's six types exactly, not coarse classes.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    roles: Annotated[
        bool,
        typer.Option(
            "--roles",
            help="Report proposed/used/mentioned roles in detail; GOLD must give roles.",
        ),
    ] = False,
    spans: SpansOpt = "names",
    ner: NerOpt = False,
) -> None:
    """Score extraction against annotated data: precision, recall and F1 per type, per level."""
    from kg.corpus import dumps
    from kg.evaluate import (
        format_report,
        format_role_report,
        report_json,
        role_report_json,
        run_evaluate,
    )

    if spans not in ("names", "all"):
        raise KGError(f"--spans {spans!r}: use 'names' or 'all'")
    report = run_evaluate(gold, pred, exact=exact, spans=spans, ner=_ner_dir(ner), roles=roles)
    if roles:
        typer.echo(dumps(role_report_json(report)) if as_json else format_role_report(report))
    else:
        typer.echo(dumps(report_json(report)) if as_json else format_report(report))


@app.command()
@_reports_errors
def explain(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    name: Annotated[str, typer.Argument(help="A concept's name, alias or id.")],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Papers to show evidence from.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Why a concept is in the graph: its type, its aliases and the sentences it was found in.

    For each alias: why it was merged. For each paper (newest first): the sentence, the role
    and what found it (gazetteer entry, pattern, abbreviation, model).
    """
    from kg.corpus import dumps
    from kg.corrections import corrected_corpus
    from kg.explain import explain as run_explain
    from kg.explain import format_explanation

    _, extractions, data = corrected_corpus(folder)  # as the build's graph: corrections applied
    found = run_explain(data, extractions, name, limit=limit)
    typer.echo(dumps(found.to_json()) if as_json else format_explanation(found))


@app.command("search")
@_reports_errors
def search_command(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    text: Annotated[str, typer.Argument(help="Words of a title or abstract, or a concept name.")],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Most hits of each kind.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """Find concepts by name or alias and papers by words in their title or abstract, ranked."""
    from kg.build import load_graph
    from kg.corpus import dumps
    from kg.search import format_hits, search

    concepts, papers = search(load_graph(folder), text, limit=limit)
    if as_json:
        hits = {
            "concepts": [h.to_json() for h in concepts],
            "papers": [h.to_json() for h in papers],
        }
        typer.echo(dumps(hits))
    else:
        typer.echo(format_hits(concepts, papers))


@app.command()
@_reports_errors
def trends(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First month or year of the recent window and of 'new since' (2026, 2026-01, "
            "2026-01-15); default: the last third of the periods.",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="month or year (default: months below three years of dates)."),
    ] = None,
    ctype: Annotated[
        str | None, typer.Option("--type", help="Only concepts of this type (Method, Dataset…).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows per list.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the trends as JSON.")] = False,
) -> None:
    """What is rising, falling and new: papers per month or year for the concepts of a build.

    Rising and falling compare the share of papers naming a concept in the recent window with
    the earlier one (95% sure, at least 5 papers); undated papers are counted apart.
    """
    if by not in (None, "month", "year"):
        raise KGError(f"--by {by!r}: use 'month' or 'year'")
    from kg.model import ConceptType

    if ctype and ctype.lower() not in {str(t).lower() for t in ConceptType}:
        kinds = ", ".join(str(t) for t in ConceptType)
        raise KGError(f"--type {ctype!r}: use one of {kinds}")
    from kg.build import load_graph
    from kg.corpus import dumps
    from kg.trends import trends_of_data
    from kg.trends_text import format_trends

    found = trends_of_data(
        load_graph(folder), by=by, since=since, ctype=ctype, limit=limit, where=str(folder)
    )
    typer.echo(dumps(found.to_json()) if as_json else format_trends(found))


@app.command("open")
@_reports_errors
def open_command(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
) -> None:
    """Open the build's index page (links to every view) in the default browser."""
    from viz.browse import open_index

    path, opened = open_index(folder)
    typer.echo(f"opened {path}" if opened else f"no browser to open it with; open {path}")


def _resolve_papers(folder: Path, values: dict[str, object]) -> dict[str, object]:
    """A named query's paper parameter may be a title or its start: give the query the id."""
    from kg.search import PAPER_PARAMS, resolve_paper_params

    if not any(name in PAPER_PARAMS for name in values):
        return values
    from kg import corpus

    papers = corpus.read_papers(folder / corpus.PAPERS, in_build=True)
    return resolve_paper_params(papers, values)


def _check_concepts(folder: Path, values: dict[str, object]) -> None:
    """After an empty answer: say so if a concept parameter names no concept (did you mean?)."""
    from kg.search import CONCEPT_PARAMS, check_concept_params

    if any(name in CONCEPT_PARAMS for name in values):
        from kg.build import load_graph

        check_concept_params(load_graph(folder).concepts, values)


@app.command()
@_reports_errors
def correct(
    folder: Annotated[Path, typer.Argument(help="A build folder made by 'kg build'.")],
    kind: Annotated[
        str | None, typer.Argument(help="merge, split, retype, reject or add.", show_default=False)
    ] = None,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Concept names (or aliases or ids); add: PAPER NAME.", show_default=False
        ),
    ] = None,
    paper: Annotated[
        str | None, typer.Option("--paper", help="reject: only in this paper (id or title).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--from", help="split: the concept the alias leaves.")
    ] = None,
    ctype: Annotated[str | None, typer.Option("--type", help="add: the concept's type.")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="add: proposed, used or mentioned (default).")
    ] = None,
    listing: Annotated[
        bool, typer.Option("--list", help="Show each correction and what it does.")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Rebuild the graph, database and views now.")
    ] = False,
) -> None:
    """Correct extraction for good: add an entry to FOLDER/corrections.toml, which every build
    of FOLDER applies (delete the entry to undo it).

    kg correct DIR merge "Kaggle MBTI" "MBTI Kaggle"  (the first name is kept);
    kg correct DIR split DPO --from "Direct Preference Optimization";
    kg correct DIR retype SQuAD Benchmark; kg correct DIR reject NAME [--paper PAPER];
    kg correct DIR add PAPER NAME --type Method [--role used]; kg correct DIR --list.
    """
    from kg.corrections import check, from_command, path_of, record

    if kind is None and not (listing or apply):
        raise KGError("say what to correct (merge, split, retype, reject, add), or pass --list")
    if kind is not None:
        correction = record(
            folder,
            from_command(kind, names or [], paper=paper, source=source, type=ctype, role=role),
        )
        typer.echo(f"{path_of(folder)}:{correction.line}: {correction.describe()}")
    if listing:
        report = check(folder)
        typer.echo("\n".join(report.lines()) or f"no corrections in {path_of(folder)}")
    elif kind is not None and not apply:  # (a build warns of every one that changes nothing)
        for outcome in check(folder).outcomes:
            if outcome.correction == correction and outcome.problem:
                typer.echo(f"warning: it changes nothing: {outcome.problem}", err=True)
    if apply:
        from kg.build import rewrite

        for name in rewrite(folder):
            typer.echo(f"  {folder / name}")
    elif kind is not None:
        typer.echo(f"rebuild to apply: kg correct {folder} --apply (or kg build ... -o {folder})")


def main() -> None:
    """Entry point: run the app and report kg's errors in one line."""
    try:
        app()
    except KGError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(getattr(err, "exit_code", 1))
