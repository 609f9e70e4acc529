# shellcheck shell=bash
# Files the rest of the system reads: network/.run/profile.json and
# network/.run/env (format in docs/network.md).

json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

profile_users_json() {
  local org="$1" entry name role type sep=""
  use_host "$org"
  for entry in ${ORG_USERS[$org]}; do
    IFS=: read -r name role type <<<"$entry"
    printf '%s\n        {"name":%s,"role":%s,"type":%s,"cert":%s,"key":%s}' "$sep" \
      "$(json_str "$name")" "$(json_str "$role")" "$(json_str "$type")" \
      "$(json_str "$(user_msp "$org" "$name")/signcerts/cert.pem")" "$(json_str "$(user_key "$org" "$name")")"
    sep=","
  done
}

profile_peers_json() {
  local org="$1" p sep=""
  for ((p = 0; p < ORG_PEERS[$org]; p++)); do
    printf '%s\n        {"name":%s,"address":%s,"hostOverride":"","tlsCACert":%s,"operations":%s}' "$sep" \
      "$(json_str "$(peer_name "$org" "$p")")" "$(json_str "$(peer_addr "$org" "$p")")" \
      "$(json_str "$(peer_dir "$org" "$p")/tls/ca.crt")" "$(json_str "$(org_host "$org"):$(peer_ops_port "$org" "$p")")"
    sep=","
  done
}

# profile_org_json ORG VIEW: ORG's entry as seen from host VIEW (its own
# files, or the public copies ORG sent it); users only when VIEW is "all"
# (the harness profile) or ORG itself.
profile_org_json() (
  local org="$1" view="$2" users=""
  [[ "$view" == all ]] && use_host "$org" || use_host "$view"
  [[ "$view" == all || "$view" == "$org" ]] && users="$(profile_users_json "$org")"
  printf '\n    {"mspId":%s,"name":%s,"displayName":%s,\n      "peer":{"name":%s,"address":%s,"hostOverride":"","tlsCACert":%s,"operations":%s},' \
    "$(json_str "${ORG_MSP[$org]}")" "$(json_str "$org")" "$(json_str "${ORG_DISPLAY[$org]}")" \
    "$(json_str "$(peer_name "$org" 0)")" "$(json_str "$(peer_addr "$org" 0)")" \
    "$(json_str "$(peer_dir "$org" 0)/tls/ca.crt")" "$(json_str "$(org_host "$org"):$(peer_ops_port "$org" 0)")"
  printf '\n      "peers":[%s],' "$(profile_peers_json "$org")"
  # another org's CA is not ours to call: no certificate of it in our view
  local cacert=""
  [[ "$view" == all || "$view" == "$org" ]] && cacert="$(ca_cert "$org")"
  printf '\n      "ca":{"name":%s,"url":%s,"tlsCACert":%s},' "$(json_str "ca.$org")" \
    "$(json_str "https://$(org_host "$org"):$(ca_port "$org")")" "$(json_str "$cacert")"
  printf '\n      "chaincodeServer":%s,' "$(json_str "$(org_host "$org"):$(cc_port "$org")")"
  printf '\n      "users":[%s]}' "$users"
)

# profile_json VIEW: the whole profile as seen from host VIEW ("all": every
# org's own files, the harness's view, network/.run/profile.json).
profile_json() (
  local view="$1" org o sep=""
  printf '{\n  "channel":%s,\n  "chaincode":%s,\n  "redisUrl":%s,\n  "orgs":[' \
    "$(json_str "$CHANNEL")" "$(json_str "$CC_NAME")" "$(json_str "$(redis_url)")"
  for org in "${ORGS[@]}"; do
    printf '%s%s' "$sep" "$(profile_org_json "$org" "$view")"
    sep=","
  done
  [[ "$view" == all ]] && use_host orderer || use_host "$view"
  printf '\n  ],\n  "orderers":['
  sep=""
  for o in "${ORDERERS[@]}"; do
    printf '%s\n    {"name":%s,"address":%s,"admin":%s,"operations":%s,"tlsCACert":%s}' "$sep" \
      "$(json_str "$o")" "$(json_str "$(orderer_addr "$o")")" \
      "$(json_str "$(orderer_host "$o"):$(orderer_admin_port "$o")")" "$(json_str "$(orderer_host "$o"):$(orderer_ops_port "$o")")" \
      "$(json_str "$(orderer_tls_ca)")"
    sep=","
  done
  if [[ "$view" == all ]]; then
    printf '\n  ],\n  "ordererAdmin":{"cert":%s,"key":%s}\n}\n' \
      "$(json_str "$(orderer_admin_dir)/tls/client.crt")" "$(json_str "$(orderer_admin_dir)/tls/client.key")"
  else
    printf '\n  ],\n  "ordererAdmin":{"cert":"","key":""}\n}\n'
  fi
)

# network/.run/profile.json; in the multi-host rehearsal also each org's own
# hosts/<org>/profile.json naming only its own users and key files.
write_profile() {
  local out="$RUN_DIR/profile.json" org
  profile_json all >"$out.tmp"
  mv "$out.tmp" "$out"
  [[ "$MULTIHOST" == 1 ]] || return 0
  for org in "${ORGS[@]}"; do
    out="$HOSTS_DIR/$org/profile.json"
    profile_json "$org" >"$out.tmp"
    mv "$out.tmp" "$out"
  done
}

redis_url() { echo "redis://$HOST:$REDIS_PORT/0"; }

# KEY=value lines, no quotes; other scripts (scripts/api-up.sh) append theirs.
write_env() {
  local out="$RUN_DIR/env"
  {
    echo "# idchain runtime environment, written by network/network.sh up. KEY=value lines."
    echo "IDCHAIN_PROFILE=$RUN_DIR/profile.json"
    echo "IDCHAIN_REDIS_URL=$(redis_url)"
    echo "IDCHAIN_CHANNEL=$CHANNEL"
    echo "IDCHAIN_CHAINCODE=$CC_NAME"
    echo "IDCHAIN_API=http://$HOST:$API_PORT"
    echo "IDCHAIN_API_OPS=http://$HOST:$API_OPS_PORT"
  } >"$out.tmp"
  mv "$out.tmp" "$out"
}
