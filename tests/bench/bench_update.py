"""`kg build --update` on a kept build: seconds and peak memory per step, and whether the result
has the rows of a whole load.

Build the base once (the 100k one takes ~20 minutes of both cores), keep it, and measure on a
copy each time, under the shared lock and `nice` (run by hand from the repository root; pytest
ignores tests/bench):

    nice python tests/bench/bench_scale.py --sizes 100000 --work /tmp/kg-scale   # the base
    flock /tmp/bench.lock nice python tests/bench/bench_update.py \\
        --base /tmp/kg-scale/out-100000 --update /tmp/kg-scale/update.jsonl --check

The copy goes to --work (default /tmp/kg-bench-update). `--same-extractor` marks the copy as made
by today's extractor, so that only the new papers are extracted even where extract/ changed
since the base was built (else every paper is extracted again, as kg does). `--check` then
loads the copy's graph rows whole into a second database and compares every table, sorted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TABLES = {
    "Paper": "MATCH (n:Paper) RETURN n.* ORDER BY n.id",
    "Concept": "MATCH (n:Concept) RETURN n.* ORDER BY n.id",
    "MENTIONS": "MATCH (a)-[r:MENTIONS]->(b) RETURN a.id, b.id, r.role, r.count ORDER BY a.id, b.id",
    "CO_OCCURS": "MATCH (a)-[r:CO_OCCURS]->(b) RETURN a.id, b.id, r.weight ORDER BY a.id, b.id",
}


def same_extractor(folder: Path) -> None:
    """Mark the build as made by today's extractor (its manifest only)."""
    from kg.build import extractor_fingerprint

    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["extractor"] = extractor_fingerprint()
    path.write_text(json.dumps(manifest, sort_keys=True) + "\n", encoding="utf-8")


def check(folder: Path) -> dict[str, bool]:
    """Each table of the folder's database against a whole load of its files."""
    from kg.build import load_graph
    from kg.stores.ladybug_store import LadybugStore

    whole = folder.parent / f"{folder.name}-whole.lbug"
    whole.unlink(missing_ok=True)
    LadybugStore.open(whole).write(load_graph(folder))
    same = {}
    built, fresh = LadybugStore(folder / "graph.lbug", read_only=True), LadybugStore(whole)
    for table, query in TABLES.items():
        same[table] = built.run(query).rows == fresh.run(query).rows
    built.close()
    fresh.close()
    whole.unlink(missing_ok=True)
    return same


def main() -> None:
    from bench_scale import in_child, show_build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--update", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-update"))
    parser.add_argument("--jobs", default="auto")
    parser.add_argument("--same-extractor", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    subprocess.run(["cp", "-a", str(args.base), str(args.work)], check=True)
    for staging in args.work.glob(".kg-staging-*"):
        shutil.rmtree(staging)
    if args.same_extractor:
        same_extractor(args.work)
    load = Path("/proc/loadavg").read_text().split()[:3]
    run = in_child("build", str(args.update), str(args.work), args.jobs, "update")
    show_build(f"--update on a copy of {args.base}", run, None)
    print(f"load average before: {' '.join(load)}; after: "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")  # fmt: skip
    if args.check:
        print("rows equal a whole load:", check(args.work))
    print(json.dumps(run))


if __name__ == "__main__":
    main()
