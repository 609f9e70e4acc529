#!/usr/bin/env bash
# Swaps the chaincode server of one or more orgs between the honest
# cmd/idchain-cc and the test-only rogue server (test/adversary/roguecc):
#   test/adversary/swap.sh rogue maker             # maker's peers now dial the rogue server
#   test/adversary/swap.sh honest maker            # back to the honest one
#   test/adversary/swap.sh rogue platform partner regulator
# It reuses the network scripts' own start_cc (same address, chaincode id,
# TLS variables, log and PID files under network/.run), only with another
# binary, so it follows whatever the network scripts set for cc.<org>.
# The rogue binary is built into network/.run/bin/roguecc (ROGUECC_BIN=<path>
# uses a prebuilt one; the Go tests build it once per run and pass it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../network/lib/common.sh
source "$HERE/../../network/lib/common.sh"
for f in crypto nodes channel chaincode; do source "$NET_DIR/lib/$f.sh"; done

usage() { echo "usage: $0 rogue|honest ORG..." >&2; exit 2; }
[[ $# -ge 2 ]] || usage
mode="$1"; shift
[[ -d "$RUN_DIR" ]] || die "no network state in $RUN_DIR: run make up first"
[[ "$RUNTIME" == native ]] || die "swap.sh supports the native runtime only"

rogue_bin="${ROGUECC_BIN:-$RUN_DIR/bin/roguecc}"
# Builds the rogue server from the work tree (the Go build cache makes an
# unchanged rebuild cheap); ROGUECC_BIN=<path> uses a prebuilt one.
build_rogue() {
  [[ -n "${ROGUECC_BIN:-}" ]] && return 0
  mkdir -p "$(dirname "$rogue_bin")"
  (cd "$REPO_DIR" && go build -o "$rogue_bin.new" ./test/adversary/roguecc) || die "go build roguecc failed"
  mv "$rogue_bin.new" "$rogue_bin"
}

case "$mode" in
  rogue)
    build_rogue
    cc_binary() { echo "$rogue_bin"; }
    ;;
  honest) ;;
  *) usage ;;
esac

for org in "$@"; do
  [[ -n "${ORG_MSP[$org]:-}" ]] || die "unknown org $org"
  stop_process "cc.$org" 10
  start_cc "$org"
done
for org in "$@"; do wait_cc "$org"; done
