# shellcheck shell=bash
# Growing a running network: add-org (a new peer org joins the channel) and
# add-peer (another peer for an org). What is added is recorded in
# network/.run/topology.added.sh, which common.sh sources after topology.sh,
# so every later command (up, down, status, node.sh, profile) sees it.

ADDED_FILE="$RUN_DIR/topology.added.sh"
ORGUPDATE="$BIN_DIR/idchain-orgupdate"

# idchain-orgupdate (network/tools/fabric/orgupdate): the channel config
# update, built from the pinned Fabric module's dependencies on first use.
build_orgupdate() {
  if [[ -x "$ORGUPDATE" && "$ORGUPDATE" -nt "$NET_DIR/tools/fabric/orgupdate/main.go" ]]; then
    return 0
  fi
  log "building idchain-orgupdate (first use)"
  (cd "$NET_DIR/tools/fabric" && go build -trimpath -o "$ORGUPDATE" ./orgupdate) >>"$LOG_DIR/build-orgupdate.log" 2>&1 ||
    { show_log_tail build-orgupdate; die "go build ./orgupdate failed"; }
}

in_orgs() {
  local o
  for o in "${ORGS[@]}"; do [[ "$o" == "$1" ]] && return 0; done
  return 1
}

# First unused org index (port block) of 1..9.
free_org_index() {
  local i o used
  for ((i = 1; i <= 9; i++)); do
    used=0
    for o in "${ORGS[@]}"; do [[ "${ORG_INDEX[$o]}" == "$i" ]] && used=1; done
    ((used)) || { echo "$i"; return 0; }
  done
  die "no free org index (1..9): the port layout allows nine peer orgs"
}

# Appends lines to topology.added.sh and applies them to this shell.
record_added() {
  local tmp
  tmp="$(mktemp "$RUN_DIR/added.XXXXXX")"
  cat >"$tmp"
  # shellcheck disable=SC1090
  source "$tmp"
  cat "$tmp" >>"$ADDED_FILE"
  rm -f "$tmp"
}

# ports_free HOST PORT...: fails when one of the ports is taken on HOST.
ports_free() {
  local host="$1" port
  shift
  for port in "$@"; do
    tcp_open "$host" "$port" && die "port $host:$port is already in use"
  done
  return 0
}

# fetch_config FILE: the channel's current config block, as the first org's admin.
fetch_config() (
  use_host "${ORGS[0]}"
  orderer_flags
  peer_cli "${ORGS[0]}" 0 channel fetch config "$1" "${ORDERER_FLAGS[@]}" -c "$CHANNEL" ||
    { show_log_tail peer-cli; die "could not fetch the config block of $CHANNEL"; }
)

# update_dir ORG SIGNER: where SIGNER keeps the config update adding ORG
# (its own host's tree in the multi-host rehearsal).
update_dir() {
  if [[ "$MULTIHOST" == 1 ]]; then
    echo "$HOSTS_DIR/$2/channel/add-$1"
  else
    echo "$RUN_DIR/channel/add-$1"
  fi
}

# Multi-host: what a joining org and the members send each other before the
# config update: its MSP folder to the admin who writes the update (the first
# org), the orderers' TLS CA and the genesis block to it, and peer TLS CA
# certificates both ways (lib/multihost.sh).
exchange_for_new_org() {
  [[ "$MULTIHOST" == 1 ]] || return 0
  local org="$1" other
  # shellcheck disable=SC2046
  send "$org" "${ORGS[0]}" $(rel_org_msp "$org")
  send orderer "$org" "$(rel_orderer_tlsca)" "$(rel_genesis)"
  for other in "${ORGS[@]}"; do
    [[ "$other" == "$org" ]] && continue
    send "$org" "$other" "$(rel_peer_tlsca "$org")"
    send "$other" "$org" "$(rel_peer_tlsca "$other")"
  done
}

channel_has_org() {
  local msp="$1" tmp rc=0
  tmp="$(mktemp "$RUN_DIR/config.XXXXXX")"
  fetch_config "$tmp"
  "$ORGUPDATE" -block "$tmp" -has "$msp" || rc=$?
  rm -f "$tmp"
  case "$rc" in
    0) return 0 ;;
    3) return 1 ;;
    *) die "idchain-orgupdate -has failed ($rc)" ;;
  esac
}

