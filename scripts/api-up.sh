#!/usr/bin/env bash
# Build and start the gateway API against the running network (make up calls
# this after the network is ready). Idempotent: issues API keys once (in
# network/.run/env and the plain key store network/.run/api/keys.env, 0600,
# only their SHA-256 hashes in network/.run/api/keys.json); network up
# rewrites the env file, and the keys are put back from the store while the
# users' identities are unchanged. Leaves a healthy running API alone,
# restarts a stale one.
#   IDCHAIN_API_ADDR   listen address (default 127.0.0.1:8080)
#   API_REBUILD=1      restart even if the running API is healthy (new binary)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUN=network/.run
API_DIR=$RUN/api
BIN=$RUN/bin/idchain-api
PIDFILE=$API_DIR/api.pid
LOG=$RUN/logs/api.log
ADDR=${IDCHAIN_API_ADDR:-127.0.0.1:8080}
URL=http://$ADDR

[[ -f $RUN/profile.json ]] || { echo "api-up: no $RUN/profile.json: start the network first (make network-up)" >&2; exit 1; }
mkdir -p "$API_DIR" "$RUN/bin" "$RUN/logs"

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
ready() { curl -fsS -m 5 "$URL/readyz" >/dev/null 2>&1; }

echo "api-up: building $BIN"
go build -o "$BIN.new" ./cmd/idchain-api
# Keys: kept in the store and re-appended to the env file; new ones (new
# users, changed identities) need the API to reload the hash file.
old_keys=$(sha256sum "$API_DIR/keys.json" 2>/dev/null || true)
"$BIN.new" keys -profile "$RUN/profile.json" -env "$RUN/env" -out "$API_DIR/keys.json" -api-url "$URL"
new_keys=$(sha256sum "$API_DIR/keys.json")
if running && ready && [[ "${API_REBUILD:-0}" != 1 && "$old_keys" == "$new_keys" ]] && cmp -s "$BIN" "$BIN.new"; then
  rm -f "$BIN.new"
  echo "api-up: API already running (pid $(cat "$PIDFILE")) at $URL"
  exit 0
fi
mv "$BIN.new" "$BIN"

if running; then
  echo "api-up: restarting API (pid $(cat "$PIDFILE"))"
  "$(dirname "${BASH_SOURCE[0]}")/api-down.sh"
fi
IDCHAIN_API_ADDR=$ADDR nohup "$BIN" -profile "$RUN/profile.json" -keys "$API_DIR/keys.json" \
  -checkpoint "$API_DIR/events.checkpoint" >>"$LOG" 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 120); do
  if ready; then
    echo "api-up: API ready at $URL (pid $(cat "$PIDFILE"), log $LOG)"
    exit 0
  fi
  running || { echo "api-up: API exited; see $LOG" >&2; tail -n 20 "$LOG" >&2; exit 1; }
  sleep 0.5
done
echo "api-up: API not ready after 60 s; see $LOG" >&2
curl -sS -m 5 "$URL/readyz" >&2 || true
exit 1
