#!/usr/bin/env bash
# Builds the release component (as `spin build` does), then runs every test: the native core (unit, fixture
# snapshot, pipeline and robustness tests) and the end-to-end suite that hosts the release
# .wasm in wasmtime. Both use the `host` profile so wasmtime is compiled once, optimized.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --target wasm32-wasip2 --release
cargo test --workspace --profile host "$@"
