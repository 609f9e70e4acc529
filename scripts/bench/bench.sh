#!/usr/bin/env bash
# The one benchmark of issue 16 (make bench): R (raw-Fabric trivial write)
# and every target with its ratio to R, measured side by side in one run
# (./scripts/bench/all), printed and kept under scripts/bench/results/.
#   BENCH_STARTUP=1  first make down, then time make up (start-up to a
#                    seeded demo from this built clone) and report it too
# Extra arguments go to the Go program: -rows N (idctl import, default
# 1,000,000; e.g. -rows 20000 for a quick run), -no-import, -touch-duration …
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

main() {
  local startup=0 ready=0 log t0
  mkdir -p scripts/bench/results
  if [[ "${BENCH_STARTUP:-0}" == 1 ]]; then
    make down >/dev/null
    log=$(mktemp)
    t0=$(date +%s.%N)
    make up 2>&1 | tee "$log" >&2
    startup=$(echo "$(date +%s.%N) - $t0" | bc)
    ready=$(sed -n 's/.*network ready in \([0-9]*\)s.*/\1/p' "$log" | tail -1)
    rm -f "$log"
  elif [[ ! -f network/.run/ready ]]; then
    make up >&2
  fi
  go run ./scripts/bench/all -startup-seconds "$startup" -ready-seconds "${ready:-0}" "$@"
}

main "$@"
