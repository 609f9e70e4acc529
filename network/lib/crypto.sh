# shellcheck shell=bash
# Crypto material: cryptogen for the orderer org, one fabric-ca-server per peer
# org for its CA, peers and users (with the idchain.role attribute).

ORDERER_ORG_DIR() { echo "$CRYPTO_DIR/ordererOrganizations/$ORDERER_DOMAIN"; }
orderer_dir() { echo "$(ORDERER_ORG_DIR)/orderers/$1.$ORDERER_DOMAIN"; }
orderer_admin_dir() { echo "$(ORDERER_ORG_DIR)/users/Admin@$ORDERER_DOMAIN"; }
orderer_tls_ca() { echo "$(ORDERER_ORG_DIR)/tlsca/tlsca.$ORDERER_DOMAIN-cert.pem"; }
org_dir() { echo "$CRYPTO_DIR/$1"; }
ca_home() { echo "$CRYPTO_DIR/$1/ca"; }
ca_cert() { echo "$CRYPTO_DIR/$1/ca/ca-cert.pem"; }
peer_dir() { echo "$CRYPTO_DIR/$1/peers/peer$2"; }
# TLS material of the org's chaincode server (server.crt, server.key, ca.crt).
cc_tls_dir() { echo "$CRYPTO_DIR/$1/chaincode/tls"; }
user_msp() { echo "$CRYPTO_DIR/$1/users/$2/msp"; }
user_key() { local f; f=("$(user_msp "$1" "$2")"/keystore/*); echo "${f[0]}"; }

gen_orderer_crypto() (
  use_host orderer
  mkdir -p "$CFG_DIR"
  local spec="$CFG_DIR/crypto-config.yaml" o
  {
    echo "OrdererOrgs:"
    echo "  - Name: Orderer"
    echo "    Domain: $ORDERER_DOMAIN"
    echo "    EnableNodeOUs: true"
    echo "    Specs:"
    for o in "${ORDERERS[@]}"; do
      echo "      - Hostname: $o"
      echo "        SANS: [localhost, $(orderer_host "$o")]"
    done
  } >"$spec"
  cryptogen generate --config="$spec" --output="$CRYPTO_DIR" >/dev/null
)

# NodeOU configuration; every MSP folder (org, peer, user) carries one.
write_nodeou_config() {
  local msp="$1" ou
  {
    echo "NodeOUs:"
    echo "  Enable: true"
    for ou in client peer admin orderer; do
      echo "  ${ou^}OUIdentifier:"
      echo "    Certificate: cacerts/ca.pem"
      echo "    OrganizationalUnitIdentifier: $ou"
    done
  } >"$msp/config.yaml"
}

secret_for() {
  local file="$CRYPTO_DIR/$1/secrets/$2"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$(dirname "$file")"
    (umask 077 && openssl rand -hex 16 >"$file")
  fi
  cat "$file"
}

ca_url() { echo "https://$1:$2@$(org_host "$3"):$(ca_port "$3")"; }

# Starts the org's CA process; the CA creates its own key pair on first start.
start_ca() (
  local org="$1" home
  use_host "$org"
  home="$(ca_home "$org")"
  mkdir -p "$home"
  (
    export FABRIC_CA_SERVER_HOME="$home"
    export FABRIC_CA_SERVER_ADDRESS="$(org_host "$org")"
    export FABRIC_CA_SERVER_PORT="$(ca_port "$org")"
    export FABRIC_CA_SERVER_TLS_ENABLED=true
    export FABRIC_CA_SERVER_CSR_CN="ca.$org.idchain.local"
    export FABRIC_CA_SERVER_CSR_HOSTS="localhost,$(org_host "$org")"
    export FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="$(org_host "$org"):$(ca_ops_port "$org")"
    spawn "ca.$org" fabric-ca-server start -b "admin:$(secret_for "$org" ca-admin)"
  )
)

wait_ca() (
  local org="$1"
  use_host "$org"
  wait_until "ca.$org" 60 test -s "$(ca_cert "$org")"
  wait_until "ca.$org" 60 curl -fsS --max-time 2 --cacert "$(ca_cert "$org")" \
    "https://$(org_host "$org"):$(ca_port "$org")/cainfo"
)

ca_client() {
  local org="$1"; shift
  fabric-ca-client "$@" --tls.certfiles "$(ca_cert "$org")" >>"$LOG_DIR/ca-client.$org.log" 2>&1 ||
    { show_log_tail "ca-client.$org"; die "fabric-ca-client $1 failed for $org"; }
}

# register ORG NAME TYPE [ROLE]
register_identity() {
  local org="$1" name="$2" type="$3" role="${4:-}" attrs=()
  [[ -n "$role" ]] && attrs=(--id.attrs "idchain.role=$role:ecert")
  ca_client "$org" register -H "$(org_dir "$org")/registrar" -u "https://$(org_host "$org"):$(ca_port "$org")" \
    --id.name "$name" --id.secret "$(secret_for "$org" "$name")" --id.type "$type" "${attrs[@]}"
}

# enroll ORG NAME MSPDIR [extra fabric-ca-client args]: enroll and tidy the
# resulting MSP folder (CA cert as cacerts/ca.pem, NodeOU config).
enroll_identity() {
  local org="$1" name="$2" msp="$3"; shift 3
  local tmp
  tmp="$(mktemp -d "$RUN_DIR/enroll.XXXXXX")"
  ca_client "$org" enroll -H "$tmp" -u "$(ca_url "$name" "$(secret_for "$org" "$name")" "$org")" -M "$tmp/msp" "$@"
  rm -rf "$msp"
  mkdir -p "$(dirname "$msp")"
  mv "$tmp/msp" "$msp"
  rm -rf "$tmp" "$msp/cacerts" "$msp/IssuerPublicKey" "$msp/IssuerRevocationPublicKey" "$msp/user"
  mkdir -p "$msp/cacerts" "$msp/tlscacerts"
  cp "$(ca_cert "$org")" "$msp/cacerts/ca.pem"
  cp "$(ca_cert "$org")" "$msp/tlscacerts/ca.pem"
  write_nodeou_config "$msp"
}

# Org MSP as referenced from the channel configuration.
build_org_msp() {
  local org="$1" msp
  msp="$(org_dir "$org")/msp"
  mkdir -p "$msp/cacerts" "$msp/tlscacerts"
  cp "$(ca_cert "$org")" "$msp/cacerts/ca.pem"
  cp "$(ca_cert "$org")" "$msp/tlscacerts/ca.pem"
  write_nodeou_config "$msp"
}

# enroll_tls ORG NAME DIR HOSTS: a TLS-profile certificate (server and client
# auth) from the org's CA as DIR/server.crt, DIR/server.key, DIR/ca.crt.
enroll_tls() {
  local org="$1" name="$2" dir="$3" hosts="$4" tmp
  enroll_identity "$org" "$name" "$dir-msp" --csr.hosts "$hosts" --enrollment.profile tls
  mkdir -p "$dir"
  cp "$dir-msp/signcerts/cert.pem" "$dir/server.crt"
  tmp=("$dir"-msp/keystore/*)
  (umask 077 && cp "${tmp[0]}" "$dir/server.key")
  cp "$(ca_cert "$org")" "$dir/ca.crt"
  rm -rf "$dir-msp"
}

enroll_peer() (
  local org="$1" p="$2" name dir hosts
  use_host "$org"
  name="$(peer_name "$org" "$p")"
  dir="$(peer_dir "$org" "$p")"
  hosts="localhost,$(org_host "$org"),$name"
  register_identity "$org" "$name" peer
  enroll_identity "$org" "$name" "$dir/msp" --csr.hosts "$hosts"
  enroll_tls "$org" "$name" "$dir/tls" "$hosts"
)

# The chaincode server's TLS identity. Its type "ccserver" carries none of the
# NodeOU roles (client, peer, admin, orderer), so the org's MSP rejects it as
# a channel identity: the key only serves TLS to the org's peers.
enroll_cc_server() {
  local org="$1" name="cc.$1"
  register_identity "$org" "$name" ccserver
  enroll_tls "$org" "$name" "$(cc_tls_dir "$org")" "localhost,$(org_host "$org"),$name"
}

# Registers and enrolls the org's peers and users (CA must be running).
enroll_org() (
  local org="$1" p entry name role type
  use_host "$org"
  mkdir -p "$LOG_DIR"
  ca_client "$org" enroll -H "$(org_dir "$org")/registrar" \
    -u "$(ca_url admin "$(secret_for "$org" ca-admin)" "$org")"
  build_org_msp "$org"
  for ((p = 0; p < ORG_PEERS[$org]; p++)); do
    enroll_peer "$org" "$p"
  done
  enroll_cc_server "$org"
  for entry in ${ORG_USERS[$org]}; do
    IFS=: read -r name role type <<<"$entry"
    register_identity "$org" "$name" "$type" "$role"
    enroll_identity "$org" "$name" "$(user_msp "$org" "$name")"
  done
)