# The channel config update adding ORG: computed from the current config
# block, signed by a majority of the existing orgs' admins (the Application
# group's Admins policy is MAJORITY Admins), submitted to the orderers.
update_channel_for_org() {
  local org="$1" msp="${ORG_MSP[$1]}" dir existing=() o need i signer prev=""
  for o in "${ORGS[@]}"; do [[ "$o" != "$org" ]] && existing+=("$o"); done
  need=$((${#existing[@]} / 2 + 1))
  dir="$(update_dir "$org" "${existing[0]}")"
  mkdir -p "$dir"
  if channel_has_org "$msp"; then
    log "$msp is already a member of $CHANNEL"
    return 0
  fi
  # written by the first org's admin, from the MSP folder the new org sent
  (use_host "${existing[0]}" && { echo "Organizations:"; configtx_org "$org"; } >"$dir/configtx.yaml")
  configtxgen -configPath "$dir" -printOrg "$msp" >"$dir/org.json" 2>>"$LOG_DIR/configtxgen.log" ||
    { show_log_tail configtxgen; die "configtxgen -printOrg $msp failed"; }
  fetch_config "$dir/config.pb"
  "$ORGUPDATE" -block "$dir/config.pb" -org "$dir/org.json" -msp "$msp" \
    -anchor "$(peer_addr "$org" 0)" -channel "$CHANNEL" -out "$dir/update.pb" ||
    die "computing the config update for $msp failed"
  # need-1 admins sign the file, the last one signs while submitting; in the
  # multi-host rehearsal the file travels from each signer to the next.
  for ((i = 0; i < need; i++)); do
    signer="${existing[$i]}"
    [[ -n "$prev" && "$MULTIHOST" == 1 ]] && send "$prev" "$signer" "channel/add-$org/update.pb"
    if ((i < need - 1)); then
      peer_cli "$signer" 0 channel signconfigtx -f "$(update_dir "$org" "$signer")/update.pb" ||
        { show_log_tail peer-cli; die "$signer admin could not sign the update"; }
    else
      (use_host "$signer" && orderer_flags &&
        peer_cli "$signer" 0 channel update -f "$(update_dir "$org" "$signer")/update.pb" -c "$CHANNEL" "${ORDERER_FLAGS[@]}") ||
        { show_log_tail peer-cli; die "channel update adding $msp failed"; }
    fi
    prev="$signer"
  done
  CHANGED=1
  log "channel $CHANNEL: $msp added, signed by the admins of ${existing[*]:0:$need} ($need of ${#existing[@]})"
  wait_until "${ORGS[0]}" 30 channel_has_org "$msp"
}

# Approvals of the committed definition, e.g. "MakerMSP: true".
approved_in_committed() {
  (as_org_admin "${ORGS[0]}" 0 && peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" 2>/dev/null) |
    grep -q "$1: true"
}

# A new definition sequence approved by every org (the new one included,
# with its own package) and committed, so that the new org's peers run the
# chaincode and the definition (collections generated from ORGS, when the
# chaincode defines them) covers it.
redefine_chaincode_for_org() {
  local msp="$1" seq org
  if approved_in_committed "$msp"; then
    log "chaincode $CC_NAME: the committed definition already has $msp's approval"
    return 0
  fi
  seq="$(committed_sequence)"
  [[ -n "$seq" ]] || die "no committed chaincode definition"
  seq=$((seq + 1))
  for org in "${ORGS[@]}"; do approve_chaincode "$org" "$seq"; done
  commit_chaincode "$seq"
  CHANGED=1
  log "chaincode $CC_NAME committed at sequence $seq with ${#ORGS[@]} orgs"
}

# The chaincode keeps its own consortium list (config "orgs", the input of
# its state-based policies) when it has one: the regulator's admin adds the
# new org through system:SetConfig. A chaincode without the list is left alone.
add_org_to_chaincode_config() {
  local msp="$1" cfg reg
  reg=regulator
  in_orgs "$reg" || return 0
  cfg="$(as_org_admin "$reg" 0 && peer chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["system:GetConfig"]}' 2>>"$LOG_DIR/peer-cli.log")" ||
    die "system:GetConfig failed"
  if ! grep -q '"orgs":\[' <<<"$cfg"; then
    log "the chaincode config has no org list: nothing to extend"
    return 0
  fi
  if grep -q "\"orgs\":\[[^]]*\"$msp\"" <<<"$cfg"; then
    log "the chaincode's org list already has $msp"
    return 0
  fi
  cfg="$(sed -e "s/\"orgs\":\[/\"orgs\":[\"$msp\",/" -e 's/,"updatedAt":"[^"]*"//; s/,"updatedBy":"[^"]*"//; s/,"txId":"[^"]*"//' <<<"$cfg")"
  (
    use_host "$reg"
    orderer_flags
    all_peer_flags
    retry 5 2 peer_cli "$reg" 0 chaincode invoke "${ORDERER_FLAGS[@]}" -C "$CHANNEL" -n "$CC_NAME" "${PEER_FLAGS[@]}" \
      -c "$(printf '{"Args":["system:SetConfig",%s]}' "$(json_str "$cfg")")" --waitForEvent --waitForEventTimeout 20s
  ) || { show_log_tail peer-cli; die "system:SetConfig adding $msp failed"; }
  CHANGED=1
  log "chaincode config: $msp added to the org list"
}

# add_org NAME [DISPLAY]: a new org on the running network; every step is
# skipped when already done, so a re-run finishes an interrupted add.
add_org() {
  local org="$1" display="${2:-}" msp index p
  [[ "$org" =~ ^[a-z][a-z0-9]{1,15}$ ]] || die "NAME must be lower-case letters and digits (2–16), e.g. brand"
  # IDCHAIN_API_<ORG> names an org's own API in the env file; these would
  # shadow the API's settings (IDCHAIN_API_ADDR, _KEYS, _ORG, _CHECKPOINT).
  case "$org" in addr | keys | org | checkpoint) die "NAME $org is reserved" ;; esac
  [[ -f "$READY_MARK" ]] || die "no running network (make up first)"
  msp="${org^}MSP"
  CHANGED=0
  build_orgupdate
  if ! in_orgs "$org"; then
    CHANGED=1
    for p in "${ORGS[@]}"; do [[ "${ORG_MSP[$p]}" == "$msp" ]] && die "$msp already belongs to org $p"; done
    index="$(free_org_index)"
    [[ -n "$display" ]] || display="新成员 ${org^} (joined $(date -u +%F))"
    record_added <<EOF
# org $org added by make add-org at $(date -u +%FT%TZ)
ORGS+=($org)
ORG_MSP[$org]=$msp
ORG_DISPLAY[$org]=$(printf '%q' "$display")
ORG_INDEX[$org]=$index
ORG_PEERS[$org]=1
ORG_USERS[$org]="$org-admin:admin:admin $org-operator:operator:client $org-qa:qa:client"
EOF
    ports_free "$(org_host "$org")" "$(ca_port "$org")" "$(ca_ops_port "$org")" "$(cc_port "$org")" \
      "$(peer_port "$org" 0)" "$(peer_cc_port "$org" 0)" "$(peer_ops_port "$org" 0)"
    log "org $org ($msp): port block $(org_base "$org") + offset"
  fi
  if [[ "$MULTIHOST" == 1 && ! -f "$HOSTS_DIR/$org/config/core.yaml" ]]; then
    (use_host "$org" && write_core_yaml)
  fi
  is_running "ca.$org" || { start_ca "$org"; CHANGED=1; }
  wait_ca "$org"
  if [[ ! -f "$(use_host "$org" && org_dir "$org")/enrolled" ]]; then
    CHANGED=1
    enroll_org "$org"
    touch "$(use_host "$org" && org_dir "$org")/enrolled"
  fi
  exchange_for_new_org "$org"
  update_channel_for_org "$org"
  for ((p = 0; p < ORG_PEERS[$org]; p++)); do
    is_running "$(peer_name "$org" "$p")" || { start_peer "$org" "$p"; CHANGED=1; }
    wait_peer "$org" "$p"
    join_peer "$org" "$p"
    # Until the new peer has the config block that adds its org, it refuses
    # its own admin's proposals ("creator org unknown"): wait until it has
    # every block the first org's peer has (which had the update above).
    wait_until "$(peer_name "$org" "$p")" "${IDCHAIN_CATCHUP_TIMEOUT:-240}" level_with "$org" "$p" "${ORGS[0]}"
  done
  [[ -f "$(use_host "$org" && echo "$CC_DIR")/$org/package-id" ]] || package_chaincode "$org"
  is_running "cc.$org" || { start_cc "$org"; CHANGED=1; }
  wait_cc "$org"
  for ((p = 0; p < ORG_PEERS[$org]; p++)); do install_chaincode "$org" "$p"; done
  redefine_chaincode_for_org "$msp"
  add_org_to_chaincode_config "$msp"
  write_profile
  if ((CHANGED)); then
    wait_ready
  else
    log "org $org: nothing to do"
  fi
  log "org $org ($msp) is a member: ${#ORGS[@]} orgs, MAJORITY Endorsement = $((${#ORGS[@]} / 2 + 1)) of ${#ORGS[@]}"
}

# peer_height ORG P: the peer's channel height (operations metrics).
peer_height() {
  curl -fsS --max-time 2 "http://$(org_host "$1"):$(peer_ops_port "$1" "$2")/metrics" 2>/dev/null |
    sed -n "s/^ledger_blockchain_height{channel=\"$CHANNEL\"} \([0-9]*\)\$/\1/p"
}

# level_with ORG P REF: peer P of ORG has every block REF's first peer has.
level_with() {
  local want have
  want="$(peer_height "$3" 0)" have="$(peer_height "$1" "$2")"
  [[ -n "$want" && -n "$have" ]] && ((have >= want))
}

# Waits until peer P of ORG has every block peer0 has. Blocks whose private
# data (the org's lifecycle approvals in its implicit collection) the new
# peer cannot pull yet hold it up to the gossip pull threshold
# (IDCHAIN_PVT_PULL_THRESHOLD, 15 s; lib/nodes.sh).
catch_up() {
  local start=$SECONDS
  wait_until "$(peer_name "$1" "$2")" "${IDCHAIN_CATCHUP_TIMEOUT:-240}" level_with "$1" "$2" "$1"
  log "$(peer_name "$1" "$2") caught up to height $(peer_height "$1" "$2") in $((SECONDS - start))s"
}

# add_peer ORG: one more peer for ORG (peer<n>.<org>), enrolled with the
# org's CA, joined from the channel's genesis block (it catches up from the
# orderers), running the org's chaincode package and listed in the profile.
# A re-run finishes an unfinished last peer before adding another.
add_peer() {
  local org="$1" p name
  [[ -f "$READY_MARK" ]] || die "no running network (make up first)"
  in_orgs "$org" || die "unknown org $org (one of: ${ORGS[*]})"
  [[ "$MULTIHOST" != 1 ]] || die "add-peer is not automated in the multi-host rehearsal"
  p=$((ORG_PEERS[$org] - 1))
  if [[ -f "$DATA_DIR/$(peer_name "$org" "$p")/added" || "$p" == 0 ]]; then
    p=$((p + 1))
    ((p <= 8)) || die "$org already has nine peers (the port block's limit)"
    ports_free "$(org_host "$org")" "$(peer_port "$org" "$p")" "$(peer_cc_port "$org" "$p")" "$(peer_ops_port "$org" "$p")"
    record_added <<EOF
# peer $p of $org added by make add-peer at $(date -u +%FT%TZ)
ORG_PEERS[$org]=$((p + 1))
EOF
  fi
  name="$(peer_name "$org" "$p")"
  [[ -f "$(peer_dir "$org" "$p")/tls/server.crt" ]] || enroll_peer "$org" "$p"
  is_running "$name" || start_peer "$org" "$p"
  wait_peer "$org" "$p"
  join_peer "$org" "$p"
  install_chaincode "$org" "$p"
  catch_up "$org" "$p"
  write_profile
  touch "$DATA_DIR/$name/added"
  log "$name joined $CHANNEL at $HOST:$(peer_port "$org" "$p")"
}
