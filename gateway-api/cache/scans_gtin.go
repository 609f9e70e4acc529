package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The GTIN index maps a GS1 key ("gtin|lot|serial") to the 标识 the Digital
// Link resolver found for it, so a repeated scan needs no ledger search. A
// key that matched nothing is stored with an empty id for a short time.

const notFoundMark = "-"

func gtinKey(key string) string { return scanPrefix + "gtin:" + key }

// LookupGTIN returns the id stored for key: found reports whether the key
// is in the index at all; an empty id means "known not to exist".
func (s *Scans) LookupGTIN(ctx context.Context, key string) (id string, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	v, err := s.rdb.Get(ctx, gtinKey(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("gtin lookup: %w", err)
	}
	if v == notFoundMark {
		return "", true, nil
	}
	return v, true, nil
}

// StoreGTIN remembers id for key for ttl (id "" records a miss).
func (s *Scans) StoreGTIN(ctx context.Context, key, id string, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	if id == "" {
		id = notFoundMark
	}
	if err := s.rdb.Set(ctx, gtinKey(key), id, ttl).Err(); err != nil {
		return fmt.Errorf("gtin store: %w", err)
	}
	return nil
}
