#!/usr/bin/env bash
# Raw-Fabric baseline: latency of one submit and committed tx/s of the trivial
# write system:Touch with 1, 8 and 32 concurrent clients (make bench-fabric).
# Starts the network when it is not running. Extra arguments go to the Go
# program, e.g. -duration 30s -clients 1,8,32,128. Results also land in
# scripts/bench/results/ (ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

main() {
  [[ -f network/.run/ready ]] || network/network.sh up
  mkdir -p scripts/bench/results
  local out
  out="scripts/bench/results/fabric-baseline-$(date +%Y%m%d-%H%M%S).json"
  go run ./scripts/bench/fabric -json "$out" "$@"
  echo "results: $out"
}

main "$@"
