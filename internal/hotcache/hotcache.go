// Package hotcache is a small in-process cache of rendered answers (HTTP
// response bodies) for the hottest public reads, in front of the shared
// Redis cache: a hit costs a map lookup under a read lock and no
// allocation, no network hop and no JSON work.
//
// Entries are kept per item id and variant (e.g. "verify", "item",
// "dl:<path>"). They leave
//   - by id, when the chaincode-event listener reports the id changed
//     (Invalidate, the same events that drop the Redis entries);
//   - all at once, when a change cannot be listed by id — an event gap, a
//     recall "epoch" that covers an unbounded set of items (Flush, O(1): a
//     generation counter, old entries are never served again);
//   - after TTL (default 1 s), the backstop that bounds staleness on a
//     replica whose event stream lags;
//   - when the cache is full (an arbitrary entry of the shard goes).
//
// A fill races with invalidations: the caller takes a Token before it reads
// the answer from Redis or the ledger and Put refuses the answer when the
// id's shard saw an invalidation or a flush since (conservative: another id
// of the same shard also refuses it; the next request fills again).
package hotcache

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

const shards = 64

// Config tunes a Cache; zero values take the defaults.
type Config struct {
	TTL        time.Duration // default 1s
	MaxEntries int           // ids kept, default 10,000
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Cache is safe for concurrent use.
type Cache struct {
	ttl    int64 // ns
	perCap int
	now    func() time.Time
	seed   maphash.Seed
	gen    atomic.Uint64 // bumped by Flush
	shard  [shards]shard
}

type shard struct {
	mu  sync.RWMutex
	seq uint64 // invalidations and flushes seen by this shard
	ids map[string]*idEntry
}

// idEntry holds the variants of one id (a handful: a small slice beats a
// map).
type idEntry struct {
	vs []variant
}

type variant struct {
	name    string
	body    []byte
	gen     uint64
	expires int64 // unix ns
}

// New makes a Cache.
func New(cfg Config) *Cache {
	if cfg.TTL <= 0 {
		cfg.TTL = time.Second
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 10_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Cache{ttl: int64(cfg.TTL), perCap: max(1, cfg.MaxEntries/shards), now: cfg.Now, seed: maphash.MakeSeed()}
	for i := range c.shard {
		c.shard[i].ids = map[string]*idEntry{}
	}
	return c
}

func (c *Cache) shardOf(id string) *shard {
	return &c.shard[maphash.String(c.seed, id)%shards]
}

// Get returns the body stored for id and variant, if it is current. The
// body is shared: callers must not modify it.
func (c *Cache) Get(id, name string) ([]byte, bool) {
	s := c.shardOf(id)
	now := c.now().UnixNano()
	gen := c.gen.Load()
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.ids[id]
	if e == nil {
		return nil, false
	}
	for i := range e.vs {
		v := &e.vs[i]
		if v.name == name {
			if v.gen != gen || now >= v.expires {
				return nil, false
			}
			return v.body, true
		}
	}
	return nil, false
}

// Token is the state a fill of id starts from; pass it to Put.
type Token struct{ seq, gen uint64 }

// Token takes the token for a fill of id. Take it before reading the
// answer.
func (c *Cache) Token(id string) Token {
	s := c.shardOf(id)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Token{s.seq, c.gen.Load()}
}

// Put stores body for id and variant unless id's shard saw an
// invalidation or the cache a flush since t was taken; it reports whether
// it stored. The cache keeps body: callers must not modify it afterwards.
func (c *Cache) Put(id, name string, t Token, body []byte) bool {
	s := c.shardOf(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	gen := c.gen.Load()
	if s.seq != t.seq || gen != t.gen {
		return false
	}
	exp := c.now().UnixNano() + c.ttl
	e := s.ids[id]
	if e == nil {
		if len(s.ids) >= c.perCap {
			for k := range s.ids { // evict an arbitrary id
				delete(s.ids, k)
				break
			}
		}
		e = &idEntry{}
		s.ids[id] = e
	}
	for i := range e.vs {
		if e.vs[i].name == name {
			e.vs[i] = variant{name, body, gen, exp}
			return true
		}
	}
	e.vs = append(e.vs, variant{name, body, gen, exp})
	return true
}

// Invalidate drops every variant of the ids.
func (c *Cache) Invalidate(ids ...string) {
	for _, id := range ids {
		s := c.shardOf(id)
		s.mu.Lock()
		s.seq++
		delete(s.ids, id)
		s.mu.Unlock()
	}
}

// Flush makes every entry stale at once (O(1)); fills that started before
// it are refused. Memory is given back as shards fill up again or by
// Sweep.
func (c *Cache) Flush() {
	c.gen.Add(1)
}

// Sweep drops expired and flushed entries (call it now and then, e.g. every
// few seconds, to give their memory back).
func (c *Cache) Sweep() {
	now := c.now().UnixNano()
	gen := c.gen.Load()
	for i := range c.shard {
		s := &c.shard[i]
		s.mu.Lock()
		for id, e := range s.ids {
			live := e.vs[:0]
			for _, v := range e.vs {
				if v.gen == gen && now < v.expires {
					live = append(live, v)
				}
			}
			if len(live) == 0 {
				delete(s.ids, id)
			} else {
				e.vs = live
			}
		}
		s.mu.Unlock()
	}
}

// SweepEvery runs Sweep every interval until ctx ends.
func (c *Cache) SweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.Sweep()
		}
	}
}

// Len is the number of ids held (stale ones included until swept).
func (c *Cache) Len() int {
	n := 0
	for i := range c.shard {
		s := &c.shard[i]
		s.mu.RLock()
		n += len(s.ids)
		s.mu.RUnlock()
	}
	return n
}
