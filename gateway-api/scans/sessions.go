package scans

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Dashboard sessions: the browser's cookie holds a random token; Redis maps
// the token's SHA-256 to the hash of the API key that signed in (never the
// key itself), for a fixed lifetime. A stolen cookie does not reveal the
// key, ends with the session, and stops working when its key is withdrawn.
const sessionPrefix = scanPrefix + "session:"

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return sessionPrefix + hex.EncodeToString(sum[:])
}

// NewSession starts a session for the API key with hash keyHash and
// returns its token.
func (s *Scans) NewSession(ctx context.Context, keyHash string, ttl time.Duration) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	if err := s.rdb.Set(ctx, sessionKey(token), keyHash, ttl).Err(); err != nil {
		return "", err
	}
	return token, nil
}

// Session returns the key hash of a live session; ok is false for unknown
// or expired tokens.
func (s *Scans) Session(ctx context.Context, token string) (keyHash string, ok bool, err error) {
	if token == "" {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	v, err := s.rdb.Get(ctx, sessionKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// EndSession ends a session (logout).
func (s *Scans) EndSession(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	return s.rdb.Del(ctx, sessionKey(token)).Err()
}
