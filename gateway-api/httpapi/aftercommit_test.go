package httpapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// afterCommitRecorder records the after-commit steps in order.
type afterCommitRecorder struct {
	mu    sync.Mutex
	steps []string
}

func (r *afterCommitRecorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = append(r.steps, s)
}

func (r *afterCommitRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.steps)
}

func (r *afterCommitRecorder) wire(d *Deps) {
	d.Invalidate = func(_ context.Context, ids []string) { r.add(fmt.Sprint("drop", ids)) }
	d.AwaitPeers = func(_ context.Context, block uint64) { r.add(fmt.Sprint("wait", block)) }
}

const oneItem = `{"items":[{"id":"88.118.8/A","kind":"unit","industry":"generic","model":"M"}]}`

// Every write waits for the peers once, then drops its ids once.
func TestAfterCommitOncePerWrite(t *testing.T) {
	open := make(chan struct{})
	close(open)
	cases := []struct {
		name, user, path, body string
		registrar              bool
		want                   string
	}{
		{"registration, one transaction", "maker-operator", "/v1/items", oneItem, false, "[wait1 drop[88.118.8/A]]"},
		{"registration through the coalescer", "maker-operator", "/v1/items", oneItem, true, "[wait1 drop[88.118.8/A]]"},
		{"release", "maker-qa", "/v1/items/88.118.8/KB-1/release", "", false, "[wait1 drop[88.118.8/KB-1]]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r afterCommitRecorder
			a := newTestAPI(t, r.wire, func(d *Deps) {
				if tc.registrar {
					d.Registrar = gatedRegistrar{d.Ledger.(*fakeLedger), open}
				}
			})
			a.seed("88.118.8/KB-1")
			rec := a.do("POST", tc.path, tc.user, tc.body)
			if rec.Code >= 300 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if got := r.String(); got != tc.want {
				t.Fatalf("after-commit steps %s, want %s", got, tc.want)
			}
		})
	}
}

// A write whose commit fails neither waits nor invalidates.
func TestAfterCommitSkippedWhenCommitFails(t *testing.T) {
	open := make(chan struct{})
	close(open)
	for _, coalesced := range []bool{false, true} {
		var r afterCommitRecorder
		a := newTestAPI(t, r.wire, func(d *Deps) {
			if coalesced {
				d.Registrar = gatedRegistrar{d.Ledger.(*fakeLedger), open}
			}
		})
		a.ledger.fail["registry:RegisterItems"] = errors.New("MVCC_READ_CONFLICT")
		if rec := a.do("POST", "/v1/items", "maker-operator", oneItem); rec.Code < 500 {
			t.Fatalf("coalesced=%v: %d %s", coalesced, rec.Code, rec.Body)
		}
		if got := r.String(); got != "[]" {
			t.Fatalf("coalesced=%v: after-commit steps %s for a failed commit", coalesced, got)
		}
	}
}
