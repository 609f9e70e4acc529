package cache

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/domain"
)

// keyPrefix namespaces every key of this cache. The id sits in a hash tag so
// an id's entries and generation share a Redis Cluster slot; a packed
// unit's (lotOf) sit in its lot's slot, beside the lot's generation.
const keyPrefix = "idchain:c:"

func entryKey(id, kind string) string { return keyPrefix + hashTag(id) + ":" + kind }
func genKey(id string) string         { return keyPrefix + hashTag(id) + ":gen" }

// hashTag is "{id}", or "{lot}~n" for packed unit n of lot.
func hashTag(id string) string {
	if lot, ok := lotOf(id); ok {
		return "{" + lot + "}" + id[len(lot):]
	}
	return "{" + id + "}"
}

// lotOf is the lot of a packed unit id ("<lot>~<n>", domain/packed.go).
// A packed unit reads from its lot's record until it gets a key of its
// own, so whatever changes the lot may change the unit's views: chaincode
// events list the lot, but list its units only up to the event's id limit
// (a lot holds up to domain.MaxPackedUnits). A unit's entries are
// therefore also stale once its lot's generation moves: the store keeps
// the lot's generation of the fill with the entry (lotStamp) and its
// generation read covers both ids.
func lotOf(id string) (string, bool) {
	lot, _, ok := domain.SplitPackedUnit(id)
	return lot, ok
}

// lotStamp separates the lot's generation from a unit's entry (a
// generation is a decimal number or empty).
const lotStamp = "|"

// unitGen is the generation read for a packed unit: its own and its lot's.
func unitGen(own, lot string) string { return own + lotStamp + lot }

// New connects a cache in front of inner to the Redis at url: one node,
// Redis Cluster or Sentinel (URL forms in redisurl.go), through
// redis.UniversalClient.
func New(inner Evaluator, url string, cfg Config) (*Cache, redis.UniversalClient, error) {
	opts, err := universalOptions(url)
	if err != nil {
		return nil, nil, err
	}
	op := cfg.OpTimeout
	if op <= 0 {
		op = 250 * time.Millisecond
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = op, op, op
	opts.MaxRetries = 0 // a failing Redis is taken out of use, not retried per read
	rdb := redis.NewUniversalClient(opts)
	return newCache(inner, &redisStore{rdb: rdb}, cfg), rdb, nil
}

type redisStore struct{ rdb redis.UniversalClient }

func (s *redisStore) get(ctx context.Context, id, kind string) ([]byte, string, error) {
	keys := []string{entryKey(id, kind), genKey(id)}
	lot, unit := lotOf(id)
	if unit {
		keys = append(keys, genKey(lot)) // same slot
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, "", err
	}
	v, hit := vals[0].(string)
	gen, _ := vals[1].(string)
	if !unit {
		if !hit {
			return nil, gen, nil
		}
		return []byte(v), gen, nil
	}
	lotGen, _ := vals[2].(string)
	fill, rest, stamped := strings.Cut(v, lotStamp)
	if !hit || !stamped || fill != lotGen {
		return nil, unitGen(gen, lotGen), nil
	}
	return []byte(rest), unitGen(gen, lotGen), nil
}

// setIfGen writes the entry only if the id's generation is still the one
// read before the ledger read, so a fill racing an invalidation cannot put
// back a stale value.
var setIfGen = redis.NewScript(`
local cur = redis.call('GET', KEYS[2]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

// setUnitIfGens is setIfGen for a packed unit: the unit's and its lot's
// generations must both be the ones read before the ledger read.
var setUnitIfGens = redis.NewScript(`
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1`)

func (s *redisStore) setIfGen(ctx context.Context, id, kind, gen string, val []byte, ttl time.Duration) error {
	var err error
	if lot, unit := lotOf(id); unit {
		own, lotGen, _ := strings.Cut(gen, lotStamp)
		stamped := append([]byte(lotGen+lotStamp), val...)
		err = setUnitIfGens.Run(ctx, s.rdb, []string{entryKey(id, kind), genKey(id), genKey(lot)}, own, lotGen, stamped, ttl.Milliseconds()).Err()
	} else {
		err = setIfGen.Run(ctx, s.rdb, []string{entryKey(id, kind), genKey(id)}, gen, val, ttl.Milliseconds()).Err()
	}
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}

func (s *redisStore) invalidate(ctx context.Context, ids []string, kinds []string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.Incr(ctx, genKey(id))
			p.Expire(ctx, genKey(id), 24*time.Hour)
			for _, k := range kinds {
				p.Del(ctx, entryKey(id, k))
			}
		}
		return nil
	})
	return err
}

func (s *redisStore) flush(ctx context.Context) error {
	// One key per UNLINK: keys of different ids may live in different
	// Cluster slots.
	unlink := func(ctx context.Context, c redis.UniversalClient, keys []string) error {
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Unlink(ctx, k)
			}
			return nil
		})
		return err
	}
	del := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, keyPrefix+"*", 1000).Iterator()
		var batch []string
		for iter.Next(ctx) {
			batch = append(batch, iter.Val())
			if len(batch) == 500 {
				if err := unlink(ctx, c, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		return unlink(ctx, c, batch)
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return del(ctx, c) })
	}
	return del(ctx, s.rdb)
}

func (s *redisStore) ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }
