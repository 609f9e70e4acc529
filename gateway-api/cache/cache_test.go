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
	lotGens map[string]int // a packed unit's entry → its lot's generation at the fill (redisStore's lotStamp)
	down    bool
	flushes int
	// beforeSet runs just before a fill is written (to inject races).
	beforeSet func()
}

var errDown = errors.New("redis: connection refused")

func newMapStore() *mapStore {
	return &mapStore{vals: map[string][]byte{}, gens: map[string]int{}, lotGens: map[string]int{}}
}

// genOf is the generation read for id: a packed unit's covers its lot's
// (as redisStore's).
func (m *mapStore) genOf(id string) string {
	if lot, ok := lotOf(id); ok {
		return unitGen(strconv.Itoa(m.gens[id]), strconv.Itoa(m.gens[lot]))
	}
	return strconv.Itoa(m.gens[id])
}

func (m *mapStore) get(_ context.Context, id, kind string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, "", errDown
	}
	if lot, ok := lotOf(id); ok && m.lotGens[kind+id] != m.gens[lot] {
		return nil, m.genOf(id), nil // filled before the lot last changed
	}
	return m.vals[kind+id], m.genOf(id), nil
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
	if m.genOf(id) == gen {
		m.vals[kind+id] = val
		if lot, ok := lotOf(id); ok {
			m.lotGens[kind+id] = m.gens[lot]
		}
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

// A packed unit reads from its lot: an event that lists the lot but not
// the unit (a lot holds more units than an event lists) makes the unit's
// cached views stale too; a change of another lot or of a sibling does not.
func TestAPackedUnitsEntriesAreStaleOnceItsLotChanges(t *testing.T) {
	l, st := &fakeLedger{}, newMapStore()
	c := newCache(l, st, Config{})
	const lot, unit, sibling = "88.1/LOT", "88.1/LOT~30000", "88.1/LOT~2"
	l.version.Store(unit, 1)
	for _, id := range []string{unit, sibling} {
		mustEval(t, c, verify(id))
	}
	n := l.calls.Load()
	c.Invalidate(context.Background(), []string{"88.1/OTHER", "88.1/LOT~1", sibling, "88.1/LOT~3000"})
	if got := mustEval(t, c, verify(unit)); got != unit+" v1" || l.calls.Load() != n {
		t.Fatalf("read %q after %d ledger calls: another id's change dropped the unit's entry", got, l.calls.Load()-n)
	}
	l.version.Store(unit, 2)
	c.Invalidate(context.Background(), []string{lot})
	if got := mustEval(t, c, verify(unit)); got != unit+" v2" {
		t.Fatalf("read %q after its lot changed, want v2", got)
	}
	if got := mustEval(t, c, verify(unit)); got != unit+" v2" || l.calls.Load() != n+1 {
		t.Fatalf("read %q after %d ledger calls: the refilled entry is not served", got, l.calls.Load()-n)
	}
	// A fill racing the lot's change is not kept.
	st.beforeSet = func() {
		st.beforeSet = nil
		l.version.Store(sibling, 3)
		c.Invalidate(context.Background(), []string{lot})
	}
	c.Invalidate(context.Background(), []string{sibling})
	mustEval(t, c, verify(sibling))
	if got := mustEval(t, c, verify(sibling)); got != sibling+" v3" {
		t.Fatalf("read %q: a fill racing its lot's change was kept", got)
	}
}

func TestPackedUnitEntriesShareTheirLotsSlot(t *testing.T) {
	for id, want := range map[string]string{
		"88.1/LOT~7":  "idchain:c:{88.1/LOT}~7:verify",
		"88.1/LOT":    "idchain:c:{88.1/LOT}:verify",
		"88.1/LOT~07": "idchain:c:{88.1/LOT~07}:verify", // no unit number: an id of its own
		"88.1/A~B":    "idchain:c:{88.1/A~B}:verify",
	} {
		if got := entryKey(id, "verify"); got != want {
			t.Errorf("entryKey(%s) = %s, want %s", id, got, want)
		}
	}
	if genKey("88.1/LOT~7") != "idchain:c:{88.1/LOT}~7:gen" || genKey("88.1/LOT") != "idchain:c:{88.1/LOT}:gen" {
		t.Errorf("generation keys %s %s", genKey("88.1/LOT~7"), genKey("88.1/LOT"))
	}
}

// boundedStore refuses (as a timed-out pipeline would) an invalidation of
// more ids than one round trip carries within its timeout.
type boundedStore struct {
	*mapStore
	max, calls int
}

func (b *boundedStore) invalidate(ctx context.Context, ids, kinds []string) error {
	b.calls++
	if len(ids) > b.max {
		return context.DeadlineExceeded
	}
	return b.mapStore.invalidate(ctx, ids, kinds)
}

// An event listing 20,000 ids (the chaincode's limit, reached by an event on
// a packed lot) is dropped in chunks: the cache stays in use, every id is
// dropped and nothing else is flushed.
func TestAnEventOfManyIDsIsDroppedInChunks(t *testing.T) {
	l, st := &fakeLedger{}, &boundedStore{mapStore: newMapStore(), max: 1000}
	c := newCache(l, st, Config{})
	const kept = "88.1/KEPT"
	mustEval(t, c, verify(kept))
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("88.1/LOT~%d", i+1)
	}
	l.version.Store(ids[len(ids)-1], 1)
	mustEval(t, c, verify(ids[len(ids)-1]))
	l.version.Store(ids[len(ids)-1], 2)
	c.Invalidate(context.Background(), ids)
	if !c.Up() || st.flushes != 0 {
		t.Fatalf("after dropping %d ids: up %v, %d flushes", len(ids), c.Up(), st.flushes)
	}
	if st.calls != (len(ids)+invalidateChunk-1)/invalidateChunk {
		t.Fatalf("%d round trips for %d ids", st.calls, len(ids))
	}
	if got := mustEval(t, c, verify(ids[len(ids)-1])); got != ids[len(ids)-1]+" v2" {
		t.Fatalf("the last id of the event reads %q", got)
	}
	n := l.calls.Load()
	if mustEval(t, c, verify(kept)); l.calls.Load() != n {
		t.Fatal("an id the event did not list was dropped")
	}
}
