#!/usr/bin/env bash
# The benchmark: builds the release component and the core benchmark for wasm32-wasip2, then
# measures them in wasmtime next to the same work natively. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
# Its own target dir: built without the `component` feature, the core's cdylib would
# otherwise overwrite the component's .wasm.
cargo build --target wasm32-wasip2 --release -p core-bench --target-dir target/core-bench
cargo build --target wasm32-wasip2 --release
cargo run --profile host -p e2e --bin bench
