#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one at a time, at low priority:
#   fuzz/run.sh SECONDS [TARGET...]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Working corpora go to
# fuzz/corpus/TARGET (git-ignored), seeded from fuzz/seeds/TARGET; crashes to fuzz/artifacts/.
# The last libFuzzer status line of each target (executions, cov, ft) is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frame_engine config model_bytes y4m labels track_crop)
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz)" >&2
  exit 1
fi
nice -n 15 cargo +nightly fuzz build
mkdir -p fuzz/logs
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  if [ "$t" = model_bytes ]; then
    cp -n models/ballnet.onnx "fuzz/corpus/$t/shipped.onnx"
    cp -n models/ballnet_any.onnx "fuzz/corpus/$t/shipped_any.onnx"
  fi
  log="fuzz/logs/$t.log"
  echo "fuzz: $t for ${seconds}s"
  status=0
  nice -n 15 cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2048 -timeout=30 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  summary+=("$t: exit $status: $last")
  if [ "$status" -ne 0 ]; then
    tail -30 "$log" >&2
  fi
done
printf '%s\n' "${summary[@]}"
for line in "${summary[@]}"; do
  case "$line" in *": exit 0:"*) ;; *) exit 1 ;; esac
done
