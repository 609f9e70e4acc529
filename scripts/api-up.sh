#!/usr/bin/env bash
# Build and start the gateway API against the running network (make up calls
# this after the network is ready). Idempotent: issues API keys once (in
# network/.run/env and the plain key store network/.run/api/keys.env, 0600,
# only their SHA-256 hashes in network/.run/api/keys.json); network up
# rewrites the env file, and the keys are put back from the store while the
# users' identities are unchanged. Leaves a healthy running API alone,
# restarts a stale one.
#   IDCHAIN_API_ADDR   listen address (default 127.0.0.1:8080)
#   IDCHAIN_OPS_ADDR   operations listen address: /metrics, detailed /readyz
#                      (default IDCHAIN_API_OPS of network/.run/env, else 127.0.0.1:8070)
#   API_REBUILD=1      restart even if the running API is healthy (new binary)
#   IDCHAIN_ORG_APIS=1 also one API per org (idchain-api -org <MSP>) on the next
#                      ports (8081, 8082, … in profile order), each with its
#                      own checkpoint; URLs as IDCHAIN_API_<ORG> in the env file.
#                      In the multi-host rehearsal (network/lib/multihost.sh)
#                      each org's API listens on its org's address, runs in
#                      network/.run/hosts/<org>/ (as the org's Unix user when
#                      root) and reads only files there: its profile
#                      hosts/<org>/profile.json, api/keys.json with only its
#                      users' key hashes, its checkpoint and account store.
#   IDCHAIN_RUN_DIR    run directory (default network/.run)
#   IDCHAIN_API_ACCOUNTS_STORE=redis  enterprise accounts in Redis, shared by
#                      every API process (default dir: network/.run/api/accounts,
#                      one process); the key-encryption key is
#                      IDCHAIN_API_ACCOUNTS_KEK, else network/.run/api/accounts.kek
#                      (made once, 0600)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUN=${IDCHAIN_RUN_DIR:-network/.run}
API_DIR=$RUN/api
BIN=$RUN/bin/idchain-api
PIDFILE=$API_DIR/api.pid
LOG=$RUN/logs/api.log
ADDR=${IDCHAIN_API_ADDR:-127.0.0.1:8080}
URL=http://$ADDR
OPS_ADDR=${IDCHAIN_OPS_ADDR:-$(sed -n 's#^IDCHAIN_API_OPS=http://##p' "$RUN/env" 2>/dev/null)}
OPS_ADDR=${OPS_ADDR:-127.0.0.1:8070}

[[ -f $RUN/profile.json ]] || { echo "api-up: no $RUN/profile.json: start the network first (make network-up)" >&2; exit 1; }
mkdir -p "$API_DIR" "$RUN/bin" "$RUN/logs"
if [[ "${IDCHAIN_API_ACCOUNTS_STORE:-dir}" == redis && -z "${IDCHAIN_API_ACCOUNTS_KEK:-}" ]]; then
  export IDCHAIN_API_ACCOUNTS_KEK=$API_DIR/accounts.kek
  [[ -s $IDCHAIN_API_ACCOUNTS_KEK ]] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$IDCHAIN_API_ACCOUNTS_KEK")
fi

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
ready() { curl -fsS -m 5 "$URL/readyz" >/dev/null 2>&1; }

echo "api-up: building $BIN"
go build -o "$BIN.new" ./cmd/idchain-api
# Keys: kept in the store and re-appended to the env file; new ones (new
# users, changed identities) need the API to reload the hash file.
old_keys=$(sha256sum "$API_DIR/keys.json" 2>/dev/null || true)
"$BIN.new" keys -profile "$RUN/profile.json" -env "$RUN/env" -out "$API_DIR/keys.json" -api-url "$URL"
new_keys=$(sha256sum "$API_DIR/keys.json")
MULTIHOST=$(cat "$RUN/multihost" 2>/dev/null || echo 0)

# org_api_multihost NAME MSP PORT OPS_PORT PIDFILE: NAME's API on its own
# host (see the header).
org_api_multihost() {
  local name=$1 msp=$2 port=$3 ops=$4 pidf=$5 home ip users clean=(env) v as=()
  home=$(cd "$RUN/hosts/$name" && pwd)
  ip=$(grep -A1 "\"mspId\":\"$msp\"" "$home/profile.json" | sed -n 's/.*"peer":{[^}]*"address":"\([0-9.]*\):.*/\1/p')
  [[ -n $ip ]] || { echo "api-up: no address of $msp in $home/profile.json" >&2; exit 1; }
  mkdir -p "$home/api" "$home/logs"
  # the org's users (profile lines with a role) and their key hashes
  users=$(sed -n 's/^ *{"name":"\([^"]*\)","role":.*/\1/p' "$home/profile.json" | paste -sd'|')
  { echo "{"; grep -E "^ *\"[0-9a-f]+\": *\"($users)\",?$" "$API_DIR/keys.json" | sed 's/,$//' | paste -sd',' | sed 's/,/,\n/g'; echo "}"; } >"$home/api/keys.json"
  for v in $(compgen -e); do [[ $v == IDCHAIN_* ]] && clean+=(-u "$v"); done
  clean+=(HOME="$home" PWD="$home" IDCHAIN_API_ADDR="$ip:$port" IDCHAIN_OPS_ADDR="$ip:$ops")
  if [[ $(id -u) == 0 ]]; then
    chown -R "idchain-$name:idchain-$name" "$home"
    as=(setpriv --reuid="idchain-$name" --regid="idchain-$name" --clear-groups --)
  fi
  ln -sfn "$home/logs/api.log" "$RUN/logs/api-$name.log"
  "${clean[@]}" "${as[@]}" bash -c 'cd "$0" && unset OLDPWD && exec "$@"' "$home" "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" \
    -profile "$home/profile.json" -keys "$home/api/keys.json" -checkpoint "$home/api/events.checkpoint" \
    -accounts "$home/api/accounts" -redis "$(sed -n 's#^IDCHAIN_REDIS_URL=##p' "$RUN/env")" -org "$msp" \
    </dev/null >>"$home/logs/api.log" 2>&1 &
  echo $! >"$pidf"
  ORG_API_ADDR=$ip:$port
}

