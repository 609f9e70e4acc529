package cache

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyPrefix namespaces every key of this cache. The id sits in a hash tag so
// an id's entries and generation share a Redis Cluster slot.
const keyPrefix = "idchain:c:"

func entryKey(id, kind string) string { return keyPrefix + "{" + id + "}:" + kind }
func genKey(id string) string         { return keyPrefix + "{" + id + "}:gen" }

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
	vals, err := s.rdb.MGet(ctx, entryKey(id, kind), genKey(id)).Result()
	if err != nil {
		return nil, "", err
	}
	var val []byte
	if v, ok := vals[0].(string); ok {
		val = []byte(v)
	}
	gen, _ := vals[1].(string)
	return val, gen, nil
}

// setIfGen writes the entry only if the id's generation is still the one
// read before the ledger read, so a fill racing an invalidation cannot put
// back a stale value.
var setIfGen = redis.NewScript(`
local cur = redis.call('GET', KEYS[2]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

func (s *redisStore) setIfGen(ctx context.Context, id, kind, gen string, val []byte, ttl time.Duration) error {
	err := setIfGen.Run(ctx, s.rdb, []string{entryKey(id, kind), genKey(id)}, gen, val, ttl.Milliseconds()).Err()
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
