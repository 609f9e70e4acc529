#!/usr/bin/env bash
# make test: the unit tier (self-contained), then the system is started,
# the integration tier (build tag integration) runs against it, and the
# system is stopped again — also when a test fails. A system that was
# already running before is left running (IDCHAIN_TEST_DOWN=1 stops it anyway).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[test] %s\n' "$*" >&2; }

unit_tier() {
  log "unit tier: go test -race ./..."
  go test -race -count=1 ./...
}

integration_tier() {
  log "integration tier: go test -tags integration -p 1 ./..."
  set -a
  # shellcheck disable=SC1091
  source network/.run/env
  set +a
  go test -tags integration -p 1 -count=1 -timeout "${INTEGRATION_TIMEOUT:-45m}" ./...
}

main() {
  local start=$SECONDS was_up=0
  unit_tier
  [[ -f network/.run/ready ]] && was_up=1
  if [[ $was_up == 0 || "${IDCHAIN_TEST_DOWN:-0}" == 1 ]]; then
    trap 'log "stopping the system"; make --no-print-directory down || true' EXIT
  fi
  make --no-print-directory up
  integration_tier
  log "all tests passed in $((SECONDS - start))s"
}

main "$@"
