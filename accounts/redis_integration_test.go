//go:build integration

package accounts

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// networkRedis connects to the running network's Redis (make up).
func networkRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no running network (make up): %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(p.RedisURL)
	if err != nil {
		t.Fatalf("profile redisUrl %q: %v", p.RedisURL, err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Two managers over one Redis stand for two API replicas: an account
// created through one authenticates and signs through the other, a
// revocation through one is refused by the other at its next lookup, and
// Redis holds neither the API key nor the plain enrollment key.
func TestRedisStoreSharedByTwoManagers(t *testing.T) {
	ctx := context.Background()
	rdb := networkRedis(t)
	kek := []byte(strings.Repeat("k", 32))
	st1, err := NewRedisStore(rdb, kek)
	if err != nil {
		t.Fatal(err)
	}
	st2, _ := NewRedisStore(rdb, kek)
	ca := &fakeCA{}
	var published []string
	pub := func(_ context.Context, msp string, crl []byte) error {
		published = append(published, msp+":"+string(crl))
		return nil
	}
	m1 := New(st1, map[string]CA{"PlatformMSP": ca}, pub)
	m2 := New(st2, map[string]CA{"PlatformMSP": ca}, pub)
	user := "r-" + randomName(t)
	a, key, signer, err := m1.Create(ctx, "PlatformMSP", ent, user, domain.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rdb.Del(ctx, rkUser(a.Name), rkHash(a.KeyHash), rkKey(a.Name))
		rdb.SRem(ctx, rkEnt(ent), a.Name)
		rdb.SRem(ctx, rkNames, a.Name)
	})
	got, ok := m2.ByKeyHash(HashKey(key))
	if !ok || got.Name != a.Name || got.CertPEM != a.CertPEM {
		t.Fatalf("the other manager does not find the new key: %+v %v", got, ok)
	}
	s2, err := m2.Signer(got)
	if err != nil || !s2.Key.Equal(signer.Key) {
		t.Fatalf("the other manager's signer: %v", err)
	}
	if _, _, _, err := m2.Create(ctx, "PlatformMSP", ent, user, domain.RoleQA); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("the same user through the other manager: %v, want CONFLICT", err)
	}
	found := false
	for _, x := range m2.List(ent) {
		found = found || x.Name == a.Name
	}
	if !found {
		t.Fatal("the other manager does not list the account")
	}
	// Nothing in Redis is usable on its own.
	keys, err := rdb.Keys(ctx, redisTag+":*"+a.Name+"*").Result()
	if err != nil || len(keys) < 2 {
		t.Fatalf("account keys in Redis: %v %v", keys, err)
	}
	keyPEM, _ := signer.KeyPEM()
	for _, k := range keys {
		v, _ := rdb.Get(ctx, k).Bytes()
		if strings.Contains(string(v), key) || strings.Contains(string(v), "PRIVATE KEY") || strings.Contains(string(v), string(keyPEM)) {
			t.Fatalf("Redis key %s holds the API key or the plain enrollment key", k)
		}
	}

	if _, err := m1.Revoke(ctx, ent, user); err != nil {
		t.Fatal(err)
	}
	if _, ok := m2.ByKeyHash(HashKey(key)); ok {
		t.Fatal("the other manager still accepts a revoked key")
	}
	if x, ok := m2.Get(ent, user); !ok || !x.Revoked() {
		t.Fatalf("the other manager does not see the revocation: %+v", x)
	}
	if _, err := m2.Signer(x0(m2.Get(ent, user))); err == nil {
		t.Fatal("the enrollment key of a revoked user is still in Redis")
	}
	// A second revocation (through the other manager) keeps the first's time.
	first, _ := m1.Get(ent, user)
	again, err := m2.Revoke(ctx, ent, user)
	if err != nil || !again.RevokedAt.Equal(first.RevokedAt) {
		t.Fatalf("second revocation: %v at %v, first at %v", err, again.RevokedAt, first.RevokedAt)
	}
}

func x0(a Account, _ bool) Account { return a }

func randomName(t *testing.T) string {
	t.Helper()
	k, err := newAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(k[4:16]))
}
