package scans

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSessionsKeepOnlyTheKeyHashAndEnd(t *testing.T) {
	ctx := context.Background()
	rdb := mustRedis(t)
	s := NewScans(rdb, time.Second)
	token, err := s.NewSession(ctx, "hash-of-key", time.Hour)
	if err != nil || len(token) != 64 {
		t.Fatalf("new session %q %v", token, err)
	}
	other, _ := s.NewSession(ctx, "hash-of-key", time.Hour)
	if other == token {
		t.Fatal("two sessions share a token")
	}
	if h, ok, err := s.Session(ctx, token); !ok || err != nil || h != "hash-of-key" {
		t.Fatalf("session: %q %v %v", h, ok, err)
	}
	keys, _ := rdb.Keys(ctx, sessionPrefix+"*").Result()
	for _, k := range keys {
		if strings.Contains(k, token) {
			t.Fatalf("Redis key %s holds the token itself", k)
		}
	}
	if ttl := rdb.TTL(ctx, sessionKey(token)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("session ttl %v", ttl)
	}
	if err := s.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, token); ok {
		t.Fatal("session alive after logout")
	}
	if _, ok, _ := s.Session(ctx, ""); ok {
		t.Fatal("empty token accepted")
	}
}
