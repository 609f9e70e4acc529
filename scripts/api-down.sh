#!/usr/bin/env bash
# Stop the APIs started by scripts/api-up.sh (the demo API and, when started,
# one API per org), by their pid files only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shopt -s nullglob
RUN=${IDCHAIN_RUN_DIR:-network/.run}
files=("$RUN"/api/api.pid "$RUN"/api/api-*.pid)
stopped=0
for pidfile in "${files[@]}"; do
  [[ -f $pidfile ]] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    echo "api-down: stopped pid $pid ($(basename "$pidfile" .pid))"
    stopped=1
  fi
  rm -f "$pidfile"
done
((stopped)) || echo "api-down: not running"
