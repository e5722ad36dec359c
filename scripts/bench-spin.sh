#!/usr/bin/env bash
# The component under the real `spin up`, against a hello-world floor (tests/spin/hello/): wrk
# drives each path (rejections, an ignored event, a dry run, a recorded stopped task, an alert
# delivered to a local Slack stand-in) in rounds that alternate with the floor, and prints
# requests/s, p50, p99 and the ratio to the floor, then a Markdown table (tests/spin/bench).
#
# Needs wrk (Debian: apt-get install -y wrk), Python 3.11 and Spin ($SPIN, `spin` on PATH, or
# ../shared/bin/spin). It never builds the component: it measures the release .wasm spin.toml
# names, so run scripts/test.sh first. It builds the small floor component when missing (its own
# workspace and target dir, about a minute). About 100 s with the defaults; settings
# (BENCH_SECONDS, BENCH_ROUNDS, ...) are described in tests/spin/bench. Load goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "FAIL: wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }

# The floor is built like the component: cargo's component as it builds it.
hello=target/hello/wasm32-wasip2/release/spin_hello.wasm
stale=$(find tests/spin/hello/Cargo.toml tests/spin/hello/src -newer "$hello" 2>/dev/null | head -1 || true)
if [[ ! -f $hello || -n $stale ]]; then
  echo "building the hello-world floor ($hello)"
  cargo build --manifest-path tests/spin/hello/Cargo.toml --target wasm32-wasip2 --release \
    --target-dir target/hello
fi

exec python3 tests/spin/bench "$@"
