#!/usr/bin/env bash
# Native idchain Fabric network: up | down | status.
#   up      build the binaries, start Redis, CAs, orderers, peers and chaincode
#           servers, create the channel, deploy the chaincode, wait for a
#           committed transaction, write network/.run/{env,profile.json}.
#           On a running network it only restarts what is missing.
#   down    stop every process recorded under network/.run/pids (the API
#           included) and remove network/.run.
#   status  one line per process: name, pid, RSS, state.
#   nodes   every node name; ports: "node port" for every listening port.
#   add-org NAME [DISPLAY]  a new peer org joins the running channel (lib/addorg.sh)
#   add-peer ORG            one more peer for ORG joins the running channel
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for f in crypto nodes channel chaincode runtime addorg progress multihost; do source "$NET_DIR/lib/$f.sh"; done
trap 'log "failed: line $LINENO: $BASH_COMMAND"' ERR

# All node names in start order.
all_nodes() {
  local org o p
  echo redis
  for org in "${ORGS[@]}"; do echo "ca.$org"; done
  for o in "${ORDERERS[@]}"; do echo "$o"; done
  for org in "${ORGS[@]}"; do
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do peer_name "$org" "$p"; done
  done
  for org in "${ORGS[@]}"; do echo "cc.$org"; done
}

# Every port the topology listens on, one "node port" line each (also the
# command `network.sh ports`, read by the compose file check).
all_ports() {
  local org o p name
  echo "redis $REDIS_PORT"
  for o in "${ORDERERS[@]}"; do
    echo "$o $(orderer_port "$o")"; echo "$o $(orderer_admin_port "$o")"; echo "$o $(orderer_ops_port "$o")"
  done
  for org in "${ORGS[@]}"; do
    echo "ca.$org $(ca_port "$org")"; echo "ca.$org $(ca_ops_port "$org")"; echo "cc.$org $(cc_port "$org")"
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do
      name="$(peer_name "$org" "$p")"
      echo "$name $(peer_port "$org" "$p")"; echo "$name $(peer_cc_port "$org" "$p")"; echo "$name $(peer_ops_port "$org" "$p")"
    done
  done
  echo "api $API_PORT"
}

