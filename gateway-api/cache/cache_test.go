package cache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idchain/idchain/gateway-api/ledger"
)

// mapStore is an in-memory store that can be switched off like a dead Redis.
type mapStore struct {
	mu      sync.Mutex
	vals    map[string][]byte
	gens    map[string]int
	down    bool
	flushes int
	// beforeSet runs just before a fill is written (to inject races).
	beforeSet func()
}

var errDown = errors.New("redis: connection refused")

func newMapStore() *mapStore { return &mapStore{vals: map[string][]byte{}, gens: map[string]int{}} }

func (m *mapStore) get(_ context.Context, id, kind string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, "", errDown
	}
	return m.vals[kind+id], strconv.Itoa(m.gens[id]), nil
}

func (m *mapStore) setIfGen(_ context.Context, id, kind, gen string, val []byte, _ time.Duration) error {
	if m.beforeSet != nil {
		m.beforeSet()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errDown
	}
	if strconv.Itoa(m.gens[id]) == gen {
		m.vals[kind+id] = val
	}
	return nil
}

func (m *mapStore) invalidate(_ context.Context, ids, kinds []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errDown
	}
	for _, id := range ids {
		m.gens[id]++
		for _, k := range kinds {
			delete(m.vals, k+id)
		}
	}
	return nil
}

func (m *mapStore) flush(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errDown
	}
	m.flushes++
	clear(m.vals)
	return nil
}

func (m *mapStore) ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errDown
	}
	return nil
}

func (m *mapStore) setDown(d bool) {
	m.mu.Lock()
	m.down = d
	m.mu.Unlock()
}

// fakeLedger answers with a per-id version and counts calls.
type fakeLedger struct {
	calls   atomic.Int64
	version sync.Map // id → int
	delay   time.Duration
}

func (f *fakeLedger) Evaluate(_ context.Context, call ledger.Call) ([]byte, error) {
	f.calls.Add(1)
	time.Sleep(f.delay)
	v, _ := f.version.Load(call.Args[0])
	return fmt.Appendf(nil, "%s v%v", call.Args[0], v), nil
}

func verify(id string) ledger.Call {
	return ledger.Call{User: "svc", Fn: ledger.FnVerify, Args: []string{id}}
}

func mustEval(t *testing.T, c *Cache, call ledger.Call) string {
	t.Helper()
	b, err := c.Evaluate(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadsAreServedFromTheCacheUntilInvalidated(t *testing.T) {
	l, st := &fakeLedger{}, newMapStore()
	c := newCache(l, st, Config{})
	l.version.Store("88.1/A", 1)
	mustEval(t, c, verify("88.1/A"))
	if got := mustEval(t, c, verify("88.1/A")); got != "88.1/A v1" || l.calls.Load() != 1 {
		t.Fatalf("second read %q after %d ledger calls, want a hit", got, l.calls.Load())
	}
	l.version.Store("88.1/A", 2)
	c.Invalidate(context.Background(), []string{"88.1/A"})
	if got := mustEval(t, c, verify("88.1/A")); got != "88.1/A v2" {
		t.Fatalf("after invalidation read %q, want v2", got)
	}
	// Uncacheable functions always go to the ledger.
	n := l.calls.Load()
	mustEval(t, c, ledger.Call{Fn: ledger.FnTraceForward, Args: []string{"88.1/A"}})
	mustEval(t, c, ledger.Call{Fn: ledger.FnTraceForward, Args: []string{"88.1/A"}})
	if l.calls.Load() != n+2 {
		t.Fatal("an uncacheable function was cached")
	}
	// Bypass skips the cache.
	if _, err := c.Evaluate(Bypass(context.Background()), verify("88.1/A")); err != nil || l.calls.Load() != n+3 {
		t.Fatal("bypass did not reach the ledger")
	}
}

func TestConcurrentMissesShareOneLedgerRead(t *testing.T) {
	l := &fakeLedger{delay: 50 * time.Millisecond}
	c := newCache(l, newMapStore(), Config{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() { _, _ = c.Evaluate(context.Background(), verify("88.1/B")) })
	}
	wg.Wait()
	if n := l.calls.Load(); n != 1 {
		t.Fatalf("%d ledger reads for 32 concurrent misses, want 1", n)
	}
}

func TestAFillRacingAnInvalidationIsNotKept(t *testing.T) {
	l, st := &fakeLedger{}, newMapStore()
	c := newCache(l, st, Config{})
	l.version.Store("88.1/C", 1)
	st.beforeSet = func() {
		// The ledger changed and its event arrived while the fill was in flight.
		st.beforeSet = nil
		l.version.Store("88.1/C", 2)
		c.Invalidate(context.Background(), []string{"88.1/C"})
	}
	mustEval(t, c, verify("88.1/C")) // returns v1, must not be cached
	if got := mustEval(t, c, verify("88.1/C")); got != "88.1/C v2" {
		t.Fatalf("read %q: a stale fill was kept", got)
	}
}

func TestRedisDownFallsBackAndRecoversWithAFlush(t *testing.T) {
	l, st := &fakeLedger{}, newMapStore()
	c := newCache(l, st, Config{ProbeInterval: 5 * time.Millisecond})
	l.version.Store("88.1/D", 1)
	mustEval(t, c, verify("88.1/D"))

	st.setDown(true)
	if got := mustEval(t, c, verify("88.1/D")); got != "88.1/D v1" {
		t.Fatalf("read with Redis down: %q", got)
	}
	if c.Up() {
		t.Fatal("cache still up after a Redis error")
	}
	if c.Ping(context.Background()) == nil {
		t.Fatal("Ping reports healthy while down")
	}
	// A change while Redis is down: its invalidation cannot be delivered.
	l.version.Store("88.1/D", 2)
	c.Invalidate(context.Background(), []string{"88.1/D"})
	st.mu.Lock()
	st.down = false
	st.vals[string(Cacheable[ledger.FnVerify])+"88.1/D"] = []byte("88.1/D v1") // what Redis still holds
	st.mu.Unlock()

	deadline := time.Now().Add(2 * time.Second)
	for !c.Up() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !c.Up() {
		t.Fatal("cache did not come back after Redis did")
	}
	if got := mustEval(t, c, verify("88.1/D")); got != "88.1/D v2" {
		t.Fatalf("after recovery read %q: stale entry survived", got)
	}
	calls := l.calls.Load()
	mustEval(t, c, verify("88.1/D"))
	if l.calls.Load() != calls {
		t.Fatal("cache not in use after recovery")
	}
}

// A partial event (a recall affecting more items than it lists) starts a
// new recall epoch: every entry filled before is stale at once, including
// ids the event never named.
func TestANewRecallEpochMakesEveryEntryStale(t *testing.T) {
	l, st := &fakeLedger{}, newMapStore()
	c := newCache(l, st, Config{})
	ids := []string{"88.1/A", "88.1/B", "88.1/C"}
	for _, id := range ids {
		l.version.Store(id, 1)
		mustEval(t, c, verify(id))
	}
	for _, id := range ids {
		l.version.Store(id, 2)
	}
	c.NewEpoch(context.Background(), "tx-recall")
	for _, id := range ids {
		if got := mustEval(t, c, verify(id)); got != id+" v2" {
			t.Fatalf("%s after a new epoch: %q, want v2", id, got)
		}
	}
	n := l.calls.Load()
	if got := mustEval(t, c, verify("88.1/A")); got != "88.1/A v2" || l.calls.Load() != n {
		t.Fatalf("entries of the new epoch are not served: %q after %d calls", got, l.calls.Load()-n)
	}
}
