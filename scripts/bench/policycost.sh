#!/usr/bin/env bash
# Cost of the trust model (issue 12 item 11, make bench-policy): the current
# chaincode (state-based policies per key class, anchor collections) and the
# chaincode as it was before the trust model (commit e90b0ec, LEGACY_REF)
# deployed on the same channel as a second chaincode, idchain-legacy, with
# its own ccaas packages (label idchain-legacy-<org>) and servers (org port
# +97). ./scripts/bench/policycost then alternates the workloads on both and
# prints items/s, single-write latency and the ratios new/old, with R.
# The legacy tree (go.mod, chaincode, domain, identifier, cmd/idchain-cc)
# is extracted with git archive and built in network/.cache/legacy-<ref>/
# (ignored, reused); its packages live in network/.run/legacy/ and its
# servers (cc-legacy.<org>) are recorded under network/.run/pids, so make
# down stops them and removes the deployment with the ledger.
# LEGACY_REF=<commit> compares against any other commit's chaincode instead
# (e.g. the per-item registration anchors before regbatch.go); the Go program
# also reports each chaincode's bytes per item per node over its batches.
# Extra arguments go to the Go program, e.g. -rounds 3 -items 8000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source network/lib/common.sh
for f in crypto nodes channel chaincode; do source "$NET_DIR/lib/$f.sh"; done

LEGACY_REF="${LEGACY_REF:-e90b0ec}"
LEGACY_NAME=idchain-legacy
LEGACY_DIR="$RUN_DIR/legacy"
LEGACY_BUILD="$NET_DIR/.cache/legacy-$LEGACY_REF"

# Builds the legacy chaincode server from LEGACY_REF (its own go.mod and
# packages, so the chaincode is exactly the commit's).
build_legacy() {
  local src="$LEGACY_BUILD/src"
  [[ -x "$LEGACY_BUILD/idchain-cc" ]] && return 0
  rm -rf "$src" && mkdir -p "$src"
  # what the chaincode server imports at that commit (later commits added epcis and internal/pprofenv)
  local p paths=()
  for p in go.mod go.sum chaincode domain identifier epcis internal cmd/idchain-cc; do
    git -C "$REPO_DIR" cat-file -e "$LEGACY_REF:$p" 2>/dev/null && paths+=("$p")
  done
  git -C "$REPO_DIR" archive "$LEGACY_REF" "${paths[@]}" | tar -x -C "$src"
  log "building the legacy chaincode from $LEGACY_REF"
  (cd "$src" && go build -o "$LEGACY_BUILD/idchain-cc.new" ./cmd/idchain-cc) || die "go build of $LEGACY_REF failed"
  mv "$LEGACY_BUILD/idchain-cc.new" "$LEGACY_BUILD/idchain-cc"
}

# Packages, installs, approves and commits idchain-legacy with the same
# functions as idchain (network/lib/chaincode.sh), other name, directory and
# port; then starts one legacy server per org.
deploy_legacy() (
  CC_NAME="$LEGACY_NAME" CC_DIR="$LEGACY_DIR/cc" CC_PORT_SLOT=97
  cc_binary() { echo "$LEGACY_BUILD/idchain-cc"; }
  local org
  for org in "${ORGS[@]}"; do [[ -f "$CC_DIR/$org/package-id" ]] || package_chaincode "$org"; done
  deploy_chaincode
  for org in "${ORGS[@]}"; do
    write_cc_env "$org"
    (
      set -a
      # shellcheck disable=SC1090
      source "$(cc_env_file "$org")"
      set +a
      spawn "cc-legacy.$org" "$(cc_binary)"
    )
  done
  for org in "${ORGS[@]}"; do wait_until "cc-legacy.$org" 30 tcp_open "$HOST" "$(cc_port "$org")"; done
  orderer_flags
  all_peer_flags
  retry 5 2 peer_cli "${ORGS[0]}" 0 chaincode invoke "${ORDERER_FLAGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
    "${PEER_FLAGS[@]}" -c "$READY_ARGS" --waitForEvent --waitForEventTimeout 20s || die "$CC_NAME does not answer"
)

main() {
  [[ -f network/.run/ready ]] || network/network.sh up
  build_legacy
  deploy_legacy
  mkdir -p scripts/bench/results
  go run ./scripts/bench/policycost -legacy "$LEGACY_NAME" \
    -json "scripts/bench/results/policycost-$(date +%Y%m%d-%H%M%S).json" "$@"
}

main "$@"
