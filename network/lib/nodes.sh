# shellcheck shell=bash
# Start functions and readiness checks for every kind of node. The environment
# of a node is derived only from topology.sh and the run directory, so
# node.sh can restart a single node exactly as `up` started it.

# core.yaml for all peers: the module's sampleconfig with the Docker endpoint
# blanked and our ccaas external builder; everything per peer comes from env.
write_core_yaml() {
  local src out="$CFG_DIR/core.yaml"
  src="$(fabric_module_dir)/sampleconfig/core.yaml"
  mkdir -p "$CFG_DIR"
  sed -e 's#^\(    endpoint:\) unix:///var/run/docker.sock$#\1#' \
    -e "s#^\(       - name:\) ccaas_builder\$#\1 idchain-ccaas#" \
    -e "s#^\(         path:\) /opt/hyperledger/ccaas_builder\$#\1 $NET_DIR/builder#" \
    -e "s#^\(           -\) CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG\$#\1 IDCHAIN_CCAAS_CLIENT_TLS_DIR#" \
    "$src" >"$out"
  grep -q '^    endpoint:$' "$out" || die "could not blank vm.endpoint in $out"
  grep -q "path: $NET_DIR/builder\$" "$out" || die "could not set the external builder in $out"
  grep -q -- "- IDCHAIN_CCAAS_CLIENT_TLS_DIR\$" "$out" || die "could not propagate IDCHAIN_CCAAS_CLIENT_TLS_DIR in $out"
  cp "$(fabric_module_dir)/sampleconfig/orderer.yaml" "$CFG_DIR/orderer.yaml"
}

start_orderer() (
  local o="$1" dir data
  use_host orderer
  dir="$(orderer_dir "$o")"
  data="$DATA_DIR/$o"
  mkdir -p "$data"
  (
    export FABRIC_CFG_PATH="$CFG_DIR"
    export FABRIC_LOGGING_SPEC="${IDCHAIN_ORDERER_LOGGING:-info}"
    export ORDERER_GENERAL_LISTENADDRESS="$(orderer_host "$o")"
    export ORDERER_GENERAL_LISTENPORT="$(orderer_port "$o")"
    export ORDERER_GENERAL_LOCALMSPID="$ORDERER_MSP"
    export ORDERER_GENERAL_LOCALMSPDIR="$dir/msp"
    export ORDERER_GENERAL_BOOTSTRAPMETHOD=none
    export ORDERER_GENERAL_TLS_ENABLED=true
    export ORDERER_GENERAL_TLS_CERTIFICATE="$dir/tls/server.crt"
    export ORDERER_GENERAL_TLS_PRIVATEKEY="$dir/tls/server.key"
    export ORDERER_GENERAL_TLS_ROOTCAS="[$dir/tls/ca.crt]"
    export ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$dir/tls/server.crt"
    export ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$dir/tls/server.key"
    export ORDERER_GENERAL_CLUSTER_ROOTCAS="[$dir/tls/ca.crt]"
    export ORDERER_CHANNELPARTICIPATION_ENABLED=true
    export ORDERER_ADMIN_LISTENADDRESS="$(orderer_host "$o"):$(orderer_admin_port "$o")"
    export ORDERER_ADMIN_TLS_ENABLED=true
    export ORDERER_ADMIN_TLS_CERTIFICATE="$dir/tls/server.crt"
    export ORDERER_ADMIN_TLS_PRIVATEKEY="$dir/tls/server.key"
    export ORDERER_ADMIN_TLS_ROOTCAS="[$dir/tls/ca.crt]"
    export ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true
    export ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$(orderer_tls_ca)]"
    export ORDERER_OPERATIONS_LISTENADDRESS="$(orderer_host "$o"):$(orderer_ops_port "$o")"
    export ORDERER_METRICS_PROVIDER=prometheus
    if [[ "${IDCHAIN_PPROF:-0}" == 1 ]]; then
      export ORDERER_GENERAL_PROFILE_ENABLED=true
      export ORDERER_GENERAL_PROFILE_ADDRESS="$(orderer_host "$o"):$(orderer_pprof_port "$o")"
    fi
    export ORDERER_FILELEDGER_LOCATION="$data/ledger"
    export ORDERER_CONSENSUS_WALDIR="$data/etcdraft/wal"
    export ORDERER_CONSENSUS_SNAPDIR="$data/etcdraft/snapshot"
    spawn "$o" orderer
  )
)

