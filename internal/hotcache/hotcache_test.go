package hotcache

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTest(ttl time.Duration, maxEntries int) (*Cache, *clock) {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	return New(Config{TTL: ttl, MaxEntries: maxEntries, Now: clk.now}), clk
}

func fill(t *testing.T, c *Cache, id, name, body string) {
	t.Helper()
	if !c.Put(id, name, c.Token(id), []byte(body)) {
		t.Fatalf("Put(%s, %s) refused", id, name)
	}
}

func mustGet(t *testing.T, c *Cache, id, name, want string) {
	t.Helper()
	if b, ok := c.Get(id, name); !ok || string(b) != want {
		t.Fatalf("Get(%s, %s) = %q, %v; want %q", id, name, b, ok, want)
	}
}

func mustMiss(t *testing.T, c *Cache, id, name string) {
	t.Helper()
	if b, ok := c.Get(id, name); ok {
		t.Fatalf("Get(%s, %s) = %q, want a miss", id, name, b)
	}
}

func TestVariantsOfAnIdAreKeptApartAndDroppedTogether(t *testing.T) {
	// room for many ids per shard: with 100 entries (one per shard) A/2
	// evicted A/1 whenever the random seed put both in one shard (1 run
	// in 64 failed)
	c, _ := newTest(time.Second, 100*shards)
	fill(t, c, "A/1", "verify", `{"v":1}`)
	fill(t, c, "A/1", "item", `{"i":1}`)
	fill(t, c, "A/2", "verify", `{"v":2}`)
	mustGet(t, c, "A/1", "verify", `{"v":1}`)
	mustGet(t, c, "A/1", "item", `{"i":1}`)
	mustMiss(t, c, "A/1", "dl")
	c.Invalidate("A/1")
	mustMiss(t, c, "A/1", "verify")
	mustMiss(t, c, "A/1", "item")
	mustGet(t, c, "A/2", "verify", `{"v":2}`)
}

func TestAnEntryExpiresAfterItsTTL(t *testing.T) {
	c, clk := newTest(time.Second, 100)
	fill(t, c, "A/1", "verify", "x")
	clk.add(999 * time.Millisecond)
	mustGet(t, c, "A/1", "verify", "x")
	clk.add(time.Millisecond)
	mustMiss(t, c, "A/1", "verify")
}

func TestAFillThatRacedAnInvalidationIsRefused(t *testing.T) {
	c, _ := newTest(time.Second, 100)
	tok := c.Token("A/1")
	c.Invalidate("A/1") // the recall event arrives while the old answer is read
	if c.Put("A/1", "verify", tok, []byte("old")) {
		t.Fatal("a fill that started before the invalidation was stored")
	}
	mustMiss(t, c, "A/1", "verify")
	fill(t, c, "A/1", "verify", "new")
	mustGet(t, c, "A/1", "verify", "new")
}

func TestFlushMakesEverythingStaleAndRefusesOlderFills(t *testing.T) {
	c, _ := newTest(time.Minute, 1000)
	for i := range 100 {
		fill(t, c, fmt.Sprintf("A/%d", i), "verify", "x")
	}
	tok := c.Token("B/1")
	c.Flush() // e.g. a recall epoch covering an unbounded set of items
	for i := range 100 {
		mustMiss(t, c, fmt.Sprintf("A/%d", i), "verify")
	}
	if c.Put("B/1", "verify", tok, []byte("old")) {
		t.Fatal("a fill that started before the flush was stored")
	}
	c.Sweep()
	if n := c.Len(); n != 0 {
		t.Fatalf("%d ids left after Sweep", n)
	}
	fill(t, c, "A/1", "verify", "new")
	mustGet(t, c, "A/1", "verify", "new")
}

func TestTheCacheStaysWithinItsSize(t *testing.T) {
	c, _ := newTest(time.Minute, 640)
	for i := range 10_000 {
		fill(t, c, fmt.Sprintf("A/%d", i), "verify", "x")
	}
	if n := c.Len(); n > 640 {
		t.Fatalf("%d ids held, limit 640", n)
	}
	fill(t, c, "last", "verify", "y")
	mustGet(t, c, "last", "verify", "y")
}

func TestConcurrentUseIsSafe(t *testing.T) {
	c := New(Config{TTL: time.Second, MaxEntries: 256})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				id := fmt.Sprintf("A/%d", (g*31+i)%300)
				if b, ok := c.Get(id, "verify"); ok && string(b) != id {
					t.Errorf("Get(%s) = %q", id, b)
					return
				}
				c.Put(id, "verify", c.Token(id), []byte(id))
				if i%97 == 0 {
					c.Invalidate(id)
				}
				if i%501 == 0 {
					c.Flush()
					c.Sweep()
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkGetHit: the hot path of a cached verify, 0 allocations.
func BenchmarkGetHit(b *testing.B) {
	c := New(Config{TTL: time.Hour})
	body := make([]byte, 2048)
	c.Put("88.990.1/B0000001", "verify", c.Token("88.990.1/B0000001"), body)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := c.Get("88.990.1/B0000001", "verify"); !ok {
				b.Fatal("miss")
			}
		}
	})
}

func TestGetHitDoesNotAllocate(t *testing.T) {
	c := New(Config{TTL: time.Hour})
	c.Put("A/1", "verify", c.Token("A/1"), []byte("x"))
	if n := testing.AllocsPerRun(1000, func() { c.Get("A/1", "verify") }); n != 0 {
		t.Fatalf("%v allocations per hit", n)
	}
}
