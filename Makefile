# idchain developer commands. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
INTEGRATION_TIMEOUT ?= 45m

.PHONY: help up down demo network-up network-down api-up api-down add-org add-peer rehearse status tools test test-unit test-integration bench-fabric

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

up: network-up api-up demo ## build and start everything (Redis, Fabric, chaincode, API), seed the demo, print verify links; idempotent
	@echo "ready: source network/.run/env (IDCHAIN_API, keys, IDCHAIN_PROFILE)"

down: api-down network-down ## stop every process started by make up and remove network/.run

network-up: ## build the Fabric binaries, start Redis and the Fabric network, deploy the chaincode
	@network/network.sh up

network-down: ## stop the network processes and remove network/.run
	@network/network.sh down

api-up: ## start the REST API (scripts/api-up.sh) once it exists
	@if [ -f cmd/idchain-api/main.go ] && [ -f scripts/api-up.sh ]; then \
	  IDCHAIN_API_ADDR="$${IDCHAIN_API_ADDR:-$$(sed -n 's#^IDCHAIN_API=http://##p' network/.run/env 2>/dev/null)}" bash scripts/api-up.sh; \
	else echo "api-up: cmd/idchain-api or scripts/api-up.sh missing, API not started"; fi

demo: ## seed the three-industry demo through the REST API and print verify links (idempotent; DEMO_ARGS=-no-qr)
	@if [ -f network/.run/api/keys.json ]; then go run ./cmd/idchain-demo $(DEMO_ARGS); \
	else echo "demo: the API is not running, nothing seeded"; fi

api-down:
	@if [ -f scripts/api-down.sh ]; then bash scripts/api-down.sh; fi

add-org: ## add a peer org to the running system: make add-org NAME=brand [DISPLAY='品牌方 Brand'] (BrandMSP; idempotent)
	@[ -n "$(NAME)" ] || { echo "usage: make add-org NAME=<lower-case name>"; exit 2; }
	@network/network.sh add-org "$(NAME)" "$(DISPLAY)"
	@if [ -f network/.run/api/api.pid ] && kill -0 "$$(cat network/.run/api/api.pid)" 2>/dev/null; then $(MAKE) --no-print-directory api-up; fi

add-peer: ## add one more peer to an org of the running system: make add-peer ORG=maker
	@[ -n "$(ORG)" ] || { echo "usage: make add-peer ORG=<org>"; exit 2; }
	@network/network.sh add-peer "$(ORG)"
	@if [ -f network/.run/api/api.pid ] && kill -0 "$$(cat network/.run/api/api.pid)" 2>/dev/null; then API_REBUILD=1 $(MAKE) --no-print-directory api-up; fi

rehearse: ## multi-host rehearsal: a second network in network/.run-multihost, each org on its own 127.0.1.x address, directory and Unix user, checked, a fifth org joins from its own host, checked again, stopped (test/multihost, 2-4 min; make test runs the first half)
	go test -tags 'integration rehearse' -count=1 -v -timeout 20m -run TestMultihostAddOrg ./test/multihost/

status: ## processes of the running system with PID and RSS
	@network/network.sh status

tools: ## build the pinned Fabric and Fabric CA binaries into network/bin
	@network/build-tools.sh

test: ## unit tests, then start the system, run the integration tests, stop it
	@scripts/test.sh

test-unit: ## go test -race ./... (no network needed)
	go test -race -count=1 ./...

test-integration: ## integration tests against the running system (make up first)
	go test -tags integration -p 1 -count=1 -timeout $(INTEGRATION_TIMEOUT) ./...

bench-fabric: ## raw-Fabric baseline: committed tx/s of a trivial write at 1/8/32 clients
	@scripts/bench/fabric-baseline.sh

.PHONY: bench-register
bench-register: ## RegisterItems items/s at batch sizes 1/10/100/500/1000 beside the raw-Fabric baseline (docs/benchmarks.md)
	@[ -f network/.run/ready ] || network/network.sh up
	go run ./scripts/bench/register $(BENCH_ARGS)

.PHONY: bench-policy
bench-policy: ## cost of the trust model: registration items/s and single-write latency of the chaincode now and before it (e90b0ec, deployed as idchain-legacy) side by side, with R (docs/benchmarks.md)
	@scripts/bench/policycost.sh $(BENCH_ARGS)

.PHONY: bench-profile
bench-profile: ## CPU profiles of peers, orderers, chaincode servers and API under load, with the cost breakdown (docs/benchmarks.md; BENCH_ARGS="-workloads batched,single,verify")
	@scripts/bench/profile.sh $(BENCH_ARGS)

.PHONY: bench
bench: ## issue 16 targets beside R in one run (BENCH_ARGS="-rows 20000" for a quick run; BENCH_STARTUP=1 also times make up)
	@scripts/bench/bench.sh $(BENCH_ARGS)
