#!/usr/bin/env bash
# Releases one version of the component as an OCI artifact that `spin up --from` runs.
#
#   scripts/release.sh VERSION [REGISTRY]
#   scripts/release.sh 0.1.0 ghcr.io/OWNER       # pushes ghcr.io/OWNER/ecs-deploy-alerts:0.1.0
#   scripts/release.sh 0.1.0 127.0.0.1:5000      # a local registry (plain HTTP on loopback)
#   scripts/release.sh 0.1.0                     # builds and tests only: nothing is pushed
#
# Refuses a working tree with changes (the release must be a commit), a VERSION other than
# Cargo.toml's (tests/release.rs keeps spin.toml and the SpinKube manifest on it), and a
# VERSION without a "## VERSION" section in CHANGELOG.md. Then runs scripts/test.sh (which
# builds the release .wasm as `spin build` does), pushes with `spin registry push` (log in
# first: `spin registry login ghcr.io -u USER --password-stdin`), writes the .wasm's SHA-256
# beside it (ecs_deploy_alerts.wasm.sha256) and prints the reference, the manifest's digest
# and the SHA-256. Spin is $SPIN, else `spin` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "release: $*" >&2
  exit 1
}

(($# >= 1 && $# <= 2)) || fail "usage: scripts/release.sh VERSION [REGISTRY]"
version=$1
registry=${2:-}
spin=${SPIN:-spin}

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  fail "$version is not a version such as 1.2.3 (or 1.2.3-rc.1)"
[[ -z $(git status --porcelain) ]] ||
  fail "the working tree has changes: release a commit (git status shows them)"
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ $crate_version == "$version" ]] ||
  fail "Cargo.toml's version is $crate_version, not $version: set it in Cargo.toml, spin.toml and deploy/spinkube/spinapp.yaml first"
grep -Eq "^## ${version//./\\.}( |$)" CHANGELOG.md ||
  fail "CHANGELOG.md has no \"## $version\" section: say what this release asks of operators"
if [[ -n $registry ]]; then
  command -v "$spin" >/dev/null || fail "Spin not found: install it or set SPIN=/path/to/spin"
fi

echo "release: testing $version (scripts/test.sh)"
scripts/test.sh

wasm=target/wasm32-wasip2/release/ecs_deploy_alerts.wasm
sha=$(sha256sum "$wasm" | cut -d ' ' -f 1)
echo "$sha  ecs_deploy_alerts.wasm" >"$wasm.sha256"

if [[ -n $registry ]]; then
  reference="${registry%/}/ecs-deploy-alerts:$version"
  insecure=()
  # A registry on loopback speaks plain HTTP (a throwaway one, for tests).
  case $registry in localhost[:/]* | localhost | 127.0.0.1* | \[::1\]*) insecure=(--insecure) ;; esac
  pushed=$("$spin" registry push "${insecure[@]}" "$reference")
  digest=$(grep -o 'sha256:[0-9a-f]\{64\}' <<<"$pushed" | tail -n 1)
  [[ -n $digest ]] || fail "spin registry push printed no digest: $pushed"
  echo "reference: $reference"
  echo "digest:    $digest"
else
  echo "release: no REGISTRY given, nothing pushed"
fi
echo "wasm:      $wasm ($(stat -c %s "$wasm") bytes)"
echo "sha256:    $sha"
