# shellcheck shell=bash
# Chaincode as a service: one package per org (its connection.json names that
# org's chaincode server), installed on the org's peers, approved per org with
# its own package id, committed once; the channel's default endorsement policy
# (MAJORITY Endorsement) applies.
#
# Collections: one anchor collection per org (anchor_<MSP>, chaincode/anchor.go),
# generated from ORGS by anchor_collections_json, so that make add-org only has
# to re-run approve/commit with the regenerated file (docs/network.md).
# Every org is a member (any peer may endorse and store anchors); the
# collection-level endorsement policy "<MSP> AND a majority of the other orgs"
# governs the creation of anchor keys, which state-based policies cannot.

# Prints the collection config JSON for the current ORGS.
anchor_collections_json() {
  local org o members="" others n=0 sep="" first=1
  for o in "${ORGS[@]}"; do members+="${members:+, }'${ORG_MSP[$o]}.member'"; done
  printf '['
  for org in "${ORGS[@]}"; do
    others="" n=0
    for o in "${ORGS[@]}"; do
      [[ "$o" == "$org" ]] && continue
      others+="${others:+, }'${ORG_MSP[$o]}.peer'"
      n=$((n + 1))
    done
    local ep="OR('${ORG_MSP[$org]}.peer')"
    ((n > 0)) && ep="AND('${ORG_MSP[$org]}.peer', OutOf($((n / 2 + 1)), $others))"
    ((first)) || printf ','
    first=0
    printf '\n  {"name":"anchor_%s","policy":"OR(%s)","requiredPeerCount":0,"maxPeerCount":%d,"blockToLive":0,"memberOnlyRead":false,"memberOnlyWrite":false,"endorsementPolicy":{"signaturePolicy":"%s"}}' \
      "${ORG_MSP[$org]}" "$members" "$n" "$ep"
  done
  printf '\n]\n'
}

# Writes the collection config to $CC_DIR/collections.json and prints its path.
collections_file() {
  mkdir -p "$CC_DIR"
  anchor_collections_json >"$CC_DIR/collections.json"
  echo "$CC_DIR/collections.json"
}
# The peer reaches the chaincode server over mutual TLS: the package's
# connection.json requires TLS and client auth and carries the org CA's
# certificate as the server root; the peer's own TLS key pair (from the same
# CA) is added as the client key by the external builder's release step on
# the peer (network/builder/bin/release, IDCHAIN_CCAAS_CLIENT_TLS_DIR), so no
# private key is ever inside a package.

# pem_json FILE: the file's text escaped as the inside of a JSON string.
pem_json() { awk 'BEGIN { ORS = "" } { sub(/\r$/, ""); gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print $0 "\\n" }' "$1"; }

