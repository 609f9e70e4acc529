package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
)

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// preparedTx builds the bytes of an endorsed transaction (what
// client.Transaction.Bytes returns) whose chaincode action carries event.
func preparedTx(t *testing.T, event *peer.ChaincodeEvent) []byte {
	t.Helper()
	action := &peer.ChaincodeAction{Response: &peer.Response{Status: 200, Payload: []byte(`{}`)}}
	if event != nil {
		action.Events = mustMarshal(t, event)
	}
	prp := &peer.ProposalResponsePayload{Extension: mustMarshal(t, action)}
	act := &peer.ChaincodeActionPayload{Action: &peer.ChaincodeEndorsedAction{ProposalResponsePayload: mustMarshal(t, prp)}}
	tx := &peer.Transaction{Actions: []*peer.TransactionAction{{Payload: mustMarshal(t, act)}}}
	payload := &common.Payload{Header: &common.Header{}, Data: mustMarshal(t, tx)}
	return mustMarshal(t, &gateway.PreparedTransaction{TransactionId: "tx1", Envelope: &common.Envelope{Payload: mustMarshal(t, payload)}})
}

func TestTransactionEventReadsTheEndorsedChaincodeEvent(t *testing.T) {
	payload, _ := json.Marshal(domain.ChaincodeEvent{Type: "items.registered", IDs: []string{"88.1/A", "88.1/CASE"}})
	ev, ok, err := TransactionEvent(preparedTx(t, &peer.ChaincodeEvent{TxId: "tx1", EventName: ChaincodeEventTag, Payload: payload}))
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	if ev.Type != "items.registered" || !slices.Equal(ev.IDs, []string{"88.1/A", "88.1/CASE"}) || ev.TxID != "tx1" {
		t.Fatalf("event %+v", ev)
	}
	for name, b := range map[string][]byte{
		"no event":                 preparedTx(t, nil),
		"an event of another name": preparedTx(t, &peer.ChaincodeEvent{TxId: "tx1", EventName: "other", Payload: payload}),
	} {
		if _, ok, err := TransactionEvent(b); ok || err != nil {
			t.Errorf("%s: ok %v, err %v; want none and no error", name, ok, err)
		}
	}
	if _, _, err := TransactionEvent([]byte("not a transaction")); err == nil {
		t.Error("garbage parsed")
	}
}

func TestAfterCommitWaitsForThePeersThenDropsOnce(t *testing.T) {
	var steps []string
	a := AfterCommit{
		AwaitPeers: func(_ context.Context, block uint64) { steps = append(steps, fmt.Sprint("wait ", block)) },
		Drop:       func(_ context.Context, ev domain.ChaincodeEvent) { steps = append(steps, fmt.Sprint("drop ", ev.IDs)) },
	}
	a.Run(context.Background(), Committed{Block: 7, Event: domain.ChaincodeEvent{IDs: []string{"88.1/A"}}})
	a.Run(context.Background(), Committed{Block: 8}) // an event naming nothing: nothing to drop
	if got := fmt.Sprint(steps); got != "[wait 7 drop [88.1/A] wait 8]" {
		t.Fatalf("steps %s", got)
	}
}

// The coalescer runs the after-commit path once per transaction, with the
// block and event of that transaction, before it answers the requests.
func TestCoalescerRunsAfterCommitOncePerTransaction(t *testing.T) {
	reg := &fakeRegistry{seen: map[string]int{}}
	var mu sync.Mutex
	var runs []Committed
	c := NewCoalescer(reg, CoalescerConfig{MaxItems: 2, AfterCommit: func(_ context.Context, done Committed) {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, done)
	}})
	defer c.Close()
	if _, err := c.Register(context.Background(), "u", items("A", "B", "C")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != len(reg.txs) || len(runs) != 2 {
		t.Fatalf("%d after-commit runs for %d transactions", len(runs), len(reg.txs))
	}
	for i, r := range runs {
		if r.Block == 0 || len(r.Event.IDs) == 0 {
			t.Errorf("run %d without the transaction's block or event: %+v", i, r)
		}
	}
}
