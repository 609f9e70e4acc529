# shellcheck shell=bash
# Multi-host rehearsal on one machine (IDCHAIN_MULTIHOST=1 network.sh up, or
# network/rehearse.sh). Each peer org is a "host": its processes bind its own
# loopback address (org_host: 127.0.1.<index>) and keep every file under
# network/.run/hosts/<org>/ (crypto/, data/, config/, chaincode/, channel/,
# logs/); the ordering org is the host "orderer" (orderer n on 127.0.2.<n>).
# use_host (common.sh) points the lib functions at one host's tree, so each
# step runs as it would on that org's own machine.
#
# Between hosts only what separate organisations would send each other
# travels, copied by send() into the same place of the receiver's tree and
# listed in hosts/exchange.log (from, to, path, sha256):
#   1. every peer org -> the ordering org: its MSP folder (CA and TLS CA
#      certificates, NodeOU config.yaml), to write the channel's genesis block;
#   2. the ordering org -> every peer org: its TLS CA certificate (to reach
#      the orderers) and the genesis block (to join the channel);
#   3. every peer org -> every other peer org: its peers' TLS CA certificate
#      (to ask their peers for endorsements: chaincode commit, invoke).
# Addresses (anchor peers, orderer endpoints) are public and come from
# topology.sh. Private keys never travel: send() refuses any file holding one.

EXCHANGE_LOG() { echo "$HOSTS_DIR/exchange.log"; }

# Paths inside a host's tree of the files that travel.
rel_org_msp() { echo "crypto/$1/msp/cacerts/ca.pem crypto/$1/msp/tlscacerts/ca.pem crypto/$1/msp/config.yaml"; }
rel_peer_tlsca() { echo "crypto/$1/peers/peer0/tls/ca.crt"; }
rel_orderer_tlsca() { echo "crypto/ordererOrganizations/$ORDERER_DOMAIN/tlsca/tlsca.$ORDERER_DOMAIN-cert.pem"; }
rel_genesis() { echo "channel/$CHANNEL.block"; }

# send FROM TO PATH...: copy public files from host FROM to host TO.
send() {
  local from="$1" to="$2" rel src dst
  shift 2
  for rel in "$@"; do
    src="$HOSTS_DIR/$from/$rel"
    dst="$HOSTS_DIR/$to/$rel"
    [[ -f "$src" ]] || die "send $from -> $to: $rel does not exist"
    grep -q 'PRIVATE KEY' "$src" && die "send $from -> $to: $rel holds a private key"
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst"
    printf '%s %s %s %s\n' "$from" "$to" "$rel" "$(sha256sum "$src" | cut -d' ' -f1)" >>"$(EXCHANGE_LOG)"
  done
}

# Every host's config directory (core.yaml, orderer.yaml).
write_host_configs() (
  local h
  if [[ "$MULTIHOST" != 1 ]]; then
    write_core_yaml
    return 0
  fi
  for h in orderer "${ORGS[@]}"; do
    (use_host "$h" && write_core_yaml)
  done
)

# Steps 1 and 3 above (after every org enrolled, before the genesis block).
exchange_certificates() {
  [[ "$MULTIHOST" == 1 ]] || return 0
  local org other
  for org in "${ORGS[@]}"; do
    # shellcheck disable=SC2046
    send "$org" orderer $(rel_org_msp "$org")
    send orderer "$org" "$(rel_orderer_tlsca)"
    for other in "${ORGS[@]}"; do
      [[ "$other" == "$org" ]] || send "$org" "$other" "$(rel_peer_tlsca "$org")"
    done
  done
  log "multi-host: MSP and TLS CA certificates exchanged ($(wc -l <"$(EXCHANGE_LOG)") files, $(EXCHANGE_LOG))"
}

# Step 2's genesis block, once the ordering org wrote it.
send_genesis_block() {
  [[ "$MULTIHOST" == 1 ]] || return 0
  local org
  for org in "${ORGS[@]}"; do send orderer "$org" "$(rel_genesis)"; done
}

# The owner host of a node name (orderer<n>, ca.<org>, peer<p>.<org>,
# cc.<org>); empty for shared services (redis, api).
node_owner() {
  case "$1" in
    orderer*) echo orderer ;;
    ca.* | cc.*) echo "${1#*.}" ;;
    peer*.*) echo "${1#*.}" ;;
    *) echo "" ;;
  esac
}

# The address NAME listens on.
node_host() {
  case "$1" in
    orderer*) orderer_host "$1" ;;
    ca.* | cc.* | peer*.*) org_host "${1#*.}" ;;
    *) echo "$HOST" ;;
  esac
}
