"""Retrain kg's NER from the shared data, score it, and optionally ship it into extract/data/ner.

Usage (from the repository root; see README.md):
    nice python extract/training/train.py ../shared/data --ship

1. prepare.py converts the data (once, into --corpus).
2. Stage 1, ner.cfg: SciREX train abstracts + SciERC train (x --scierc-weight) + SciREX full-paper
   chunks, from spacy.blank("en").
3. Stage 2, finetune.cfg: stage 1's model-best fine-tuned on the same abstracts plus a fixed
   sample of 1,000 full-paper chunks (--no-finetune skips it).
SciERC dev selects checkpoints; score.py scores each stage's model-best on SciERC dev and the
SciREX held-out slice (scores.json). Extra arguments (e.g. --vars.width 96) go to stage 1.
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
PATH_KEYS = ("train", "dev", "base_model")
SHIP_META = {
    "name": "kg_ner",
    "version": "0.1.0",
    "spacy_version": ">=3.8.0,<3.9.0",
    "description": "kg's coarse scientific NER (Method, Material, Task, Metric); "
    "trained on SciREX and SciERC by extract/training/train.py",
    "license": "trained on SciREX (Apache-2.0) and SciERC (no explicit license, research use)",
}


def assemble_mix(corpus: Path, mix: Path, *, scierc_weight: int, full: str | None) -> None:
    """Fill `mix` with the .spacy files one training epoch reads."""
    shutil.rmtree(mix, ignore_errors=True)
    mix.mkdir(parents=True)
    shutil.copy(corpus / "scirex_train.spacy", mix)
    for i in range(scierc_weight):
        shutil.copy(corpus / "scierc_train.spacy", mix / f"scierc_train_{i}.spacy")
    if full:
        shutil.copy(corpus / f"{full}.spacy", mix)


def run_training(
    config: str,
    corpus: Path,
    mix: Path,
    output: Path,
    overrides: list[str],
    *,
    max_minutes: float | None,
) -> Path:
    """Run `spacy train`; past `max_minutes` stop it and keep the model-best saved so far."""
    cmd = [sys.executable, "-m", "spacy", "train", str(HERE / config)]
    cmd += ["--output", str(output), "--paths.train", str(mix)]
    cmd += ["--paths.dev", str(corpus / "scierc_dev.spacy"), *overrides]
    timeout = max_minutes * 60 if max_minutes else None
    try:
        subprocess.run(cmd, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"stopped after {max_minutes} minutes; scoring model-best", flush=True)
    shutil.rmtree(mix)
    best = output / "model-best"
    if not best.exists():
        sys.exit(f"{best} was not written: train longer than one evaluation (--max-minutes)")
    return best


def score(model: Path, corpus: Path) -> dict[str, dict[str, dict[str, float]]]:
    import spacy
    from score import evaluate, read_gold

    nlp = spacy.load(model)
    return {name: evaluate(nlp, read_gold(corpus / f"{name}.jsonl")) for name in EVAL_SETS}


def ship(model: Path, target: Path) -> None:
    """Copy a trained pipeline, blanking this machine's training paths in its config.

    The meta accepts any spaCy 3.8 (as pyproject does): an exact patch-version pin would make
    spacy.load warn (W095) on other 3.8 releases.
    """
    from spacy.util import load_config

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(model, target)
    config = load_config(target / "config.cfg", interpolate=False)
    for key in PATH_KEYS:
        if key in config["paths"]:
            config["paths"][key] = None
    config.to_disk(target / "config.cfg")
    meta = json.loads((target / "meta.json").read_text())
    meta.update(SHIP_META)
    (target / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (scirex/, scierc/)")
    parser.add_argument("--corpus", type=Path, default=HERE / "build" / "corpus")
    parser.add_argument("--output", type=Path, default=HERE / "build" / "run")
    parser.add_argument("--scierc-weight", type=int, default=2)
    parser.add_argument("--no-full", action="store_true", help="stage 1 without full papers")
    parser.add_argument("--no-finetune", action="store_true", help="stop after stage 1")
    parser.add_argument("--max-minutes", type=float, help="stop each stage after this long")
    parser.add_argument("--ship", action="store_true", help=f"copy the result to {SHIP_DIR}")
    args, overrides = parser.parse_known_args()

    if not (args.corpus / "stats.json").exists():
        from prepare import prepare

        prepare(args.data, args.corpus)
    weight, limit = args.scierc_weight, args.max_minutes
    stage1, stage2 = args.output / "stage1", args.output / "stage2"
    mix = args.output / "mix"
    assemble_mix(
        args.corpus, mix, scierc_weight=weight, full=None if args.no_full else "scirex_full"
    )
    best = run_training("ner.cfg", args.corpus, mix, stage1, overrides, max_minutes=limit)
    scores = {"stage1": score(best, args.corpus)}
    if not args.no_finetune:
        assemble_mix(args.corpus, mix, scierc_weight=weight, full="scirex_full_sample")
        base = ["--paths.base_model", str(best)]
        best = run_training("finetune.cfg", args.corpus, mix, stage2, base, max_minutes=limit)
        scores["stage2"] = score(best, args.corpus)
    (args.output / "scores.json").write_text(json.dumps(scores, indent=1) + "\n")
    print(json.dumps(scores, indent=1))
    if args.ship:
        ship(best, SHIP_DIR)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
