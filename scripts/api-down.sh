#!/usr/bin/env bash
# Stop the API started by scripts/api-up.sh (by its pid file only).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PIDFILE=network/.run/api/api.pid
[[ -f $PIDFILE ]] || { echo "api-down: not running"; exit 0; }
pid=$(cat "$PIDFILE")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  echo "api-down: stopped pid $pid"
fi
rm -f "$PIDFILE"
