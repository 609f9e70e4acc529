#!/usr/bin/env bash
# CPU profiles of every process under load (make bench-profile). Starts the
# system with profiling listeners (IDCHAIN_PPROF=1: Fabric's
# peer.profile / General.Profile for peers and orderers, IDCHAIN_PPROF_ADDR
# for the chaincode servers and the API; all on loopback, for this run
# only) when they are not open, then runs ./scripts/bench/profile, which
# loads the API with batched and single-item registrations (and verify with
# -workloads batched,single,verify) and saves one profile per process and
# workload under scripts/bench/results/profile-<time>/.
#   PROFILE_RESTART=1  make down first when the system runs without profiling
# Extra arguments go to the Go program, e.g. -seconds 30 -workloads verify.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source network/topology.sh

endpoints() {
  local org o p eps=()
  for org in "${ORGS[@]}"; do
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do eps+=("$(peer_name "$org" "$p")=http://$HOST:$(peer_pprof_port "$org" "$p")"); done
    eps+=("cc.$org=http://$HOST:$(cc_pprof_port "$org")")
  done
  for o in "${ORDERERS[@]}"; do eps+=("$o=http://$HOST:$(orderer_pprof_port "$o")"); done
  eps+=("api=http://$HOST:$API_PPROF_PORT")
  local IFS=,
  echo "${eps[*]}"
}

open() { curl -fsS -m 3 -o /dev/null "http://$HOST:$1/debug/pprof/" 2>/dev/null; }

main() {
  local first_org="${ORGS[0]}"
  if [[ -f network/.run/ready ]] && ! open "$(peer_pprof_port "$first_org" 0)"; then
    [[ "${PROFILE_RESTART:-0}" == 1 ]] || {
      echo "profile: the system runs without profiling listeners; make down first (or PROFILE_RESTART=1)" >&2
      exit 1
    }
    make down
  fi
  if [[ ! -f network/.run/ready ]]; then
    IDCHAIN_PPROF=1 network/network.sh up
  fi
  if ! open "$API_PPROF_PORT"; then
    IDCHAIN_PPROF_ADDR="$HOST:$API_PPROF_PORT" API_REBUILD=1 IDCHAIN_API_ADDR="$HOST:$API_PORT" bash scripts/api-up.sh
  fi
  mkdir -p scripts/bench/results
  go run ./scripts/bench/profile -endpoints "$(endpoints)" "$@"
}

main "$@"
