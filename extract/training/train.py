"""Retrain kg's NER from the shared data, score it, and optionally ship it into extract/data/ner.

Usage (from the repository root; see README.md):
    python extract/training/train.py ../shared/data --ship

Steps: prepare.py converts the data (once, into --corpus); the training mix is assembled from the
SciREX train abstracts, SciERC train (repeated --scierc-weight times) and SciREX full-paper chunks;
`spacy train` runs ner.cfg with SciERC dev for checkpoint selection; score.py scores model-best on
SciERC dev and the SciREX held-out slice. Extra arguments (e.g. --vars.width 96) go to spacy train.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIP_DIR = HERE.parent / "data" / "ner"
EVAL_SETS = ("scierc_dev", "scirex_heldout")


def assemble_mix(corpus: Path, mix: Path, *, scierc_weight: int, use_full: bool) -> None:
    """Fill `mix` with the .spacy files one training epoch reads."""
    shutil.rmtree(mix, ignore_errors=True)
    mix.mkdir(parents=True)
    shutil.copy(corpus / "scirex_train.spacy", mix)
    for i in range(scierc_weight):
        shutil.copy(corpus / "scierc_train.spacy", mix / f"scierc_train_{i}.spacy")
    if use_full:
        shutil.copy(corpus / "scirex_full.spacy", mix)


def run_training(
    corpus: Path, mix: Path, output: Path, overrides: list[str], *, max_minutes: float | None
) -> None:
    """Run `spacy train`; past `max_minutes` stop it and keep the model-best saved so far."""
    cmd = [sys.executable, "-m", "spacy", "train", str(HERE / "ner.cfg")]
    cmd += ["--output", str(output), "--paths.train", str(mix)]
    cmd += ["--paths.dev", str(corpus / "scierc_dev.spacy"), *overrides]
    timeout = max_minutes * 60 if max_minutes else None
    try:
        subprocess.run(cmd, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"stopped after {max_minutes} minutes; scoring model-best", flush=True)


def score(model: Path, corpus: Path) -> dict[str, dict[str, dict[str, float]]]:
    import spacy
    from score import evaluate, read_gold

    nlp = spacy.load(model)
    return {name: evaluate(nlp, read_gold(corpus / f"{name}.jsonl")) for name in EVAL_SETS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (scirex/, scierc/)")
    parser.add_argument("--corpus", type=Path, default=HERE / "build" / "corpus")
    parser.add_argument("--output", type=Path, default=HERE / "build" / "run")
    parser.add_argument("--scierc-weight", type=int, default=2)
    parser.add_argument("--no-full", action="store_true", help="leave out SciREX full papers")
    parser.add_argument("--max-minutes", type=float, help="stop training after this long")
    parser.add_argument("--ship", action="store_true", help=f"copy model-best to {SHIP_DIR}")
    args, overrides = parser.parse_known_args()

    if not (args.corpus / "stats.json").exists():
        from prepare import prepare

        prepare(args.data, args.corpus)
    mix = args.output / "mix"
    assemble_mix(args.corpus, mix, scierc_weight=args.scierc_weight, use_full=not args.no_full)
    run_training(args.corpus, mix, args.output, overrides, max_minutes=args.max_minutes)
    shutil.rmtree(mix)
    best = args.output / "model-best"
    if not best.exists():
        sys.exit(f"{best} was not written: train longer than one evaluation (--max-minutes)")
    scores = score(best, args.corpus)
    (args.output / "scores.json").write_text(json.dumps(scores, indent=1) + "\n")
    print(json.dumps(scores, indent=1))
    if args.ship:
        shutil.rmtree(SHIP_DIR, ignore_errors=True)
        shutil.copytree(best, SHIP_DIR)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
