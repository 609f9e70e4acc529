// Package cache is a Redis read-through cache in front of the ledger's
// evaluate calls for the hot public reads (resolve, verify, provenance).
// Entries are dropped by id, by the API's after-commit path and the
// chaincode-event listener alike (Views.Drop), with a TTL as backstop. When Redis fails the cache steps aside and
// the ledger serves every read; a background probe brings it back (after
// dropping entries that may have missed invalidations) without a restart.
package cache

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/idchain/idchain/gateway-api/ledger"
)

// Evaluator is the read call the cache decorates.
type Evaluator interface {
	Evaluate(ctx context.Context, call ledger.Call) ([]byte, error)
}

// Cacheable maps the cached chaincode functions to the short names used in
// keys. Their results do not depend on who asks; the first argument is the
// item id.
var Cacheable = map[string]string{
	ledger.FnGetItem:       "item",
	ledger.FnVerify:        "verify",
	ledger.FnGetProvenance: "prov",
}

// store is the cache's use of Redis (see redisStore); a map fake stands in
// for it in unit tests.
type store interface {
	// get returns the entry (nil on a miss) and the id's generation.
	get(ctx context.Context, id, kind string) (val []byte, gen string, err error)
	// setIfGen stores val unless the id was invalidated since gen was read.
	setIfGen(ctx context.Context, id, kind, gen string, val []byte, ttl time.Duration) error
	// invalidate drops every entry of the ids and bumps their generations.
	invalidate(ctx context.Context, ids []string, kinds []string) error
	// flush drops every entry of the cache.
	flush(ctx context.Context) error
	ping(ctx context.Context) error
}

// Config tunes the cache. Zero values take the defaults.
type Config struct {
	TTL           time.Duration // backstop lifetime of an entry, default 5m
	ProbeInterval time.Duration // Redis health probe while down, default 1s
	OpTimeout     time.Duration // per Redis call, default 250ms
	Registerer    prometheus.Registerer
}

// Cache decorates an Evaluator.
type Cache struct {
	inner Evaluator
	st    store
	cfg   Config
	sf    singleflight.Group
	up    atomic.Bool
	dirty atomic.Bool // invalidations were lost: flush before use
	kinds []string

	mu      sync.Mutex
	probing bool

	// epoch is the recall epoch: every entry is stored with the epoch it
	// was filled in, and an entry of another epoch is a miss. A chaincode
	// event whose ids list only part of the affected items (a recall of
	// more items than an event carries) starts a new epoch (NewEpoch), so
	// every cached page is stale at once, without listing every id.
	epoch atomic.Pointer[string]

	lookups *prometheus.CounterVec
	state   prometheus.Gauge
}

func newCache(inner Evaluator, st store, cfg Config) *Cache {
	if cfg.TTL <= 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = time.Second
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = 250 * time.Millisecond
	}
	c := &Cache{inner: inner, st: st, cfg: cfg}
	for _, k := range Cacheable {
		c.kinds = append(c.kinds, k)
	}
	c.lookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "idchain_cache_lookups_total",
		Help: "Cache lookups by function and result (hit, miss, bypass, down).",
	}, []string{"fn", "result"})
	c.state = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "idchain_cache_redis_up",
		Help: "1 when Redis is in use, 0 while the API serves from the ledger only.",
	})
	for fn := range Cacheable {
		for _, r := range []string{"hit", "miss", "bypass", "down"} {
			c.lookups.WithLabelValues(fn, r) // export zeros from the start
		}
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(c.lookups, c.state)
	}
	c.up.Store(true)
	c.state.Set(1)
	c.epoch.Store(new(string))
	return c
}

// NewEpoch starts recall epoch tag (the partial event's tx id): from now on
// no entry filled before is served, on this instance at once; a flush then
// removes the old entries for the other instances too. The flush runs before
// NewEpoch returns (partial events are rare), so it cannot remove entries
// that later reads fill in the new epoch.
func (c *Cache) NewEpoch(ctx context.Context, tag string) {
	c.epoch.Store(&tag)
	c.Flush(context.WithoutCancel(ctx))
}

// epochSep separates the epoch from the cached value (JSON, never NUL).
const epochSep = 0

func (c *Cache) stamp(val []byte) []byte {
	e := *c.epoch.Load()
	out := make([]byte, 0, len(e)+1+len(val))
	out = append(append(append(out, e...), epochSep), val...)
	return out
}

// unstamp returns the value of an entry of the current epoch, nil otherwise.
func (c *Cache) unstamp(entry []byte) []byte {
	i := bytes.IndexByte(entry, epochSep)
	if i < 0 || string(entry[:i]) != *c.epoch.Load() {
		return nil
	}
	return entry[i+1:]
}

type bypassKey struct{}

// Bypass marks ctx so that reads skip the cache (and do not fill it).
func Bypass(ctx context.Context) context.Context {
	return context.WithValue(ctx, bypassKey{}, true)
}

