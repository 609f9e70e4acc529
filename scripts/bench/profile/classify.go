package main

import (
	"strings"

	"github.com/google/pprof/profile"
)

// The cost categories of the breakdown in docs/benchmarks.md. A sample (one
// call stack) is charged to exactly one:
//
//  1. leaf first, the first frame (skipping the runtime and syscalls, so an
//     allocation or a write counts for whoever made it) that is ECDSA, SHA-256,
//     JSON or LevelDB code names the category (a LevelDB read under the
//     block store is "block store", otherwise "state DB");
//  2. otherwise the first context rule whose frame appears anywhere in the
//     stack (chaincode↔peer messaging before policy evaluation before
//     validation/commit before gossip …), so gRPC, protobuf and syscall
//     time lands on the work that caused it;
//  3. otherwise a stack of runtime frames only is "GC and runtime", anything
//     else "other".
//
// gRPC's reader and writer goroutines do not show whose stream they serve:
// in a peer their time stays "gRPC, protobuf, TLS, network I/O" (chaincode
// streams, gossip, gateway, deliver together); in a chaincode server, whose
// only connection is the stream with its peer, analyze counts it as
// chaincode↔peer round trips.
const (
	catSign      = "signing (ECDSA)"
	catVerify    = "signature checks (ECDSA verify)"
	catHash      = "hashing (SHA-256)"
	catJSON      = "JSON"
	catStateDB   = "state DB (LevelDB)"
	catBlocks    = "block store (files, index)"
	catCCMsg     = "chaincode↔peer round trips"
	catPolicy    = "endorsement policy evaluation"
	catValidate  = "block validation and commit"
	catGossip    = "gossip"
	catConsensus = "ordering (raft, block cutting, WAL)"
	catEndorse   = "endorsement, gateway (simulation, orchestration)"
	catHTTP      = "HTTP"
	catApp       = "idchain code (API handlers, chaincode logic)"
	catRedis     = "Redis client"
	catTransport = "gRPC, protobuf, TLS, network I/O"
	catRuntime   = "GC and runtime"
	catOther     = "other"
)

// categories in the order the tables list them.
var categories = []string{catVerify, catSign, catHash, catPolicy, catCCMsg, catStateDB, catBlocks, catValidate,
	catGossip, catConsensus, catEndorse, catJSON, catHTTP, catApp, catRedis, catTransport, catRuntime, catOther}

type rule struct {
	cat  string
	subs []string
}

// contextRules, in priority order (step 2).
var contextRules = []rule{
	{catCCMsg, []string{"fabric/core/chaincode.", "fabric-chaincode-go", "fabric-protos-go-apiv2/peer.(*chaincodeSupport", "ChaincodeStream"}},
	{catPolicy, []string{"fabric/common/policies", "fabric/common/cauthdsl", "fabric/common/policydsl", "/statebased.", "fabric/core/policy"}},
	{catValidate, []string{"fabric/core/committer", "fabric/core/ledger", "fabric/internal/pkg/txvalidator", "fabric/core/common/validation", "fabric/core/handlers/validation"}},
	{catGossip, []string{"fabric/gossip/"}},
	{catConsensus, []string{"fabric/orderer/", "go.etcd.io/"}},
	{catEndorse, []string{"fabric/core/endorser", "fabric/internal/pkg/gateway", "fabric/core/aclmgmt", "fabric-gateway/pkg"}},
	{catRedis, []string{"github.com/redis/"}},
	{catHTTP, []string{"net/http."}},
	{catApp, []string{"github.com/idchain/idchain/"}},
	{catTransport, []string{"google.golang.org/grpc", "google.golang.org/protobuf", "github.com/golang/protobuf", "crypto/tls", "internal/poll", "net.(*", "crypto/aes", "crypto/internal/fips140/aes"}},
}

// leafCategory is step 1 for one frame's function name ("" none).
func leafCategory(fn string, stack []string) string {
	switch {
	case strings.HasPrefix(fn, "crypto/ecdsa") || strings.HasPrefix(fn, "crypto/internal/fips140/ecdsa") ||
		strings.HasPrefix(fn, "crypto/internal/fips140/nistec") || strings.HasPrefix(fn, "crypto/elliptic") ||
		strings.HasPrefix(fn, "crypto/internal/fips140/bigmod") || strings.HasPrefix(fn, "math/big"):
		if anyContains(stack, "Sign") && !anyContains(stack, "Verify") {
			return catSign
		}
		return catVerify
	case strings.HasPrefix(fn, "crypto/sha256") || strings.HasPrefix(fn, "crypto/internal/fips140/sha256") ||
		strings.HasPrefix(fn, "crypto/sha512") || strings.HasPrefix(fn, "crypto/internal/fips140/sha512"):
		return catHash
	case strings.HasPrefix(fn, "encoding/json") || strings.Contains(fn, "bytedance/sonic") || strings.Contains(fn, "goccy/go-json"):
		return catJSON
	case strings.Contains(fn, "goleveldb") || strings.Contains(fn, "leveldbhelper"):
		if anyContains(stack, "blkstorage") {
			return catBlocks
		}
		return catStateDB
	case strings.Contains(fn, "fabric/common/ledger/blkstorage"):
		return catBlocks
	}
	return ""
}

