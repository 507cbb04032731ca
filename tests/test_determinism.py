"""The same input gives the same bytes: across hash seeds, input order, --jobs, and rebuilds.

Every build runs `kg build` in a fresh process. papers.jsonl, extractions.jsonl, manifest.json and
the HTML views must be byte-identical; graph.lbug is not (LadybugDB writes differ from run to run),
so its rows are compared instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kg.stores.ladybug_store import LadybugStore

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = (
    "papers.jsonl",
    "extractions.jsonl",
    "manifest.json",
    "index.html",
    "papers.html",
    "concepts.html",
    "atlas.html",
)
MODELS = ("BERT", "ResNet", "T5", "GPT-2", "Llama 2", "ViT", "CLIP", "Whisper", "RoBERTa")
DATA = ("GLUE", "ImageNet", "SQuAD", "MMLU", "COCO", "CIFAR-10", "LibriSpeech")
# name: (PYTHONHASHSEED, input order, extra arguments)
VARIANTS = {
    "seed-0": ("0", ("a", "b"), ()),
    "seed-1": ("1", ("a", "b"), ()),
    "seed-random": ("random", ("a", "b"), ()),
    "inputs-reversed": ("random", ("b", "a"), ()),
    "jobs-2": ("random", ("a", "b"), ("--jobs", "2")),
}
GRAPH_QUERIES = (
    "MATCH (p:Paper) RETURN p ORDER BY p.id",
    "MATCH (c:Concept) RETURN c ORDER BY c.name",
    "MATCH (p:Paper)-[m:MENTIONS]->(c:Concept) RETURN p.id, c.name, m.role, m.count "
    "ORDER BY p.id, c.name",
    "MATCH (a:Concept)-[e:CO_OCCURS]->(b:Concept) RETURN a.name, b.name, e.weight "
    "ORDER BY a.name, b.name",
)


def rows(prefix: str, start: int, n: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"2402.{i:05d}",
            "title": f"{MODELS[i % 9]} meets {DATA[i % 7]}: study {prefix}{i}",
            "abstract": f"We propose Method{i}, built on {MODELS[i % 9]} and {MODELS[(i + 3) % 9]}. "
            f"It improves F1 on {DATA[i % 7]} and {DATA[(i + 2) % 7]}.",
            "year": 2020 + i % 5,
            "authors": [f"Author {i}", f"Author {i + 1}"],
        }
        for i in range(start, start + n)
    ]


def write_jsonl(path: Path, data: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    return path


def run_build(out: Path, inputs: list[Path], seed: str, extra: tuple[str, ...]) -> None:
    env = {
        **os.environ,
        "PYTHONHASHSEED": seed,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    args = ["build", *map(str, inputs), "-o", str(out), *extra]
    done = subprocess.run(
        [sys.executable, "-m", "kg", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One build folder per variant, from two files that share one paper (other year, longer
    abstract in b), 70 papers in all so --jobs 2 really splits the work."""
    folder = tmp_path_factory.mktemp("determinism")
    shared = rows("a", 0, 1)[0]
    files = {
        "a": write_jsonl(folder / "a.jsonl", rows("a", 0, 36)),
        "b": write_jsonl(
            folder / "b.jsonl",
            [
                *rows("b", 36, 34),
                {**shared, "year": 1999, "abstract": f"{shared['abstract']} More."},
            ],
        ),
    }

    def run(name: str) -> tuple[str, Path]:
        seed, order, extra = VARIANTS[name]
        run_build(folder / name, [files[key] for key in order], seed, extra)
        return name, folder / name

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(run, VARIANTS))


def graph_rows(out: Path) -> list[object]:
    with LadybugStore.open(out / "graph.lbug", read_only=True) as store:
        return [store.run(query).rows for query in GRAPH_QUERIES]


@pytest.mark.parametrize("name", [n for n in VARIANTS if n != "seed-0"])
@pytest.mark.parametrize("output", OUTPUTS)
def test_build_output_is_byte_identical(builds: dict[str, Path], name: str, output: str) -> None:
    assert (builds[name] / output).read_bytes() == (builds["seed-0"] / output).read_bytes()


@pytest.mark.parametrize("name", [n for n in VARIANTS if n != "seed-0"])
def test_build_graph_database_holds_identical_rows(builds: dict[str, Path], name: str) -> None:
    assert graph_rows(builds[name]) == graph_rows(builds["seed-0"])


def test_build_graph_database_is_not_empty(builds: dict[str, Path]) -> None:
    papers, concepts, mentions, co_occurs = graph_rows(builds["seed-0"])
    assert (len(papers), len(concepts) > 10, len(mentions) > 70, len(co_occurs) > 10) == (
        70,
        True,
        True,
        True,
    )


def test_build_again_over_itself_gives_the_same_bytes(
    builds: dict[str, Path], tmp_path: Path
) -> None:
    before = {name: (builds["seed-1"] / name).read_bytes() for name in OUTPUTS}
    inputs = [builds["seed-1"].parent / "a.jsonl", builds["seed-1"].parent / "b.jsonl"]
    run_build(builds["seed-1"], inputs, "random", ())
    assert {name: (builds["seed-1"] / name).read_bytes() for name in OUTPUTS} == before
