#!/usr/bin/env bash
# Developer check (not part of make test): run every EPCIS 2.0 example
# document of a checkout of github.com/gs1/EPCIS (JSON/**/*.jsonld) through
# idchain's parser and capture rules and print the per-document outcome.
# GS1's documents are not kept in this repository.
#   git clone https://github.com/gs1/EPCIS /tmp/gs1-epcis
#   scripts/gs1-examples.sh /tmp/gs1-epcis
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/JSON" ]; then
	echo "usage: $0 <checkout of github.com/gs1/EPCIS (with a JSON/ folder)>" >&2
	exit 2
fi
checkout=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
IDCHAIN_GS1_EPCIS="$checkout" go test -tags gs1examples -count=1 -run '^TestGS1ExamplesCheckout$' -v ./chaincode/ |
	sed -n 's/^ *gs1examples_test.go:[0-9]*: //p'
exit "${PIPESTATUS[0]}"