func runtimeFrame(fn string) bool {
	for _, p := range []string{"runtime.", "internal/runtime", "syscall.", "internal/syscall", "sync.", "sync/atomic.", "internal/sync", "memeqbody", "indexbytebody", "aeshashbody", "gcWriteBarrier"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

func anyContains(stack []string, sub string) bool {
	for _, f := range stack {
		if strings.Contains(f, sub) {
			return true
		}
	}
	return false
}

// classify is the category of one call stack, leaf first.
func classify(stack []string) string {
	for _, fn := range stack {
		if runtimeFrame(fn) {
			continue
		}
		if c := leafCategory(fn, stack); c != "" {
			return c
		}
	}
	for _, r := range contextRules {
		for _, sub := range r.subs {
			if anyContains(stack, sub) {
				return r.cat
			}
		}
	}
	for _, fn := range stack {
		if !runtimeFrame(fn) {
			return catOther
		}
	}
	return catRuntime
}

// marker is a function whose cumulative time (all samples with it on the
// stack, whatever category they were charged to) the tables list beside the
// categories for processes of kind.
type marker struct{ kind, label, sub string }

var markers = []marker{
	{"peers", "chaincode execution on the peer (Handler.HandleTransaction)", "core/chaincode.(*Handler).HandleTransaction"},
	{"peers", "  PutState's state-metadata lookup (txSimulator.checkStateMetadata)", "(*txSimulator).checkStateMetadata"},
	{"peers", "  key-level policy writes (Handler.HandlePutStateMetadata)", "(*Handler).HandlePutStateMetadata"},
	{"peers", "  reads (Handler.HandleGetState)", "(*Handler).HandleGetState"},
	{"peers", "endorser (Endorser.ProcessProposal)", "(*Endorser).ProcessProposal"},
	{"peers", "block validation (TxValidator.Validate)", "(*TxValidator).Validate"},
	{"peers", "  key-level endorsement policies (KeyLevelValidator.Validate)", "(*KeyLevelValidator).Validate"},
	{"peers", "  MVCC read-set checks (ValidateAndPrepare)", "(*LockBasedTxMgr).ValidateAndPrepare"},
	{"peers", "commit (kvLedger.CommitLegacy)", "(*kvLedger).CommitLegacy"},
	{"peers", "  history DB (history.(*DB).Commit)", "kvledger/history.(*DB).Commit"},
	{"peers", "signature checks (msp identity.Verify)", "msp.(*identity).Verify"},
	{"chaincode", "contract code (idchain chaincode package)", "github.com/idchain/idchain/chaincode."},
	{"API", "HTTP server (net/http.(*conn).serve)", "net/http.(*conn).serve"},
	{"API", "Redis client", "github.com/redis/"},
	{"API", "Fabric gateway client", "fabric-gateway/pkg"},
}

// stackOf is the function names of a sample, leaf first.
func stackOf(s *profile.Sample) []string {
	var stack []string
	for _, loc := range s.Location {
		for i := len(loc.Line) - 1; i >= 0; i-- { // inlined frames: innermost first
			if loc.Line[i].Function != nil {
				stack = append(stack, loc.Line[i].Function.Name)
			}
		}
	}
	return stack
}

// cumulative is CPU seconds of the samples with sub on their stack.
func cumulative(p *profile.Profile, sub string) float64 {
	vi := cpuIndex(p)
	t := 0.0
	for _, s := range p.Sample {
		if anyContains(stackOf(s), sub) {
			t += float64(s.Value[vi]) / 1e9
		}
	}
	return t
}

func cpuIndex(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			return i
		}
	}
	return len(p.SampleType) - 1
}

// breakdown is CPU seconds per category of one CPU profile.
func breakdown(p *profile.Profile) (map[string]float64, float64) {
	vi := cpuIndex(p)
	out := map[string]float64{}
	total := 0.0
	for _, s := range p.Sample {
		sec := float64(s.Value[vi]) / 1e9
		out[classify(stackOf(s))] += sec
		total += sec
	}
	return out, total
}
