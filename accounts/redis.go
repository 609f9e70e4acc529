package accounts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/domain"
)

// RedisStore keeps the accounts in Redis, shared by every API replica: a
// user created through one replica authenticates on all, and a revocation
// through one is refused by all from the next request (every lookup asks
// Redis; nothing is cached per process).
//
// Redis holds what a replica needs and nothing that works on its own: the
// API key's SHA-256 (never the key) and, for custodial users, the
// enrollment key sealed with AES-256-GCM under a key-encryption key (KEK)
// that only the API replicas have (a file, -accounts-kek), bound to the
// account name. A copy of Redis (a dump, a replica, its operator) yields
// neither usable API keys nor signing keys.
//
// Every key carries the hash tag {idchain-accounts}, so the multi-key
// scripts work on a Redis Cluster too (all accounts live in one slot).
type RedisStore struct {
	rdb  redis.UniversalClient
	aead cipher.AEAD
}

const redisTag = "{idchain-accounts}"

func rkUser(name string) string { return redisTag + ":user:" + name }
func rkHash(hash string) string { return redisTag + ":hash:" + hash }
func rkEnt(ent string) string   { return redisTag + ":ent:" + ent }
func rkKey(name string) string  { return redisTag + ":key:" + name }

var rkNames = redisTag + ":names"

// NewRedisStore returns a store in rdb whose enrollment keys are sealed
// with kek (32 bytes, AES-256).
func NewRedisStore(rdb redis.UniversalClient, kek []byte) (*RedisStore, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("accounts: the key-encryption key must be 32 bytes, got %d", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return &RedisStore{rdb: rdb, aead: aead}, nil
}

// ReadKEK reads a key-encryption key file: 64 hex characters (e.g.
// `openssl rand -hex 32`), which must not be readable by others.
func ReadKEK(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("accounts: key-encryption key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("accounts: key-encryption key %s has mode %v: want 0600 or stricter", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("accounts: key-encryption key: %w", err)
	}
	kek, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(kek) != 32 {
		return nil, fmt.Errorf("accounts: key-encryption key %s: want 64 hex characters (openssl rand -hex 32)", path)
	}
	return kek, nil
}

// sealVersion prefixes a sealed key: 1 = AES-256-GCM, 12-byte nonce.
const sealVersion = 1

func sealAD(name string) []byte { return []byte("idchain account enrollment key\x00" + name) }

func (s *RedisStore) seal(name string, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	out := append([]byte{sealVersion}, nonce...)
	return s.aead.Seal(out, nonce, plain, sealAD(name)), nil
}

func (s *RedisStore) open(name string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, fmt.Errorf("accounts: sealed key of %s: unknown format", name)
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealAD(name))
	if err != nil {
		return nil, fmt.Errorf("accounts: sealed key of %s does not open with this key-encryption key: %w", name, err)
	}
	return plain, nil
}

// addScript creates an account unless its name exists: the record, the
// key-hash index, the enterprise's and the global name sets and the sealed
// key, all or nothing.
var addScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[5], ARGV[3]) end
return 1`)

func (s *RedisStore) Add(ctx context.Context, a Account, keyPEM []byte) error {
	rec, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	var sealed []byte
	if keyPEM != nil {
		if sealed, err = s.seal(a.Name, keyPEM); err != nil {
			return err
		}
	}
	n, err := addScript.Run(ctx, s.rdb, []string{rkUser(a.Name), rkHash(a.KeyHash), rkEnt(a.Enterprise), rkNames, rkKey(a.Name)},
		rec, a.Name, sealed).Int()
	if err != nil {
		return wrapRedis(err)
	}
	if n == 0 {
		return domain.Errorf(domain.CodeConflict, "user %s exists", a.Name)
	}
	return nil
}

// revokeScript drops the key hash from the index and, when this call
// dropped it, writes the revoked record: the first revocation wins, and
// from the moment it runs no replica finds the key.
var revokeScript = redis.NewScript(`
local first = redis.call('DEL', KEYS[2])
if first == 1 then redis.call('SET', KEYS[1], ARGV[1]) end
return first`)

func (s *RedisStore) Revoke(ctx context.Context, name string, at time.Time) (Account, bool, error) {
	a, ok, err := s.ByName(ctx, name)
	if err != nil {
		return a, false, err
	}
	if !ok {
		return a, false, domain.Errorf(domain.CodeNotFound, "user %s does not exist", name)
	}
	if a.Revoked() {
		return a, false, nil
	}
	r := a
	r.RevokedAt = at
	rec, err := json.Marshal(r)
	if err != nil {
		return a, false, fmt.Errorf("accounts: %w", err)
	}
	first, err := revokeScript.Run(ctx, s.rdb, []string{rkUser(name), rkHash(a.KeyHash)}, rec).Int()
	if err != nil {
		return a, false, wrapRedis(err)
	}
	if first == 1 {
		return r, true, nil
	}
	a, _, err = s.ByName(ctx, name) // revoked meanwhile by another replica
	return a, false, err
}

func (s *RedisStore) ByKeyHash(ctx context.Context, hash string) (Account, bool, error) {
	name, ok, err := s.get(ctx, rkHash(hash))
	if err != nil || !ok {
		return Account{}, false, err
	}
	a, ok, err := s.ByName(ctx, string(name))
	if err != nil || !ok || a.Revoked() || a.KeyHash != hash {
		return Account{}, false, err
	}
	return a, true, nil
}

func (s *RedisStore) ByName(ctx context.Context, name string) (Account, bool, error) {
	b, ok, err := s.get(ctx, rkUser(name))
	if err != nil || !ok {
		return Account{}, false, err
	}
	var a Account
	if err := json.Unmarshal(b, &a); err != nil {
		return Account{}, false, fmt.Errorf("accounts: record of %s: %w", name, err)
	}
	return a, true, nil
}

func (s *RedisStore) List(ctx context.Context, enterprise string) ([]Account, error) {
	return s.members(ctx, rkEnt(enterprise), func(Account) bool { return true })
}

func (s *RedisStore) Live(ctx context.Context) ([]Account, error) {
	return s.members(ctx, rkNames, func(a Account) bool { return !a.Revoked() })
}

// members reads the accounts named in a set (one MGET: the keys share a
// slot).
func (s *RedisStore) members(ctx context.Context, set string, keep func(Account) bool) ([]Account, error) {
	names, err := s.rdb.SMembers(ctx, set).Result()
	if err != nil || len(names) == 0 {
		return nil, wrapRedis(err)
	}
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = rkUser(n)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, wrapRedis(err)
	}
	var out []Account
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var a Account
		if err := json.Unmarshal([]byte(str), &a); err != nil {
			return nil, fmt.Errorf("accounts: record of %s: %w", names[i], err)
		}
		if keep(a) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *RedisStore) Key(ctx context.Context, name string) ([]byte, error) {
	b, ok, err := s.get(ctx, rkKey(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("accounts: no enrollment key of %s", name)
	}
	return s.open(name, b)
}

func (s *RedisStore) DropKey(ctx context.Context, name string) error {
	return wrapRedis(s.rdb.Del(ctx, rkKey(name)).Err())
}

// get reads a string key; ok is false when it does not exist.
func (s *RedisStore) get(ctx context.Context, key string) (b []byte, ok bool, err error) {
	b, err = s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrapRedis(err)
	}
	return b, true, nil
}

func wrapRedis(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("accounts: redis: %w", err)
}