# Writes a deterministic ccaas package so re-runs yield the same package id.
package_chaincode() (
  local org="$1" dir label="${CC_NAME}-$1"
  use_host "$org"
  dir="$CC_DIR/$org"
  mkdir -p "$dir/src"
  printf '{"address":"%s:%s","dial_timeout":"10s","tls_required":true,"client_auth_required":true,"root_cert":"%s"}\n' \
    "$(org_host "$org")" "$(cc_port "$org")" "$(pem_json "$(ca_cert "$org")")" >"$dir/src/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$label" >"$dir/src/metadata.json"
  det_tar() { tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir/src" -cf - "$@" | gzip -n; }
  det_tar connection.json >"$dir/src/code.tar.gz"
  det_tar metadata.json code.tar.gz >"$dir/$label.tgz"
  (export FABRIC_CFG_PATH="$CFG_DIR" && peer lifecycle chaincode calculatepackageid "$dir/$label.tgz") \
    >"$dir/package-id" || die "calculatepackageid failed for $org"
)

package_file() { echo "$CC_DIR/$1/${CC_NAME}-$1.tgz"; }
package_id() { cat "$CC_DIR/$1/package-id"; }

install_chaincode() (
  local org="$1" p="$2" id
  use_host "$org"
  id="$(package_id "$org")"
  if (as_org_admin "$org" "$p" && peer lifecycle chaincode queryinstalled 2>/dev/null) | grep -qF "$id"; then
    return 0
  fi
  peer_cli "$org" "$p" lifecycle chaincode install "$(package_file "$org")" ||
    { show_log_tail peer-cli; show_log_tail "$(peer_name "$org" "$p")"; die "install failed on $(peer_name "$org" "$p")"; }
)

committed_sequence() {
  (as_org_admin "${ORGS[0]}" 0 && peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" 2>/dev/null) |
    sed -n 's/.*Sequence: \([0-9]*\),.*/\1/p' || true
}

approve_chaincode() (
  local org="$1" seq="$2"
  use_host "$org"
  orderer_flags
  retry 5 2 peer_cli "$org" 0 lifecycle chaincode approveformyorg "${ORDERER_FLAGS[@]}" \
    --channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" \
    --package-id "$(package_id "$org")" --sequence "$seq" --collections-config "$(collections_file)" --waitForEvent ||
    { show_log_tail peer-cli; die "approveformyorg failed for $org"; }
)

# --peerAddresses/--tlsRootCertFiles for peer0 of every org (in the
# multi-host rehearsal the other orgs' TLS CA certificates are the copies
# they sent, lib/multihost.sh).
all_peer_flags() {
  local org
  PEER_FLAGS=()
  for org in "${ORGS[@]}"; do
    PEER_FLAGS+=(--peerAddresses "$(peer_addr "$org" 0)" --tlsRootCertFiles "$(peer_dir "$org" 0)/tls/ca.crt")
  done
}

commit_chaincode() (
  local seq="$1"
  use_host "${ORGS[0]}"
  orderer_flags
  all_peer_flags
  retry 5 2 peer_cli "${ORGS[0]}" 0 lifecycle chaincode commit "${ORDERER_FLAGS[@]}" \
    --channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" --sequence "$seq" \
    --collections-config "$(collections_file)" "${PEER_FLAGS[@]}" --waitForEvent ||
    { show_log_tail peer-cli; die "chaincode commit failed"; }
)

# Full deployment; a no-op when the definition is already committed.
deploy_chaincode() {
  local org p seq
  seq="$(committed_sequence)"
  if [[ -n "$seq" ]]; then
    log "chaincode $CC_NAME already committed (sequence $seq)"
    return 0
  fi
  for org in "${ORGS[@]}"; do
    for ((p = 0; p < ORG_PEERS[$org]; p++)); do install_chaincode "$org" "$p"; done
  done
  for org in "${ORGS[@]}"; do approve_chaincode "$org" 1; done
  commit_chaincode 1
  log "chaincode $CC_NAME committed (sequence 1)"
}

# Submits READY_ARGS through every org's peer and waits for the commit, then
# makes sure the configuration exists (init_config).
ready_transaction() (
  use_host "${ORGS[0]}"
  orderer_flags
  all_peer_flags
  peer_cli "${ORGS[0]}" 0 chaincode invoke "${ORDERER_FLAGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
    "${PEER_FLAGS[@]}" -c "$READY_ARGS" --waitForEvent --waitForEventTimeout 20s && init_config
)

# system:InitConfig as the regulator org (idempotent): the config key is then
# born with its policy (RegulatorMSP AND a majority) and RegulatorMSP's anchor,
# so no majority without the regulator can create it first.
init_config() (
  local org reg=""
  for org in "${ORGS[@]}"; do [[ "${ORG_MSP[$org]}" == RegulatorMSP ]] && reg="$org"; done
  [[ -n "$reg" ]] || return 0
  use_host "$reg"
  orderer_flags
  all_peer_flags
  peer_cli "$reg" 0 chaincode invoke "${ORDERER_FLAGS[@]}" -C "$CHANNEL" -n "$CC_NAME" \
    "${PEER_FLAGS[@]}" -c '{"Args":["system:InitConfig"]}' --waitForEvent --waitForEventTimeout 20s
)