wait_orderer() {
  wait_until "$1" 60 http_ok "http://$(orderer_host "$1"):$(orderer_ops_port "$1")/healthz"
}

# Environment shared by a peer process and by the peer CLI acting for its org.
peer_tls_env() {
  local org="$1" p="$2" dir
  dir="$(peer_dir "$org" "$p")"
  export FABRIC_CFG_PATH="$CFG_DIR"
  export CORE_PEER_LOCALMSPID="${ORG_MSP[$org]}"
  export CORE_PEER_ADDRESS="$(peer_addr "$org" "$p")"
  export CORE_PEER_TLS_ENABLED=true
  export CORE_PEER_TLS_ROOTCERT_FILE="$dir/tls/ca.crt"
}

start_peer() (
  local org="$1" p="$2" name dir data first
  use_host "$org"
  name="$(peer_name "$org" "$p")"
  dir="$(peer_dir "$org" "$p")"
  data="$DATA_DIR/$name"
  first="$(peer_addr "$org" 0)"
  mkdir -p "$data"
  (
    peer_tls_env "$org" "$p"
    export FABRIC_LOGGING_SPEC="${IDCHAIN_PEER_LOGGING:-info}"
    export CORE_PEER_ID="$name"
    export CORE_PEER_LISTENADDRESS="$CORE_PEER_ADDRESS"
    export CORE_PEER_CHAINCODELISTENADDRESS="$(org_host "$org"):$(peer_cc_port "$org" "$p")"
    export CORE_PEER_CHAINCODEADDRESS="$CORE_PEER_CHAINCODELISTENADDRESS"
    export CORE_PEER_GOSSIP_BOOTSTRAP="$first"
    export CORE_PEER_GOSSIP_EXTERNALENDPOINT="$CORE_PEER_ADDRESS"
    # Loopback network: reconnect and detect membership changes in seconds,
    # not the defaults (reconnect 25 s, alive expiry 25 s), so discovery knows
    # every org soon after a start or a peer restart.
    export CORE_PEER_GOSSIP_RECONNECTINTERVAL=5s
    export CORE_PEER_GOSSIP_ALIVETIMEINTERVAL=2s
    export CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT=10s
    export CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL=2s
    export CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL=2s
    # A block whose private data no reachable peer holds (its only other
    # holder just stopped) is committed without it after this long, not the
    # default 60 s, and the reconciler fetches it later. Reads of anchors
    # use the on-chain hash, so a missing copy changes no answer.
    export CORE_PEER_GOSSIP_PVTDATA_PULLRETRYTHRESHOLD="${IDCHAIN_PVT_PULL_THRESHOLD:-15s}"
    export CORE_PEER_MSPCONFIGPATH="$dir/msp"
    export CORE_PEER_TLS_CERT_FILE="$dir/tls/server.crt"
    export CORE_PEER_TLS_KEY_FILE="$dir/tls/server.key"
    # The peer's TLS key pair is its client identity towards the chaincode
    # server (network/builder/bin/release).
    export IDCHAIN_CCAAS_CLIENT_TLS_DIR="$dir/tls"
    export CORE_PEER_FILESYSTEMPATH="$data"
    export CORE_PEER_GATEWAY_ENABLED=true
    export CORE_LEDGER_STATE_STATEDATABASE=goleveldb
    export CORE_LEDGER_SNAPSHOTS_ROOTDIR="$data/snapshots"
    export CORE_OPERATIONS_LISTENADDRESS="$(org_host "$org"):$(peer_ops_port "$org" "$p")"
    export CORE_METRICS_PROVIDER=prometheus
    if [[ "${IDCHAIN_PPROF:-0}" == 1 ]]; then
      export CORE_PEER_PROFILE_ENABLED=true
      export CORE_PEER_PROFILE_LISTENADDRESS="$(org_host "$org"):$(peer_pprof_port "$org" "$p")"
    fi
    spawn "$name" peer node start
  )
)

