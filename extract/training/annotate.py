"""Tools for hand annotation of recent papers by ../shared/ANNOTATION.md (not shipped in the wheel).

The annotation itself is done by a person reading one paper at a time; this script only picks the papers,
checks what the annotator wrote and computes mention offsets from the surface forms they copied.

    # 1. pick the papers (fixed rule: recent_abstracts sorted by sha256 of the arXiv id) and cut batches
    python extract/training/annotate.py select ../shared/data/recent_abstracts/papers.jsonl OUTDIR --n 400 --batch 100
    # 2. an annotator writes OUTDIR/batch_K.ann.jsonl, one line per paper:
    #    {"id": "...", "entities": [{"name": "...", "aliases": [...], "type": "Method", "role": "used",
    #                                "surface": ["exact text as written", ...]}]}
    python extract/training/annotate.py check OUTDIR/batch_1.jsonl OUTDIR/batch_1.ann.jsonl
    # 3. join the batches into the gold files (offsets computed here), dev = the first --dev papers
    python extract/training/annotate.py finalize OUTDIR extract/eval/recent --dev 150
    # 4. agreement of an independent second pass with the first
    python extract/training/annotate.py agree extract/eval/recent/dev.jsonl OUTDIR/second_pass.ann.jsonl

A surface form matches where it occurs in the title or abstract as a whole word (case-sensitive; no
letter or digit right before or after it); every occurrence becomes a mention.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TYPES = ("Method", "Model", "Dataset", "Benchmark", "Task", "Metric")
ROLES = ("proposed", "used", "mentioned")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def order_key(paper_id: str) -> str:
    return hashlib.sha256(paper_id.encode()).hexdigest()


def select(source: Path, out: Path, n: int, batch: int) -> None:
    papers = sorted(read_jsonl(source), key=lambda p: order_key(p["id"]))[:n]
    out.mkdir(parents=True, exist_ok=True)
    for k in range(0, n, batch):
        rows = [
            {"id": p["id"], "title": p["title"], "abstract": p["abstract"], "date": p.get("date")}
            for p in papers[k : k + batch]
        ]
        write_jsonl(out / f"batch_{k // batch + 1}.jsonl", rows)
    print(f"{n} papers in {(n + batch - 1) // batch} batches under {out}")


def find_all(text: str, surface: str) -> list[tuple[int, int]]:
    pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(surface) + r"(?![A-Za-z0-9])")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def mentions_of(paper: dict[str, Any], surfaces: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for field in ("title", "abstract"):
        text = paper[field] or ""
        for surface in surfaces:
            for start, end in find_all(text, surface):
                found.append({"field": field, "start": start, "end": end, "text": surface})
    # a shorter surface inside a longer one of the same entity is not a mention of its own
    found.sort(key=lambda m: (m["field"], m["start"], -(m["end"] - m["start"])))
    kept: list[dict[str, Any]] = []
    for m in found:
        if any(
            k["field"] == m["field"] and k["start"] <= m["start"] and m["end"] <= k["end"]
            for k in kept
        ):
            continue
        kept.append(m)
    return kept


def check_paper(paper: dict[str, Any], ann: dict[str, Any]) -> list[str]:
    problems = []
    names: set[str] = set()
    for i, e in enumerate(ann.get("entities", [])):
        where = f"{ann['id']} entity {i} ({e.get('name')!r})"
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            problems.append(f"{where}: no name")
        if e.get("type") not in TYPES:
            problems.append(f"{where}: type {e.get('type')!r} is not one of {TYPES}")
        if e.get("role") not in ROLES:
            problems.append(f"{where}: role {e.get('role')!r} is not one of {ROLES}")
        if not isinstance(e.get("aliases", []), list):
            problems.append(f"{where}: aliases must be a list")
        surfaces = e.get("surface")
        if not isinstance(surfaces, list) or not surfaces:
            problems.append(f"{where}: 'surface' must list the exact text as written")
            continue
        for s in surfaces:
            if not find_all(paper["title"] or "", s) and not find_all(paper["abstract"] or "", s):
                problems.append(f"{where}: surface {s!r} does not occur as written")
        key = str(e.get("name", "")).casefold()
        if key in names:
            problems.append(f"{where}: listed twice")
        names.add(key)
    return problems


def check(batch: Path, annotated: Path) -> int:
    papers = {p["id"]: p for p in read_jsonl(batch)}
    problems: list[str] = []
    seen: set[str] = set()
    for line_no, ann in enumerate(read_jsonl(annotated), 1):
        if ann.get("id") not in papers:
            problems.append(f"line {line_no}: id {ann.get('id')!r} is not in {batch.name}")
            continue
        if ann["id"] in seen:
            problems.append(f"line {line_no}: id {ann['id']} annotated twice")
        seen.add(ann["id"])
        problems.extend(check_paper(papers[ann["id"]], ann))
    for p in problems:
        print(p)
    print(f"{len(seen)} of {len(papers)} papers annotated; {len(problems)} problems")
    return 1 if problems else 0


def gold_row(paper: dict[str, Any], ann: dict[str, Any]) -> dict[str, Any]:
    entities = []
    for e in ann["entities"]:
        entities.append(
            {
                "name": e["name"],
                "aliases": list(e.get("aliases", [])),
                "type": e["type"],
                "role": e["role"],
                "mentions": mentions_of(paper, list(e["surface"])),
            }
        )
    return {
        "id": paper["id"],
        "title": paper["title"],
        "abstract": paper["abstract"],
        "date": paper.get("date"),
        "entities": entities,
    }


def finalize(folder: Path, out: Path, dev: int) -> None:
    rows: list[dict[str, Any]] = []
    batches = [p for p in folder.glob("batch_*.jsonl") if not p.name.endswith(".ann.jsonl")]
    for batch in sorted(batches, key=lambda p: int(p.stem.split("_")[1])):
        ann_path = batch.with_suffix(".ann.jsonl")
        anns = {a["id"]: a for a in read_jsonl(ann_path)} if ann_path.exists() else {}
        for paper in read_jsonl(batch):
            if paper["id"] in anns:
                rows.append(gold_row(paper, anns[paper["id"]]))
    out.mkdir(parents=True, exist_ok=True)
    dev_ids = {p["id"] for p in rows[:dev]}
    write_jsonl(out / "dev.jsonl", (r for r in rows if r["id"] in dev_ids))
    write_jsonl(out / "train.jsonl", (r for r in rows if r["id"] not in dev_ids))
    print(f"{len(dev_ids)} dev and {len(rows) - len(dev_ids)} train papers written to {out}")


def agree(first: Path, second: Path) -> None:
    """Paper-level P/R/F1 of the second pass against the first, scored as `kg evaluate` scores.

    The first pass is the gold (its names, aliases and mention texts); each entity of the second
    is a prediction going by its name, aliases and surface forms (kg.scoring, one to one per paper).
    """
    from kg.gold import read_gold
    from kg.model import ConceptType, Entity, Extraction, Role, concept_key
    from kg.scoring import TYPINGS, score

    second_pass = read_jsonl(second)
    ids = {a["id"] for a in second_pass}
    docs = [d for d in read_gold(first) if d.doc_id in ids]
    predictions = [
        Extraction(
            a["id"],
            "",
            tuple(
                Entity(
                    concept_key(e["name"]),
                    e["name"],
                    ConceptType(e["type"]),
                    Role(e["role"]),
                    (),
                    (*e.get("aliases", []), *e.get("surface", [])),
                )
                for e in a["entities"]
            ),
        )
        for a in second_pass
    ]
    report = score(docs, predictions)
    n_first = sum(len(d.concepts) for d in docs)
    n_second = sum(len(p.entities) for p in predictions if p.paper_id in {d.doc_id for d in docs})
    for typing in TYPINGS:
        s = report.paper[typing]["all"]
        print(
            f"{typing:8s} papers={len(docs)} first={n_first} second={n_second} "
            f"P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}"
        )
    if report.roles is not None:
        print(
            f"roles of the {len(report.roles.pairs)} matched concepts: agree {report.roles.accuracy:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("select")
    s.add_argument("source", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("--n", type=int, default=400)
    s.add_argument("--batch", type=int, default=100)
    c = sub.add_parser("check")
    c.add_argument("batch", type=Path)
    c.add_argument("annotated", type=Path)
    f = sub.add_parser("finalize")
    f.add_argument("folder", type=Path)
    f.add_argument("out", type=Path)
    f.add_argument("--dev", type=int, default=150)
    a = sub.add_parser("agree")
    a.add_argument("first", type=Path)
    a.add_argument("second", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "select":
        select(args.source, args.out, args.n, args.batch)
    elif args.cmd == "check":
        return check(args.batch, args.annotated)
    elif args.cmd == "finalize":
        finalize(args.folder, args.out, args.dev)
    else:
        agree(args.first, args.second)
    return 0


if __name__ == "__main__":
    sys.exit(main())
