"""Extraction in a child process, so the build's own process never loads spaCy.

A build's later steps (graph, database, views) run in the process that read the papers. Had it
loaded spaCy and the pipeline to extract, it would keep them to its end: Python frees no module,
and the pipeline's memory is scattered through the heap. On 10,000 papers that was ~130 MB
under every later step, and ~310 MB more where PyTorch is installed (thinc imports it with spaCy,
although kg's pipeline never uses it). So on Linux the extraction runs in a child forked from
the build's process (it inherits the papers, nothing is pickled to it): it builds the pipeline,
forks its `--jobs` workers (extract.pipeline.extract_lines) and sends the lines back in input
order; when it ends, all of that memory goes back to the system. Where fork is not available,
extraction runs in this process as before.

The child and its workers end when their parent ends, however it ends (Linux's parent-death
signal), so a killed build leaves no extraction running.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model import Paper

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

BATCH = 64  # lines per message from the child: few messages, little held
_PR_SET_PDEATHSIG = 1


def extract_lines(
    papers: Sequence[Paper], *, jobs: int = 1, ner: Path | None = None, spans: str = "names"
) -> Iterator[str]:
    """extract.pipeline.extract_lines (each paper's extraction as one JSON line, in input
    order), run in a child process where fork is available."""
    from extract.pipeline import check_model
    from extract.pipeline import extract_lines as lines_here

    if ner is not None:
        check_model(ner)  # its KGError is raised here, in the caller's process
    if "fork" not in multiprocessing.get_all_start_methods() or not papers:
        yield from lines_here(papers, jobs=jobs, ner=ner, spans=spans)
        return
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_serve, args=(papers, jobs, ner, spans, send, os.getpid())
    )  # not a daemon: a daemon may not start the pool's workers
    done = False
    try:
        child.start()
        send.close()  # the child's end: EOF here once the child has gone
        while True:
            try:
                message = receive.recv()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the extraction process ended early (exit code {child.exitcode})"
                ) from None
            if isinstance(message, BaseException):
                raise message
            if message is None:
                done = True
                break
            yield from message
    finally:
        send.close()
        receive.close()
        if child.pid is not None:  # started
            child.join(timeout=10 if done else 0)  # after its last line it only exits
            if child.is_alive():
                child.kill()
                child.join()


def _serve(
    papers: Sequence[Paper],
    jobs: int,
    ner: Path | None,
    spans: str,
    send: Connection,
    parent: int,
) -> None:
    """The child's side: extract and send the lines in batches, then None (or the error)."""
    from extract.pipeline import extract_lines as lines_here

    gc.freeze()  # the collector leaves the parent's objects (the papers) alone: pages stay shared
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with(parent)
    me = os.getpid()
    os.register_at_fork(after_in_child=lambda: _die_with(me))  # the pool's workers
    os.register_at_fork(before=gc.freeze)  # and the pipeline's, built before the pool starts
    if ner is None:  # the rules pipeline needs no PyTorch: keep thinc from importing it
        sys.modules.setdefault("torch", None)  # type: ignore[arg-type]  # import raises ImportError
    try:
        batch: list[str] = []
        for line in lines_here(papers, jobs=jobs, ner=ner, spans=spans):
            batch.append(line)
            if len(batch) == BATCH:
                send.send(batch)
                batch = []
        send.send(batch)
        send.send(None)
    except Exception as err:  # the parent raises it (or says what it was)
        try:
            send.send(err)
        except Exception:  # not picklable
            send.send(RuntimeError(f"extraction failed: {type(err).__name__}: {err}"))
    finally:
        send.close()


def _die_with(parent: int) -> None:
    """End this process when `parent` ends, however it ends (Linux: the kernel's parent-death
    signal); it exits at once if the parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