wait_peer() {
  wait_until "$(peer_name "$1" "$2")" 60 http_ok "http://$(org_host "$1"):$(peer_ops_port "$1" "$2")/healthz"
}

cc_binary() { echo "$RUN_DIR/bin/idchain-cc"; }

# Builds ./cmd/idchain-cc from the work tree, or with IDCHAIN_CC_REF=<git ref>
# from that commit (useful while others edit the shared tree).
build_chaincode() {
  local src="$REPO_DIR"
  mkdir -p "$RUN_DIR/bin"
  if [[ -n "${IDCHAIN_CC_REF:-}" ]]; then
    src="$RUN_DIR/src"
    rm -rf "$src" && mkdir -p "$src"
    git -C "$REPO_DIR" archive "$IDCHAIN_CC_REF" | tar -x -C "$src"
    log "building the chaincode from $IDCHAIN_CC_REF"
  fi
  (cd "$src" && go build -o "$(cc_binary).new" ./cmd/idchain-cc) || die "go build ./cmd/idchain-cc failed"
}

# Installs the freshly built binary; returns 1 when it equals the current one.
install_chaincode_binary() {
  if [[ -x "$(cc_binary)" ]] && cmp -s "$(cc_binary)" "$(cc_binary).new"; then
    rm -f "$(cc_binary).new"
    return 1
  fi
  mv "$(cc_binary).new" "$(cc_binary)"
}

# network/.run/chaincode/<org>/server.env: the environment the org's
# chaincode server runs with (KEY=value lines, file paths, no key material),
# so a test can start another server exactly like it (docs/network.md).
cc_env_file() { echo "$CC_DIR/$1/server.env"; }

write_cc_env() (
  local org="$1" id tls
  use_host "$org"
  id="$(cat "$CC_DIR/$org/package-id" 2>/dev/null)" || die "no package id for $org: deploy the chaincode first"
  tls="$(cc_tls_dir "$org")"
  {
    echo "CHAINCODE_SERVER_ADDRESS=$(org_host "$org"):$(cc_port "$org")"
    echo "CHAINCODE_ID=$id"
    echo "CORE_CHAINCODE_ID_NAME=$id"
    echo "CORE_PEER_LOCALMSPID=${ORG_MSP[$org]}"
    echo "CHAINCODE_TLS_CERT_FILE=$tls/server.crt"
    echo "CHAINCODE_TLS_KEY_FILE=$tls/server.key"
    echo "CHAINCODE_TLS_CLIENT_CA_FILE=$tls/ca.crt"
  } >"$(cc_env_file "$org").tmp"
  mv "$(cc_env_file "$org").tmp" "$(cc_env_file "$org")"
)

start_cc() (
  local org="$1"
  use_host "$org"
  write_cc_env "$org"
  (
    set -a
    # shellcheck disable=SC1090
    source "$(cc_env_file "$org")"
    set +a
    if [[ "${IDCHAIN_PPROF:-0}" == 1 ]]; then
      export IDCHAIN_PPROF_ADDR="$(org_host "$org"):$(cc_pprof_port "$org")"
    fi
    spawn "cc.$org" "$(cc_binary)"
  )
)

wait_cc() { wait_until "cc.$1" 30 tcp_open "$(org_host "$1")" "$(cc_port "$1")"; }

# Redis: Debian's redis-server, installed on demand (scripts/lib/packages.sh).
ensure_redis_installed() {
  [[ "$RUNTIME" == docker ]] && return 0
  ensure_commands "the API's cache" redis-server:redis-server || die "redis-server is missing"
}

start_redis() {
  local dir="$RUN_DIR/redis"
  ensure_redis_installed
  mkdir -p "$dir"
  spawn redis "$(command -v redis-server || echo redis-server)" --bind "$HOST" --port "$REDIS_PORT" --dir "$dir" \
    --daemonize no --save "" --appendonly no --protected-mode yes
}

wait_redis() { wait_until redis 30 tcp_open "$HOST" "$REDIS_PORT"; }
