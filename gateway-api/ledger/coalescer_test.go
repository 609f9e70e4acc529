package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
)

// fakeRegistry records RegisterItems transactions; an item whose id ends
// in "!" makes the whole transaction fail with a chaincode error.
type fakeRegistry struct {
	mu    sync.Mutex
	txs   [][]domain.ItemInput
	seen  map[string]int
	delay time.Duration
}

func (f *fakeRegistry) Submit(_ context.Context, call Call) (Committed, error) {
	time.Sleep(f.delay)
	var items []domain.ItemInput
	if err := json.Unmarshal([]byte(call.Args[0]), &items); err != nil {
		return Committed{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range items {
		if it.ID[len(it.ID)-1] == '!' {
			return Committed{}, domain.Errorf(domain.CodeInvalid, "bad batch")
		}
	}
	f.txs = append(f.txs, items)
	var res domain.BatchResult
	for _, it := range items {
		if it.Parent != "" && f.seen[it.Parent] == 0 {
			res.Results = append(res.Results, domain.ItemResult{ID: it.ID, Status: domain.ResultRejected})
			continue
		}
		f.seen[it.ID]++
		res.Results = append(res.Results, domain.ItemResult{ID: it.ID, Status: domain.ResultCreated})
	}
	b, _ := json.Marshal(res)
	tx := fmt.Sprintf("tx%d", len(f.txs))
	ev := domain.ChaincodeEvent{Type: "items.registered", TxID: tx}
	for _, r := range res.Results {
		if r.Status == domain.ResultCreated {
			ev.IDs = append(ev.IDs, r.ID)
		}
	}
	return Committed{Result: b, TxID: tx, Block: uint64(len(f.txs)), Event: ev}, nil
}

func items(ids ...string) []domain.ItemInput {
	out := make([]domain.ItemInput, len(ids))
	for i, id := range ids {
		out[i] = domain.ItemInput{ID: id}
	}
	return out
}

func TestConcurrentSingleItemRequestsShareTransactions(t *testing.T) {
	reg := &fakeRegistry{seen: map[string]int{}, delay: 20 * time.Millisecond}
	c := NewCoalescer(reg, CoalescerConfig{MaxItems: 100, MaxWait: 5 * time.Millisecond, InFlight: 2})
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			id := fmt.Sprintf("88.1/U%d", i)
			res, err := c.Register(context.Background(), "maker-operator", items(id))
			switch {
			case err != nil:
				errs <- err
			case len(res.Results) != 1 || res.Results[0].ID != id || res.TxID == "":
				errs <- fmt.Errorf("request %s got %+v", id, res)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(reg.txs) >= 64 {
		t.Fatalf("%d transactions for 64 requests: not coalesced", len(reg.txs))
	}
	for i := range 64 {
		if n := reg.seen[fmt.Sprintf("88.1/U%d", i)]; n != 1 {
			t.Fatalf("item %d registered %d times", i, n)
		}
	}
	t.Logf("64 requests in %d transactions", len(reg.txs))
}

func TestLargeRequestIsSplitAndKeepsParentOrder(t *testing.T) {
	reg := &fakeRegistry{seen: map[string]int{}}
	c := NewCoalescer(reg, CoalescerConfig{MaxItems: 3, InFlight: 4})
	defer c.Close()
	in := items("88.1/P", "88.1/A", "88.1/B", "88.1/C", "88.1/D", "88.1/E", "88.1/F")
	in[4].Parent = "88.1/P" // in the second chunk, parent in the first
	res, err := c.Register(context.Background(), "u", in)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.txs) != 3 {
		t.Fatalf("%d transactions, want 3 of at most 3 items", len(reg.txs))
	}
	for i, r := range res.Results {
		if r.ID != in[i].ID || r.Status != domain.ResultCreated {
			t.Fatalf("result %d = %+v, want %s created", i, r, in[i].ID)
		}
	}
}

func TestOneBadRequestDoesNotFailItsBatchMates(t *testing.T) {
	reg := &fakeRegistry{seen: map[string]int{}, delay: 10 * time.Millisecond}
	c := NewCoalescer(reg, CoalescerConfig{MaxItems: 100, MaxWait: 20 * time.Millisecond, InFlight: 1})
	defer c.Close()
	var wg sync.WaitGroup
	var good, bad error
	wg.Go(func() { _, good = c.Register(context.Background(), "u", items("88.1/OK")) })
	wg.Go(func() { _, bad = c.Register(context.Background(), "u", items("88.1/BAD!")) })
	wg.Wait()
	if good != nil {
		t.Fatalf("good request failed: %v", good)
	}
	if domain.CodeOf(bad) != domain.CodeInvalid {
		t.Fatalf("bad request: %v, want INVALID", bad)
	}
}

func TestUsersNeverShareATransaction(t *testing.T) {
	reg := &fakeRegistry{seen: map[string]int{}, delay: 10 * time.Millisecond}
	c := NewCoalescer(reg, CoalescerConfig{MaxItems: 100, MaxWait: 20 * time.Millisecond})
	defer c.Close()
	var wg sync.WaitGroup
	for _, u := range []string{"a", "b"} {
		wg.Go(func() { _, _ = c.Register(context.Background(), u, items("88.1/"+u)) })
	}
	wg.Wait()
	if len(reg.txs) != 2 {
		t.Fatalf("%d transactions for two users, want 2", len(reg.txs))
	}
}
