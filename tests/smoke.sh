#!/usr/bin/env bash
# Smoke test for people with Spin: posts every fixture to a running `spin up` with curl and
# checks each status against fixtures/expected/. Start the app in dry-run mode first:
#
#   SPIN_VARIABLE_DRY_RUN=true SPIN_VARIABLE_API_KEY=local-key spin build --up
#   tests/smoke.sh                      # or: tests/smoke.sh http://127.0.0.1:3000 local-key
set -uo pipefail
cd "$(dirname "$0")/.."
base=${1:-http://127.0.0.1:3000}
key=${2:-local-key}
passed=0
failed=0

expect() { # name expected-status curl-args...
  local name=$1 want=$2
  shift 2
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "ok   $want $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name: expected $want, got $got"
  fi
}

post() { # body-file extra-curl-args...
  local file=$1
  shift
  curl_args=(-X POST "$base/" -H 'content-type: application/json; charset=utf-8'
    -H 'user-agent: Amazon/EventBridge/ApiDestinations' --data-binary "@$file" "$@")
}

for fixture in fixtures/*.json; do
  name=$(basename "$fixture")
  want=$(sed -n 's/^  "status": \([0-9]*\).*/\1/p' "fixtures/expected/$name")
  post "$fixture" -H "x-api-key: $key"
  expect "$name" "$want" "${curl_args[@]}"
done

post fixtures/ecs-deployment-failed.json
expect "no credentials" 401 "${curl_args[@]}"
post fixtures/ecs-deployment-failed.json -H "x-api-key: wrong"
expect "wrong API key" 401 "${curl_args[@]}"
expect "invalid JSON" 400 -X POST "$base/" -H "x-api-key: $key" --data-binary '{"id":'
expect "GET /" 405 "$base/"
expect "GET /health" 200 "$base/health"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > /tmp/ecs-deploy-alerts-large.json
post /tmp/ecs-deploy-alerts-large.json -H "x-api-key: $key"
expect "body over 1 MiB" 413 "${curl_args[@]}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
