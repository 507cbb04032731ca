#!/usr/bin/env bash
# Hyperparameter sweep: one CPU training per core, in parallel, each stopped after $MINUTES.
# Usage: MINUTES=8 OUT=/tmp/sweep bash extract/training/sweep.sh [DATA_DIR]
# Needs the corpus prepared in extract/training/build/corpus (prepare.py). Writes $OUT/results.jsonl
# (one line per run: name, overrides, scores) and $OUT/logs.tar.gz.
set -uo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
MINUTES=${MINUTES:-8}
OUT=${OUT:-extract/training/build/sweep}
RUNS=${RUNS:-/tmp/kg-sweep}
PY=${PY:-python3}
mkdir -p "$OUT" "$RUNS"
export OMP_NUM_THREADS=1 BLIS_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1

# name | train.py arguments (spacy overrides pass through)
CONFIGS=(
  "base|"
  "abstracts_only|--no-full"
  "scierc_w1|--scierc-weight 1"
  "scierc_w4|--scierc-weight 4"
  "w96d2|--vars.width 96"
  "w64d3|--vars.depth 3"
  "w96d3|--vars.width 96 --vars.depth 3"
  "w128d2|--vars.width 128"
  "no_upper|--components.ner.model.use_upper false"
  "drop02|--training.dropout 0.2"
  "rows6000|--vars.embed_rows 6000"
  "window2|--components.ner.model.tok2vec.encode.window_size 2"
  "hidden128|--vars.hidden_width 128"
  "lr002|--training.optimizer.learn_rate 0.002"
  "w48d2|--vars.width 48"
)
if [ -n "${ONLY:-}" ]; then  # e.g. ONLY=base for a local smoke test
  for entry in "${CONFIGS[@]}"; do [ "${entry%%|*}" = "$ONLY" ] && CONFIGS=("$entry"); done
fi
NCPU=$(nproc)
i=0
for entry in "${CONFIGS[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  core=$((i % NCPU))
  # shellcheck disable=SC2086
  taskset -c "$core" $PY extract/training/train.py "$DATA" --output "$RUNS/$name" \
    --max-minutes "$MINUTES" --training.eval_frequency 200 $args >"$RUNS/$name.log" 2>&1 &
  i=$((i + 1))
done
wait
for entry in "${CONFIGS[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  scores=$(cat "$RUNS/$name/scores.json" 2>/dev/null || echo null)
  $PY -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "args": sys.argv[2], "scores": json.loads(sys.argv[3])}))' \
    "$name" "$args" "$scores" >>"$OUT/results.jsonl"
done
tar -czf "$OUT/logs.tar.gz" -C "$RUNS" $(cd "$RUNS" && ls *.log)
