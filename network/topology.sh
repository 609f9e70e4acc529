# shellcheck shell=bash
# Single source of truth for the idchain Fabric network: organisations, users,
# nodes and ports. Sourced by the native scripts (network/*.sh) and by
# network/gen-compose.sh, which writes docker-compose.fabric.yml from it.
#
# To add a peer org: append its key to ORGS and give it an MSP id, a display
# name, an index (1..9, decides its port block) and users. To add a peer to an
# org: raise its ORG_PEERS count. To add an orderer: append to ORDERERS.

CHANNEL=idchain
CC_NAME=idchain
CC_VERSION=1.0
# Transaction used to prove the network is ready: submitted by the first org's
# admin and endorsed by every org. system:Ping is the network self-test
# function of the chaincode (docs/chaincode-api.md).
READY_ARGS='{"Args":["system:Ping"]}'

# Every port below is shifted by IDCHAIN_PORT_OFFSET (default 0) so two
# networks can coexist on one machine.
PORT_OFFSET=${IDCHAIN_PORT_OFFSET:-0}
# HOST: the address of everything in the default single-address network, and
# of the shared services (Redis, the API) in the multi-host rehearsal.
HOST=127.0.0.1
# Multi-host rehearsal (IDCHAIN_MULTIHOST=1, network/rehearse.sh): every peer
# org binds its own loopback address 127.0.1.<index>, orderer n binds
# 127.0.2.<n>, Redis and the API 127.0.3.1 (Linux routes all of 127/8 to lo),
# and each org keeps its files in network/.run/hosts/<org>/ (lib/multihost.sh).
MULTIHOST=${IDCHAIN_MULTIHOST:-0}
[[ "$MULTIHOST" == 1 ]] && HOST=127.0.3.1

# Ordering service: one orderer org, etcdraft.
ORDERER_MSP=OrdererMSP
ORDERER_DOMAIN=orderer.idchain.local
ORDERERS=(orderer1 orderer2 orderer3)

# Peer orgs, in the order used for ports and for the profile.
ORGS=(platform maker partner regulator)
declare -A ORG_MSP=(
  [platform]=PlatformMSP [maker]=MakerMSP [partner]=PartnerMSP [regulator]=RegulatorMSP
)
declare -A ORG_DISPLAY=(
  [platform]="行业二级节点运营方 Platform operator"
  [maker]="制造企业 Manufacturer"
  [partner]="协作企业 Cluster partner"
  [regulator]="市场监管 Regulator"
)
declare -A ORG_INDEX=([platform]=1 [maker]=2 [partner]=3 [regulator]=4)
declare -A ORG_PEERS=([platform]=1 [maker]=1 [partner]=1 [regulator]=1)
# Users per org as name:role:type. role is the idchain.role attribute put in
# the enrollment certificate (empty: no attribute); type is the Fabric CA
# identity type, which NodeOUs turn into the MSP role. The first admin-type
# user of an org is the org admin used for channel and lifecycle operations.
declare -A ORG_USERS=(
  [platform]="platform-admin:admin:admin"
  [maker]="maker-admin:admin:admin maker-operator:operator:client maker-inspector:inspector:client maker-qa:qa:client maker-norole::client"
  [partner]="partner-admin:admin:admin partner-operator:operator:client partner-qa:qa:client"
  [regulator]="regulator-admin:admin:admin regulator:regulator:client"
)

# Ports. Orderer n (1-based): 7000+10n (cluster+client), +1 admin, +2 operations.
# Org with index i: block 7000+100i; peer p: +10p (listen), +10p+1 (chaincode
# callback), +10p+2 (operations); CA +90, CA operations +91; chaincode server +95.
port_of() { echo $(($1 + PORT_OFFSET)); }
orderer_num() { echo "${1#orderer}"; }
orderer_port() { port_of $((7000 + 10 * $(orderer_num "$1"))); }
orderer_admin_port() { port_of $((7001 + 10 * $(orderer_num "$1"))); }
orderer_ops_port() { port_of $((7002 + 10 * $(orderer_num "$1"))); }
org_base() { echo $((7000 + 100 * ORG_INDEX[$1])); }
peer_port() { port_of $(($(org_base "$1") + 10 * $2)); }
peer_cc_port() { port_of $(($(org_base "$1") + 10 * $2 + 1)); }
peer_ops_port() { port_of $(($(org_base "$1") + 10 * $2 + 2)); }
ca_port() { port_of $(($(org_base "$1") + 90)); }
ca_ops_port() { port_of $(($(org_base "$1") + 91)); }
# CC_PORT_SLOT moves the chaincode server (a second chaincode beside idchain:
# scripts/bench/policycost.sh uses +97).
cc_port() { port_of $(($(org_base "$1") + ${CC_PORT_SLOT:-95})); }
REDIS_PORT=$(port_of 6380)
API_PORT=$(port_of 8080)
API_OPS_PORT=$(port_of 8070) # /metrics, /readyz with error text: loopback only; per-org APIs +1…
# Profiling listeners (pprof), opened only when IDCHAIN_PPROF=1 (the
# benchmark run, scripts/bench/profile.sh): peer +10p+3, orderer n
# 7000+10n+3, chaincode server of an org +96, API 8090.
peer_pprof_port() { port_of $(($(org_base "$1") + 10 * $2 + 3)); }
orderer_pprof_port() { port_of $((7003 + 10 * $(orderer_num "$1"))); }
cc_pprof_port() { port_of $(($(org_base "$1") + 96)); }
API_PPROF_PORT=$(port_of 8090)

# The address a node of ORG / orderer O binds (HOST unless multi-host).
org_host() { if [[ "$MULTIHOST" == 1 ]]; then echo "127.0.1.${ORG_INDEX[$1]}"; else echo "$HOST"; fi; }
orderer_host() { if [[ "$MULTIHOST" == 1 ]]; then echo "127.0.2.$(orderer_num "$1")"; else echo "$HOST"; fi; }
peer_addr() { echo "$(org_host "$1"):$(peer_port "$1" "$2")"; }
orderer_addr() { echo "$(orderer_host "$1"):$(orderer_port "$1")"; }

# Names used by node.sh and in logs: orderer1, peer0.maker, ca.maker, cc.maker, redis.
peer_name() { echo "peer$2.$1"; }
org_admin() {
  local entry
  for entry in ${ORG_USERS[$1]}; do
    [[ "$(cut -d: -f3 <<<"$entry")" == admin ]] && { cut -d: -f1 <<<"$entry"; return; }
  done
  return 1
}