# org_apis RESTART: one API per org when IDCHAIN_ORG_APIS=1; RESTART=1
# restarts running ones (new binary or keys), else only missing ones start.
org_apis() {
  [[ "${IDCHAIN_ORG_APIS:-0}" == 1 ]] || return 0
  local host=${ADDR%:*} port=${ADDR##*:} i=0 msp name oaddr pidf
  for msp in $(sed -n 's/.*"mspId":"\([^"]*\)".*/\1/p' "$RUN/profile.json"); do
    i=$((i + 1))
    name=$(tr '[:upper:]' '[:lower:]' <<<"${msp%MSP}")
    oaddr=$host:$((port + i))
    pidf=$API_DIR/api-$name.pid
    if [[ -f $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
      [[ $1 == 1 ]] || continue
      kill -TERM "$(cat "$pidf")"
      for _ in $(seq 1 50); do kill -0 "$(cat "$pidf")" 2>/dev/null || break; sleep 0.2; done
    fi
    if [[ $MULTIHOST == 1 ]]; then
      org_api_multihost "$name" "$msp" $((port + i)) $((${OPS_ADDR##*:} + i)) "$pidf"
      oaddr=$ORG_API_ADDR
    else
      mkdir -p "$API_DIR/$name"
      IDCHAIN_API_ADDR=$oaddr IDCHAIN_OPS_ADDR=${OPS_ADDR%:*}:$((${OPS_ADDR##*:} + i)) nohup "$BIN" -profile "$RUN/profile.json" -keys "$API_DIR/keys.json" \
        -checkpoint "$API_DIR/$name/events.checkpoint" -org "$msp" >>"$RUN/logs/api-$name.log" 2>&1 &
      echo $! >"$pidf"
    fi
    for _ in $(seq 1 120); do
      curl -fsS -m 5 "http://$oaddr/readyz" >/dev/null 2>&1 && break
      kill -0 "$(cat "$pidf")" 2>/dev/null || { echo "api-up: $msp's API exited; see $RUN/logs/api-$name.log" >&2; exit 1; }
      sleep 0.5
    done
    curl -fsS -m 5 "http://$oaddr/readyz" >/dev/null 2>&1 || { echo "api-up: $msp's API not ready" >&2; exit 1; }
    var=IDCHAIN_API_$(tr '[:lower:]' '[:upper:]' <<<"$name")
    grep -q "^$var=" "$RUN/env" || echo "$var=http://$oaddr" >>"$RUN/env"
    echo "api-up: $msp's own API ready at http://$oaddr (pid $(cat "$pidf"), log $RUN/logs/api-$name.log)"
  done
}

if running && ready && [[ "${API_REBUILD:-0}" != 1 && "$old_keys" == "$new_keys" ]] && cmp -s "$BIN" "$BIN.new"; then
  rm -f "$BIN.new"
  echo "api-up: API already running (pid $(cat "$PIDFILE")) at $URL"
  org_apis 0
  exit 0
fi
mv "$BIN.new" "$BIN"

if running; then
  echo "api-up: restarting API (pid $(cat "$PIDFILE"))"
  "$(dirname "${BASH_SOURCE[0]}")/api-down.sh"
fi
IDCHAIN_API_ADDR=$ADDR IDCHAIN_OPS_ADDR=$OPS_ADDR nohup "$BIN" -profile "$RUN/profile.json" -keys "$API_DIR/keys.json" \
  -checkpoint "$API_DIR/events.checkpoint" >>"$LOG" 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 120); do
  if ready; then
    echo "api-up: API ready at $URL (pid $(cat "$PIDFILE"), log $LOG)"
    org_apis 1
    exit 0
  fi
  running || { echo "api-up: API exited; see $LOG" >&2; tail -n 20 "$LOG" >&2; exit 1; }
  sleep 0.5
done
echo "api-up: API not ready after 60 s; see $LOG" >&2
curl -sS -m 5 "http://$OPS_ADDR/readyz" >&2 || true
exit 1
