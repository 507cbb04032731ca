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
COARSE = {"Model": "Method", "Benchmark": "Dataset"}


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


def _keys(entities: list[dict[str, Any]], typed: str) -> set[tuple[str, str]]:
    from kg.model import concept_key

    out = set()
    for e in entities:
        t = {"typed": e["type"], "coarse": COARSE.get(e["type"], e["type"]), "untyped": ""}[typed]
        out.add((concept_key(e["name"]), t))
    return out


def agree(first: Path, second: Path) -> None:
    """Paper-level F1 of the second pass against the first (matching by canonical name or alias)."""
    gold = {r["id"]: r for r in read_jsonl(first)}
    pairs = [(gold[a["id"]], a) for a in read_jsonl(second) if a["id"] in gold]
    for typed in ("typed", "coarse", "untyped"):
        tp = n1 = n2 = 0
        for g, a in pairs:
            k1, k2 = _keys(g["entities"], typed), _keys(a["entities"], typed)
            # an alias of the first pass also matches
            alias = {
                (_alias_key(s), t)
                for e in g["entities"]
                for s in e.get("aliases", [])
                for (_, t) in _keys([e], typed)
            }
            tp += len({k for k in k2 if k in k1 or k in alias})
            n1 += len(k1)
            n2 += len(k2)
        p, r = tp / max(n2, 1), tp / max(n1, 1)
        f = 2 * p * r / max(p + r, 1e-9)
        print(
            f"{typed:8s} papers={len(pairs)} first={n1} second={n2} P={p:.3f} R={r:.3f} F1={f:.3f}"
        )


def _alias_key(s: str) -> str:
    from kg.model import concept_key

    return concept_key(s)


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
