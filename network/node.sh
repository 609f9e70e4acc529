#!/usr/bin/env bash
# Start, stop or inspect one process of a network started by network.sh up,
# e.g. for failure tests:  network/node.sh stop orderer2 ; network/node.sh start orderer2
# Names: redis, ca.<org>, orderer<n>, peer<p>.<org>, cc.<org> (see `network.sh nodes`).
# start waits until the process is healthy (operations /healthz, TCP port).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for f in crypto nodes channel chaincode multihost; do source "$NET_DIR/lib/$f.sh"; done
# shellcheck source=../scripts/lib/packages.sh
source "$REPO_DIR/scripts/lib/packages.sh" # ensure_commands (start redis installs redis-server on demand)

usage() { echo "usage: $0 start|stop|restart|status NAME" >&2; exit 2; }

start_node() {
  local name="$1" org p
  case "$name" in
    redis) start_redis; wait_redis ;;
    ca.*) org="${name#ca.}"; known_org "$org"; start_ca "$org"; wait_ca "$org" ;;
    orderer*) known_orderer "$name"; start_orderer "$name"; wait_orderer "$name" ;;
    peer*.*)
      org="${name#*.}"; p="${name%%.*}"; p="${p#peer}"
      known_org "$org"
      ((p < ORG_PEERS[$org])) || die "unknown peer $name"
      start_peer "$org" "$p"; wait_peer "$org" "$p"
      ;;
    cc.*) org="${name#cc.}"; known_org "$org"; start_cc "$org"; wait_cc "$org" ;;
    *) die "unknown node $name" ;;
  esac
}

known_org() { [[ -n "${ORG_MSP[$1]:-}" ]] || die "unknown org $1"; }
known_orderer() {
  local o
  for o in "${ORDERERS[@]}"; do [[ "$o" == "$1" ]] && return 0; done
  die "unknown orderer $1"
}

[[ $# -eq 2 ]] || usage
[[ -d "$RUN_DIR" ]] || die "no network state in $RUN_DIR: run make up first"
case "$1" in
  start) start_node "$2" ;;
  stop) stop_process "$2" ;;
  restart) stop_process "$2"; start_node "$2" ;;
  status)
    if is_running "$2"; then echo "$2 running (pid $(pid_of "$2"))"; else echo "$2 stopped"; exit 1; fi
    ;;
  *) usage ;;
esac
