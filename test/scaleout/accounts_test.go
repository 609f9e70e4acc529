//go:build integration

package scaleout

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/identifier"
)

// newUSCC makes a valid enterprise 统一社会信用代码 with a random
// organisation code.
func newUSCC(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	id, err := identifier.EnterpriseUSCC("350100", fmt.Sprintf("MB%06d", n.Int64()))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Two API replicas share the enterprise account store in Redis
// (-accounts-store redis, one KEK file): a user created through a is
// accepted by b, which signs its registration with the enrollment key it
// unseals from Redis; a user revoked through a is refused by b within 1 s
// of being refused by a.
func TestReplicasShareEnterpriseAccounts(t *testing.T) {
	w := mustWorld(t)
	dir := t.TempDir()
	kek := filepath.Join(dir, "accounts.kek")
	if err := os.WriteFile(kek, []byte(randHex(32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := []string{"-accounts-store", "redis", "-accounts-kek", kek}
	a := startAPI(t, w, "accounts-a", 8087, "", filepath.Join(dir, "a.checkpoint"), flags...)
	b := startAPI(t, w, "accounts-b", 8088, "", filepath.Join(dir, "b.checkpoint"), flags...)

	id := newUSCC(t)
	expect(t, "create enterprise through a", a.call(t, "POST", "/v1/enterprises", "platform-admin",
		map[string]any{"id": id, "name": "副本共享测试 " + id[10:16], "industries": []string{"generic"}, "org": "MakerMSP"}), 201)
	prefix := fmt.Sprintf("88.716.%s", randHex(4))
	expect(t, "enterprise prefix through a", a.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": prefix, "enterprise": id}), 201)
	r := expect(t, "create user through a", a.call(t, "POST", "/v1/enterprises/"+id+"/users", "platform-admin",
		map[string]string{"name": "line-1", "role": "operator"}), 201)
	var u struct {
		APIKey string `json:"apiKey"`
	}
	if err := json.Unmarshal(r.body, &u); err != nil || u.APIKey == "" {
		t.Fatalf("user %s: %v", r.body, err)
	}

	// b knows the user: it authenticates the key and signs as the user.
	item := map[string]any{"items": []map[string]any{{"id": prefix + "/R-1", "kind": "unit", "industry": "generic", "model": "M-1"}}}
	expect(t, "the user registers through b", b.callKey(t, "POST", "/v1/items", u.APIKey, item), 201)
	l := expect(t, "b lists the user", b.call(t, "GET", "/v1/enterprises/"+id+"/users", "platform-admin", nil), 200)
	if !strings.Contains(string(l.body), `"line-1@`+id+`"`) {
		t.Fatalf("b's user list: %s", l.body)
	}

	// Revoke through a while polling both replicas with the user's key:
	// 403 (the key is known, the operator may not list users) until the
	// revocation, 401 after.
	probe := "/v1/enterprises/" + id + "/users"
	if s := b.callKey(t, "GET", probe, u.APIKey, nil).status; s != 403 {
		t.Fatalf("probe on b before the revocation: %d, want 403", s)
	}
	begin := time.Now()
	refused := map[string]time.Duration{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, x := range []*api{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(begin) < 60*time.Second {
				if x.callKey(t, "GET", probe, u.APIKey, nil).status == 401 {
					mu.Lock()
					refused[x.name] = time.Since(begin)
					mu.Unlock()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	del := a.call(t, "DELETE", "/v1/enterprises/"+id+"/users/line-1", "platform-admin", nil)
	took := time.Since(begin)
	wg.Wait()
	expect(t, "revoke through a", del, 200)
	ra, okA := refused[a.name]
	rb, okB := refused[b.name]
	if !okA || !okB {
		t.Fatalf("the revoked key is still accepted: refused by a %v, by b %v (after 60 s)", okA, okB)
	}
	t.Logf("revocation through a (DELETE answered after %s): refused by a after %s, by b after %s", took, ra, rb)
	if rb > ra+time.Second {
		t.Fatalf("b refused the revoked key %s after a did, want within 1 s", rb-ra)
	}
	expect(t, "the revoked user on b", b.callKey(t, "POST", "/v1/items", u.APIKey, item), 401)
}
