#!/usr/bin/env bash
# Builds the pinned Hyperledger Fabric and Fabric CA binaries into network/bin/.
# The build is skipped when the pins (go.mod/go.sum of both tools modules), the Go
# version and this script are unchanged since the last successful build.
set -euo pipefail

NET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN_DIR="$NET_DIR/bin"
STAMP="$BIN_DIR/.stamp"

# Version strings reported by `peer version`, `orderer version` and /version.
FABRIC_VERSION="2.5.0-idchain+695dd57e01c2"
FABRIC_COMMIT="695dd57e01c2"
FABRIC_CA_VERSION="1.5.15"

FABRIC_CMDS=(peer orderer configtxgen osnadmin cryptogen)
CA_CMDS=(fabric-ca-server fabric-ca-client)

log() { printf '[build-tools] %s\n' "$*" >&2; }

pin_hash() {
  {
    cat "$NET_DIR/tools/fabric/go.mod" "$NET_DIR/tools/fabric/go.sum"
    cat "$NET_DIR/tools/fabric-ca/go.mod" "$NET_DIR/tools/fabric-ca/go.sum"
    cat "${BASH_SOURCE[0]}"
    go env GOVERSION
  } | sha256sum | cut -d' ' -f1
}

up_to_date() {
  local want="$1" cmd
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] || return 1
  for cmd in "${FABRIC_CMDS[@]}" "${CA_CMDS[@]}"; do
    [[ -x "$BIN_DIR/$cmd" ]] || return 1
  done
}

build_fabric() {
  local pkgs=() cmd
  for cmd in "${FABRIC_CMDS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$cmd"); done
  log "building ${FABRIC_CMDS[*]} ($FABRIC_VERSION)"
  (cd "$NET_DIR/tools/fabric" && go build -trimpath -o "$BIN_DIR/" \
    -ldflags "-X github.com/hyperledger/fabric/common/metadata.Version=$FABRIC_VERSION -X github.com/hyperledger/fabric/common/metadata.CommitSHA=$FABRIC_COMMIT" \
    "${pkgs[@]}")
}

build_fabric_ca() {
  local pkgs=() cmd
  for cmd in "${CA_CMDS[@]}"; do pkgs+=("github.com/hyperledger/fabric-ca/cmd/$cmd"); done
  log "building ${CA_CMDS[*]} ($FABRIC_CA_VERSION)"
  (cd "$NET_DIR/tools/fabric-ca" && CGO_ENABLED=1 go build -trimpath -o "$BIN_DIR/" \
    -ldflags "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=$FABRIC_CA_VERSION" \
    "${pkgs[@]}")
}

main() {
  command -v go >/dev/null || { log "go is not installed"; exit 1; }
  mkdir -p "$BIN_DIR"
  local want
  want="$(pin_hash)"
  if up_to_date "$want" && [[ "${1:-}" != "--force" ]]; then
    log "binaries up to date"
    return 0
  fi
  rm -f "$STAMP"
  local start=$SECONDS
  build_fabric
  build_fabric_ca
  echo "$want" >"$STAMP"
  log "done in $((SECONDS - start))s: $("$BIN_DIR/peer" version | sed -n 's/^ Version: //p')"
}

main "$@"
