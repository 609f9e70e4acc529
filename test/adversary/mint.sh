#!/usr/bin/env bash
# Issues a new identity at an org's own Fabric CA, with any idchain.role —
# what every org admin can do for its own users:
#   test/adversary/mint.sh partner partner-fake-regulator-1 regulator
# Prints the MSP folder (signcerts/cert.pem, keystore/*_sk). Reuses
# network/lib's register_identity/enroll_identity (registrar, TLS, secrets).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../network/lib/common.sh
source "$HERE/../../network/lib/common.sh"
for f in crypto nodes; do source "$NET_DIR/lib/$f.sh"; done
[[ $# -eq 3 ]] || { echo "usage: $0 ORG NAME ROLE" >&2; exit 2; }
org="$1" name="$2" role="$3"
[[ -n "${ORG_MSP[$org]:-}" ]] || die "unknown org $org"
register_identity "$org" "$name" client "$role"
enroll_identity "$org" "$name" "$(user_msp "$org" "$name")"
user_msp "$org" "$name"
