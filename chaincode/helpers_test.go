package chaincode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// Test orgs and identities, generated once per test binary.
const (
	platformMSP  = "PlatformMSP"
	makerMSP     = "MakerMSP"
	partnerMSP   = "PartnerMSP"
	regulatorMSP = "RegulatorMSP"
)

var ids = map[string]*fakestub.Identity{}

// who returns a cached identity of org with role ("" for none).
func who(tb testing.TB, org, role string) *fakestub.Identity {
	tb.Helper()
	k := org + "/" + role
	if id, ok := ids[k]; ok {
		return id
	}
	id := fakestub.MustIdentity(tb, org, role+"@"+org, role)
	ids[k] = id
	return id
}

// tx runs fn as one transaction by id on l. It commits only when fn
// succeeds, and returns the stub for inspection.
func tx(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, fn func(ctx contractapi.TransactionContextInterface) error) (*fakestub.Stub, error) {
	tb.Helper()
	stub := l.NewTx(id)
	ctx, err := fakestub.Context(stub)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fn(ctx); err != nil {
		return stub, err
	}
	if err := stub.Commit(); err != nil {
		tb.Fatal(err)
	}
	return stub, nil
}

// mustTx is tx that fails the test on error.
func mustTx(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, fn func(ctx contractapi.TransactionContextInterface) error) *fakestub.Stub {
	tb.Helper()
	s, err := tx(tb, l, id, fn)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// wantCode fails unless err carries code.
func wantCode(tb testing.TB, err error, code domain.Code) {
	tb.Helper()
	if !errors.Is(err, &domain.Error{Code: code}) {
		tb.Fatalf("error = %v, want code %s", err, code)
	}
}

// onlyEvent returns the one chaincode event of a transaction.
func onlyEvent(tb testing.TB, s *fakestub.Stub) domain.ChaincodeEvent {
	tb.Helper()
	if len(s.Events) != 1 {
		tb.Fatalf("%d events, want exactly 1", len(s.Events))
	}
	if s.Events[0].Name != EventName {
		tb.Fatalf("event name %q", s.Events[0].Name)
	}
	var ev domain.ChaincodeEvent
	if err := json.Unmarshal(s.Events[0].Payload, &ev); err != nil {
		tb.Fatal(err)
	}
	if ev.TxID != s.GetTxID() {
		tb.Fatalf("event tx %q, want %q", ev.TxID, s.GetTxID())
	}
	return ev
}

// owned is the description of the owned-record policy of org over the four
// test orgs: org AND a majority (2) of the other three.
func owned(org string) string {
	var others []string
	for _, o := range []string{makerMSP, partnerMSP, platformMSP, regulatorMSP} {
		if o != org {
			others = append(others, o)
		}
	}
	return "2 of (" + org + ", 2 of (" + strings.Join(others, ", ") + "))"
}

// The fake ledger's transactions carry chosen times; the peer clock of the
// unit tests is the transaction's own time unless a test sets another.
func init() {
	peerNow = func(stub shim.ChaincodeStubInterface) time.Time {
		t, _ := txTime(stub)
		return t
	}
}

// allOrgs is the description of the append-only policy over the test orgs.
const allOrgs = "4 of (MakerMSP, PartnerMSP, PlatformMSP, RegulatorMSP)"