// Up reports whether Redis is in use.
func (c *Cache) Up() bool { return c.up.Load() }

// Evaluate serves cacheable calls from Redis and everything else, misses
// included, from the inner evaluator. Errors are never cached.
func (c *Cache) Evaluate(ctx context.Context, call ledger.Call) ([]byte, error) {
	kind, ok := Cacheable[call.Fn]
	if !ok || len(call.Args) == 0 {
		return c.inner.Evaluate(ctx, call)
	}
	if ctx.Value(bypassKey{}) != nil {
		c.lookups.WithLabelValues(call.Fn, "bypass").Inc()
		return c.inner.Evaluate(ctx, call)
	}
	if !c.up.Load() {
		c.lookups.WithLabelValues(call.Fn, "down").Inc()
		return c.inner.Evaluate(ctx, call)
	}
	id := call.Args[0]
	key := kind + "\x00" + id
	v, err, _ := c.sf.Do(key, func() (any, error) {
		// Detached: one caller giving up must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		val, gen, err := c.get(ctx, id, kind)
		if err != nil {
			c.down(err)
			c.lookups.WithLabelValues(call.Fn, "down").Inc()
			return c.inner.Evaluate(ctx, call)
		}
		if val != nil {
			c.lookups.WithLabelValues(call.Fn, "hit").Inc()
			return val, nil
		}
		c.lookups.WithLabelValues(call.Fn, "miss").Inc()
		val, err = c.inner.Evaluate(ctx, call)
		if err != nil {
			return nil, err
		}
		if err := c.set(ctx, id, kind, gen, val); err != nil {
			c.down(err)
		}
		return val, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (c *Cache) get(ctx context.Context, id, kind string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	val, gen, err := c.st.get(ctx, id, kind)
	if val != nil {
		val = c.unstamp(val)
	}
	return val, gen, err
}

func (c *Cache) set(ctx context.Context, id, kind, gen string, val []byte) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	return c.st.setIfGen(ctx, id, kind, gen, c.stamp(val), c.cfg.TTL)
}

// Invalidate drops the cached views of ids. It never fails: if Redis is
// unreachable the cache is marked for a full flush before it is used again.
func (c *Cache) Invalidate(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	if !c.up.Load() {
		c.dirty.Store(true)
		return
	}
	for start := 0; start < len(ids); start += invalidateChunk {
		ctx, cancel := context.WithTimeout(ctx, 4*c.cfg.OpTimeout)
		err := c.st.invalidate(ctx, ids[start:min(start+invalidateChunk, len(ids))], c.kinds)
		cancel()
		if err != nil {
			c.dirty.Store(true)
			c.down(err)
			return
		}
	}
}

// invalidateChunk is the most ids one Redis round trip drops, each chunk
// with its own timeout: a chaincode event lists up to 20,000 ids (an event
// on a packed lot lists its units), about 100,000 commands, which one
// OpTimeout-bound pipeline did not carry on a loaded box — the timeout took
// the cache out of use and flushed it.
const invalidateChunk = 500

// Flush drops every cached entry (e.g. when events may have been missed).
func (c *Cache) Flush(ctx context.Context) {
	if !c.up.Load() {
		c.dirty.Store(true)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.st.flush(ctx); err != nil {
		c.dirty.Store(true)
		c.down(err)
	}
}

// Ping checks Redis now (for /readyz) and reports whether the cache is in use.
func (c *Cache) Ping(ctx context.Context) error {
	if !c.up.Load() {
		return errors.New("redis down; serving from the ledger")
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	if err := c.st.ping(ctx); err != nil {
		c.down(err)
		return err
	}
	return nil
}

// down takes Redis out of use and starts the recovery probe.
func (c *Cache) down(error) {
	c.dirty.Store(true) // invalidations may be lost from now on
	c.up.Store(false)
	c.state.Set(0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probing {
		return
	}
	c.probing = true
	go c.probe()
}

// probe waits for Redis to answer, flushes entries that may be stale and
// puts the cache back in use.
func (c *Cache) probe() {
	t := time.NewTicker(c.cfg.ProbeInterval)
	defer t.Stop()
	for range t.C {
		if c.recover() {
			return
		}
	}
}

// recover flushes and re-enables the cache if Redis answers. Invalidations
// that arrive while it flushes mark the cache dirty again; they are caught
// by a second flush once the cache is back in use.
func (c *Cache) recover() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c.st.ping(ctx) != nil {
		return false
	}
	c.dirty.Store(false)
	if c.st.flush(ctx) != nil {
		c.dirty.Store(true)
		return false
	}
	c.mu.Lock()
	c.probing = false
	c.up.Store(true)
	c.state.Set(1)
	c.mu.Unlock()
	if c.dirty.Swap(false) {
		if err := c.st.flush(ctx); err != nil {
			c.down(err)
		}
	}
	return true
}
