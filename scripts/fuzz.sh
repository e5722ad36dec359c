#!/usr/bin/env bash
# Coverage-guided fuzzing of the whole pipeline with cargo fuzz (libFuzzer), on a pinned nightly.
#
#   scripts/fuzz.sh                 # 60 seconds, as CI runs it
#   scripts/fuzz.sh 600             # ten minutes
#   RUNS=1000000 scripts/fuzz.sh    # a fixed number of executions instead
#
# Starts from the seeds in fuzz/corpus/pipeline/ (the fixtures); what it learns goes to a
# scratch corpus under fuzz/target/, not into the repository. A finding is written to
# fuzz/artifacts/pipeline/ and fails the run: add it as a regression test, then fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
nightly=nightly-2026-05-20
seconds=${1:-60}

rustup toolchain install "$nightly" --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked

cd fuzz
scratch=target/corpus-pipeline
mkdir -p "$scratch"
limit=(-max_total_time="$seconds")
[ -n "${RUNS:-}" ] && limit=(-runs="$RUNS")
# No hang (10 s per input), no unbounded allocation (512 MB per malloc, 2 GB in all).
cargo +"$nightly" fuzz run pipeline "$scratch" corpus/pipeline -- \
  "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -max_len=65536 \
  -print_final_stats=1
