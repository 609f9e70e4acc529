#!/usr/bin/env bash
# make test: the unit tier (self-contained), then the system is started,
# the integration tier (build tag integration) runs against it, and the
# system is stopped again — also when a test fails. A system that was
# already running before is left running (IDCHAIN_TEST_DOWN=1 stops it anyway).
set -euo pipefail
# Tests that need a tool (chromium, zbarimg, redis-server) fail instead of
# skipping when it is missing: a skipped test must not pass as green here.
export IDCHAIN_TEST_STRICT=1
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[test] %s\n' "$*" >&2; }

# shellcheck source=lib/packages.sh
source scripts/lib/packages.sh

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

# Both tiers always run, so a unit failure does not hide the integration
# results; the exit status is non-zero if either failed.
main() {
  local start=$SECONDS was_up=0 unit=0 integration=0
  # What the tests drive: Chromium (pages), ZBar (QR codes), a throw-away
  # Redis (unit tests of the Redis stores), npm (GS1's EPCIS schema). make up
  # installs Redis too.
  ensure_commands "the page, QR code and Redis tests" \
    chromium:chromium zbarimg:zbar-tools redis-server:redis-server npm:npm
  unit_tier || unit=$?
  [[ -f network/.run/ready ]] && was_up=1
  if [[ $was_up == 0 || "${IDCHAIN_TEST_DOWN:-0}" == 1 ]]; then
    trap 'log "stopping the system"; make --no-print-directory down || true' EXIT
  fi
  make --no-print-directory up DEMO_ARGS=-no-qr
  integration_tier || integration=$?
  if ((unit != 0 || integration != 0)); then
    log "FAILED: unit tier exit $unit, integration tier exit $integration ($((SECONDS - start))s)"
    return 1
  fi
  log "all tests passed in $((SECONDS - start))s"
}

main "$@"
