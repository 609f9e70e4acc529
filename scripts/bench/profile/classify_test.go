package main

import "testing"

func TestClassifyChargesTheWorkThatCausedIt(t *testing.T) {
	tests := []struct {
		name  string
		stack []string // leaf first
		want  string
	}{
		{"ECDSA verify under policy evaluation is a signature check",
			[]string{"crypto/internal/fips140/nistec.p256Mul", "crypto/ecdsa.VerifyASN1", "github.com/hyperledger/fabric/bccsp/sw.verifyECDSA", "github.com/hyperledger/fabric/common/cauthdsl.compile.func1"}, catVerify},
		{"ECDSA signing by the endorser is signing",
			[]string{"crypto/internal/fips140/nistec.p256Mul", "crypto/ecdsa.SignASN1", "github.com/hyperledger/fabric/bccsp/sw.signECDSA", "github.com/hyperledger/fabric/core/endorser.(*Endorser).ProcessProposal"}, catSign},
		{"an allocation in encoding/json is JSON",
			[]string{"runtime.mallocgc", "runtime.growslice", "encoding/json.(*decodeState).object", "github.com/idchain/idchain/chaincode.(*Contract).RegisterItems"}, catJSON},
		{"a LevelDB read under the chaincode handler is state DB",
			[]string{"github.com/syndtr/goleveldb/leveldb.(*DB).Get", "github.com/hyperledger/fabric/core/ledger/kvledger/txmgmt/statedb.(*VersionedDB).GetState", "github.com/hyperledger/fabric/core/chaincode.(*Handler).HandleGetState"}, catStateDB},
		{"a LevelDB write by the block store is block store",
			[]string{"github.com/syndtr/goleveldb/leveldb.(*DB).Write", "github.com/hyperledger/fabric/common/ledger/blkstorage.(*blockIndex).indexBlock"}, catBlocks},
		{"a gRPC write by the chaincode handler is a chaincode round trip",
			[]string{"syscall.Syscall", "internal/poll.(*FD).Write", "google.golang.org/grpc/internal/transport.(*loopyWriter).run", "github.com/hyperledger/fabric/core/chaincode.(*Handler).serialSend"}, catCCMsg},
		{"policy evaluation without crypto is policy evaluation",
			[]string{"runtime.mapaccess2", "github.com/hyperledger/fabric/core/common/validation/statebased.(*KeyLevelValidator).Validate"}, catPolicy},
		{"a bare gRPC read is transport",
			[]string{"syscall.Syscall", "internal/poll.(*FD).Read", "google.golang.org/grpc/internal/transport.(*http2Client).reader"}, catTransport},
		{"the garbage collector is runtime",
			[]string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, catRuntime},
		{"an unknown library is other", []string{"github.com/some/lib.F", "main.main"}, catOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.stack); got != tc.want {
				t.Fatalf("classify = %q, want %q", got, tc.want)
			}
		})
	}
}
