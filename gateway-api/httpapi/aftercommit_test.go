package httpapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/idchain/idchain/gateway-api/ledger"
)

// afterCommitRecorder records the after-commit runs: the block waited for
// and the event ids dropped.
type afterCommitRecorder struct {
	mu   sync.Mutex
	runs []string
}

func (r *afterCommitRecorder) run(_ context.Context, done ledger.Committed) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, fmt.Sprintf("block %d drop %v", done.Block, done.Event.IDs))
}

func (r *afterCommitRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.runs)
}

// coalesced registers through a real ledger.Coalescer over the fake ledger,
// wired as cmd/idchain-api wires it.
func coalesced(t *testing.T, inFlight int) func(d *Deps) {
	return func(d *Deps) {
		c := ledger.NewCoalescer(d.Ledger.(*fakeLedger), ledger.CoalescerConfig{AfterCommit: d.AfterCommit, InFlight: inFlight})
		t.Cleanup(c.Close)
		d.Registrar = c
	}
}

const oneItem = `{"items":[{"id":"88.118.8/A","kind":"unit","industry":"generic","model":"M"}]}`

// Every write runs the after-commit path once, with the block it committed
// in (so the wait covers it) and the chaincode event's ids (a registered
// item's parent included).
func TestAfterCommitOncePerWrite(t *testing.T) {
	child := `{"items":[{"id":"88.118.8/A","kind":"unit","industry":"generic","model":"M","parent":"88.118.8/KB-1"}]}`
	cases := []struct {
		name, user, path, body string
		coalesce               bool
		want                   string
	}{
		{"registration, one transaction", "maker-operator", "/v1/items", oneItem, false, "[block 1 drop [88.118.8/A]]"},
		{"registration through the coalescer", "maker-operator", "/v1/items", oneItem, true, "[block 1 drop [88.118.8/A]]"},
		{"registration under a parent drops the parent too", "maker-operator", "/v1/items", child, true, "[block 1 drop [88.118.8/A 88.118.8/KB-1]]"},
		{"release", "maker-qa", "/v1/items/88.118.8/KB-1/release", "", false, "[block 1 drop [88.118.8/KB-1]]"},
		{"recall", "regulator", "/v1/items/88.118.8/KB-1/recall", `{"reason":"test"}`, false, "[block 1 drop [88.118.8/KB-1]]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r afterCommitRecorder
			a := newTestAPI(t, func(d *Deps) {
				d.AfterCommit = r.run
				if tc.coalesce {
					coalesced(t, 0)(d)
				}
			})
			a.seed("88.118.8/KB-1") // no transaction: the write is block 1
			rec := a.do("POST", tc.path, tc.user, tc.body)
			if rec.Code >= 300 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if got := r.String(); got != tc.want {
				t.Fatalf("after-commit runs %s, want %s", got, tc.want)
			}
		})
	}
}

// Requests merged into one transaction share one after-commit run.
func TestAfterCommitOncePerCoalescedTransaction(t *testing.T) {
	var r afterCommitRecorder
	gate := make(chan struct{})
	a := newTestAPI(t, func(d *Deps) {
		d.AfterCommit = func(ctx context.Context, done ledger.Committed) {
			<-gate
			r.run(ctx, done)
		}
	}, coalesced(t, 1))
	var wg sync.WaitGroup
	for _, id := range []string{"A", "B", "C"} {
		wg.Go(func() {
			body := `{"items":[{"id":"88.118.8/` + id + `","kind":"unit","industry":"generic"}]}`
			if rec := a.do("POST", "/v1/items", "maker-operator", body); rec.Code != 201 {
				t.Errorf("%s: %d %s", id, rec.Code, rec.Body)
			}
		})
	}
	close(gate)
	wg.Wait()
	runs, txs := len(r.runs), a.ledger.submitted("registry:RegisterItems")
	if runs != txs || txs == 0 {
		t.Fatalf("%d after-commit runs for %d transactions: %s", runs, txs, r.String())
	}
}

// A write whose commit fails runs no after-commit path.
func TestAfterCommitSkippedWhenCommitFails(t *testing.T) {
	for _, coalesce := range []bool{false, true} {
		var r afterCommitRecorder
		a := newTestAPI(t, func(d *Deps) {
			d.AfterCommit = r.run
			if coalesce {
				coalesced(t, 0)(d)
			}
		})
		a.ledger.fail["registry:RegisterItems"] = errors.New("MVCC_READ_CONFLICT")
		if rec := a.do("POST", "/v1/items", "maker-operator", oneItem); rec.Code < 500 {
			t.Fatalf("coalesced=%v: %d %s", coalesce, rec.Code, rec.Body)
		}
		if got := r.String(); got != "[]" {
			t.Fatalf("coalesced=%v: after-commit runs %s for a failed commit", coalesce, got)
		}
	}
}