# Fails early, naming the holder, when another network (or anything else)
# already listens on one of our ports.
check_ports_free() {
  local name port busy=()
  while read -r name port; do
    [[ "$name" == api ]] && continue
    tcp_open "$(node_host "$name")" "$port" && busy+=("$port")
  done < <(all_ports)
  ((${#busy[@]} == 0)) && return 0
  log "ports already in use: ${busy[*]}"
  command -v ss >/dev/null && ss -ltnp 2>/dev/null | grep -E ":(${busy[0]}) " >&2 || true
  die "another network seems to be running (make down in its checkout, or set IDCHAIN_PORT_OFFSET, e.g. 1000)"
}

start_fresh() {
  local start=$SECONDS org o p build_pid
  check_ports_free
  revoke_traverse
  rm -rf "$RUN_DIR"
  mkdir -p "$LOG_DIR" "$PID_DIR" "$CFG_DIR" "$DATA_DIR" "$CC_DIR"
  echo "$PORT_OFFSET" >"$RUN_DIR/port-offset"
  echo "$MULTIHOST" >"$RUN_DIR/multihost"
  write_host_configs
  build_chaincode >"$LOG_DIR/build-cc.log" 2>&1 &
  build_pid=$!

  start_redis
  gen_orderer_crypto
  for org in "${ORGS[@]}"; do start_ca "$org"; done
  for org in "${ORGS[@]}"; do wait_ca "$org"; enroll_org "$org"; done
  exchange_certificates
  log "crypto ready ($((SECONDS - start))s)"

  for o in "${ORDERERS[@]}"; do start_orderer "$o"; done
  for org in "${ORGS[@]}"; do
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do start_peer "$org" "$p"; done
  done
  create_genesis_block
  send_genesis_block
  for o in "${ORDERERS[@]}"; do wait_orderer "$o"; join_orderer "$o"; done
  for org in "${ORGS[@]}"; do
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do wait_peer "$org" "$p"; join_peer "$org" "$p"; done
  done
  log "channel $CHANNEL joined ($((SECONDS - start))s)"

  wait "$build_pid" || { show_log_tail build-cc; die "chaincode build failed"; }
  install_chaincode_binary || true
  for org in "${ORGS[@]}"; do package_chaincode "$org"; start_cc "$org"; done
  for org in "${ORGS[@]}"; do wait_cc "$org"; done
  wait_redis
  deploy_chaincode
  write_profile
  wait_ready
  write_env
  touch "$READY_MARK"
  log "network ready in $((SECONDS - start))s"
}

# Restart whatever is not running (after a crash, a reboot or node.sh stop).
resume() {
  local name org
  log "network state found, restarting missing processes"
  build_chaincode
  if install_chaincode_binary; then
    log "chaincode binary changed: restarting the chaincode servers"
    for org in "${ORGS[@]}"; do stop_process "cc.$org"; done
  fi
  while read -r name; do
    is_running "$name" || "$NET_DIR/node.sh" start "$name"
  done < <(all_nodes)
  write_profile
  wait_ready
}

wait_ready() {
  local deadline=$((SECONDS + ${IDCHAIN_READY_TIMEOUT:-120}))
  until ready_transaction; do
    if ((SECONDS >= deadline)); then
      show_log_tail peer-cli
      die "no test transaction committed within ${IDCHAIN_READY_TIMEOUT:-120}s"
    fi
    sleep 2
  done
  log "test transaction committed"
  # The gateways need discovery data before they can endorse on their own.
  (cd "$REPO_DIR" && go build -o "$RUN_DIR/bin/idchain-ready" ./cmd/idchain-ready) ||
    die "go build ./cmd/idchain-ready failed"
  IDCHAIN_PROFILE="$RUN_DIR/profile.json" "$RUN_DIR/bin/idchain-ready" -timeout "${IDCHAIN_READY_TIMEOUT:-120}s" >&2 ||
    { show_log_tail "$(peer_name "${ORGS[0]}" 0)"; die "the gateways do not endorse"; }
}

cmd_up() {
  build_tools
  if [[ -f "$READY_MARK" ]]; then
    resume
  else
    stop_all
    start_fresh
  fi
  log "profile: $RUN_DIR/profile.json  env: $RUN_DIR/env  logs: $LOG_DIR"
}

# Stops every recorded process in waves, each wave in parallel: API and
# chaincode servers, then peers, then orderers, CAs and Redis.
wave_of() {
  case "$1" in
    api* | cc.* | cc-*) echo 1 ;;
    peer*) echo 2 ;;
    *) echo 3 ;;
  esac
}

stop_all() {
  local f name wave
  [[ -d "$PID_DIR" ]] || return 0
  for wave in 1 2 3; do
    for f in "$PID_DIR"/*.pid; do
      [[ -e "$f" ]] || continue
      name="$(basename "$f" .pid)"
      [[ "$(wave_of "$name")" == "$wave" ]] && stop_process "$name" &
    done
    wait
  done
}

cmd_down() {
  stop_all
  revoke_traverse
  rm -rf "$RUN_DIR"
  log "network stopped, $RUN_DIR removed"
}

cmd_status() {
  local f name pid rss state
  printf '%-18s %8s %10s  %s\n' NAME PID RSS_MB STATE
  for f in "$PID_DIR"/*.pid; do
    [[ -e "$f" ]] || continue
    name="$(basename "$f" .pid)"
    pid="$(pid_of "$name")"
    rss=-
    state=stopped
    if is_running "$name"; then
      state=running
      rss="$(awk '/^VmRSS:/ {printf "%.1f", $2/1024}' "/proc/$pid/status")"
    fi
    printf '%-18s %8s %10s  %s\n' "$name" "$pid" "$rss" "$state"
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  nodes) all_nodes ;;
  ports) all_ports ;;
  add-org) [[ -n "${2:-}" ]] || { echo "usage: $0 add-org NAME [DISPLAY]" >&2; exit 2; }; add_org "$2" "${3:-}" ;;
  add-peer) [[ -n "${2:-}" ]] || { echo "usage: $0 add-peer ORG" >&2; exit 2; }; add_peer "$2" ;;
  *) echo "usage: $0 up|down|status|nodes|ports|add-org NAME|add-peer ORG" >&2; exit 2 ;;
esac
