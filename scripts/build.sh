#!/usr/bin/env bash
# Builds the component that spin.toml runs: `cargo build` for wasm32-wasip2, then binaryen's
# wasm-opt over its core module (scripts/shrink.py), into target/ecs-deploy-alerts.wasm.
#
# `spin build` runs this. Without wasm-opt (binaryen: `apt install binaryen`, `brew install
# binaryen`, or `npm i -g binaryen`) the component is copied as cargo built it, which works
# the same and is about 50 KB larger; in CI (CI=true) a missing wasm-opt is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
built=target/wasm32-wasip2/release/ecs_deploy_alerts.wasm
out=target/ecs-deploy-alerts.wasm

cargo build --target wasm32-wasip2 --release "$@"
if command -v "${WASM_OPT:-wasm-opt}" >/dev/null; then
  python3 scripts/shrink.py "$built" "$out"
elif [ "${CI:-}" = true ]; then
  echo "build: wasm-opt not found (install binaryen)" >&2
  exit 1
else
  echo "build: wasm-opt not found, so $out is not shrunk (install binaryen for ~50 KB less)" >&2
  cp "$built" "$out"
fi
