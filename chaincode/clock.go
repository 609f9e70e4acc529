package chaincode

import (
	"fmt"
	"os"
	"reflect"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// The proposal timestamp is chosen by the client. Every transaction function
// first refuses a proposal whose timestamp lies more than TxWindow from the
// endorsing peer's clock (checkWindow, run by contract-api before every
// function of every contract). The window is IDCHAIN_TX_WINDOW on the
// chaincode server (a Go duration, default 5m).
//
// Why a disagreeing endorser is safe: the check only makes a peer decline to
// endorse; it changes no written value. A transaction that some endorsers
// refuse gathers fewer matching endorsements and fails its policy, so the
// worst a skewed clock does is stop its own org's endorsements (liveness),
// never let a back- or forward-dated record commit: every record time is the
// proposal timestamp, which each required endorser checked against its own
// clock, so it is within TxWindow of at least the responsible org's clock.

// DefaultTxWindow is the tolerated distance of a proposal timestamp from the
// peer's clock.
const DefaultTxWindow = 5 * time.Minute

// TxWindow is read once when the chaincode server starts.
var TxWindow = txWindowFromEnv()

// peerNow is the endorsing peer's clock (a variable: unit tests run on the
// fake ledger's transaction times).
var peerNow = func(shim.ChaincodeStubInterface) time.Time { return time.Now() }

func txWindowFromEnv() time.Duration {
	if s := os.Getenv("IDCHAIN_TX_WINDOW"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
		fmt.Fprintf(os.Stderr, "idchain: IDCHAIN_TX_WINDOW=%q is not a positive duration; using %s\n", s, DefaultTxWindow)
	}
	return DefaultTxWindow
}

// checkWindow refuses a proposal whose timestamp is outside TxWindow of the
// peer's clock (code STALE_TIMESTAMP... reported as INVALID).
func checkWindow(ctx contractapi.TransactionContextInterface) error {
	t, err := txTime(ctx.GetStub())
	if err != nil {
		return err
	}
	now := peerNow(ctx.GetStub())
	if d := t.Sub(now); d > TxWindow || d < -TxWindow {
		return domain.Errorf(domain.CodeInvalid, "proposal timestamp %s is %s from this peer's clock %s (window ±%s)",
			t.Format(time.RFC3339), d.Round(time.Second), now.UTC().Format(time.RFC3339), TxWindow)
	}
	return nil
}

// beforeEach runs before every contract function: the invocation's memo
// (regbatch.go) and the time window check.
func beforeEach(ctx contractapi.TransactionContextInterface) error {
	installMemo(ctx)
	return checkWindow(ctx)
}

// withWindow installs checkWindow (beforeEach) before every function of c. Every
// contract embeds contractapi.Contract; one that does not cannot get the
// check, which is a programming error caught when the chaincode is built.
func withWindow(c contractapi.ContractInterface) contractapi.ContractInterface {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var base *contractapi.Contract
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("Contract"); f.IsValid() && f.Type() == reflect.TypeOf(contractapi.Contract{}) && f.CanAddr() {
			base = f.Addr().Interface().(*contractapi.Contract)
		}
	}
	if base == nil {
		panic(fmt.Sprintf("chaincode: contract %T has no time window check", c))
	}
	base.BeforeTransaction = beforeEach
	return c
}
