//go:build integration

package api

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// startReplica runs a second API process (the binary scripts/api-up.sh
// built) on a free port with its own event checkpoint, against the same
// network and Redis, and returns it as an apiEnv.
func startReplica(t *testing.T, e apiEnv) apiEnv {
	t.Helper()
	ppath, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Dir(ppath)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(filepath.Join(run, "bin", "idchain-api"), "-profile", ppath, "-keys", filepath.Join(run, "api", "keys.json"),
		"-checkpoint", filepath.Join(t.TempDir(), "events.checkpoint"), "-addr", addr,
		"-ops-addr", "127.0.0.1:0", "-accounts", filepath.Join(run, "api", "accounts"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("second API: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := apiEnv{url: "http://" + addr, keys: e.keys, root: e.root}
	eventually(t, 30*time.Second, func() string {
		res, err := http.Get(r.url + "/readyz")
		if err != nil {
			return err.Error()
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return "readyz " + strconv.Itoa(res.StatusCode)
		}
		return ""
	})
	return r
}

// A recall reaches the in-process caches of every API replica (not only
// the one that wrote it) within a second: each replica's event listener
// drops the id from its own cache.
func TestRecallReachesEveryReplicasHotCacheWithinASecond(t *testing.T) {
	e := mustEnv(t)
	second := startReplica(t, e)
	p := newPrefix(t, e)
	u := p + "/HOT1"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(u, "S1", "")}}), 201)
	replicas := []apiEnv{e, second}
	verify := func(r apiEnv) domain.Verification {
		return decodeBody[domain.Verification](t, r.call(t, "GET", "/v1/verify/"+u, "maker-operator", nil))
	}
	for _, r := range replicas {
		eventually(t, 5*time.Second, func() string { // the second replica may not have the block yet
			if v := verify(r); !v.Genuine || v.Recalled {
				return "not yet registered, or recalled"
			}
			return ""
		})
		verify(r) // now from the in-process cache
	}
	expect(t, "recall", e.call(t, "POST", "/v1/items/"+u+"/recall", "regulator", `{"reason":"进程内缓存测试 hot cache test"}`), 200)
	for i, r := range replicas {
		d := eventually(t, 3*time.Second, func() string {
			if v := verify(r); !v.Recalled {
				return "keyed verify does not show the recall"
			}
			return ""
		})
		t.Logf("replica %d: recall visible %s after the recall's answer", i, d)
		if d > time.Second {
			t.Errorf("replica %d showed the recall after %s, want within 1 s", i, d)
		}
	}
}

// Prefer: respond-async answers 202 with a Location at once; the job
// reports the per-item outcome once the transaction committed, to its
// sender only, on any replica (the job lives in Redis).
func TestAsyncRegistrationIsPolledUntilCommitted(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	u := p + "/ASYNC1"
	r := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(u, "S1", ""), kbUnit("88.999.1/ASYNC-"+randHex(4), "S2", "")}},
		"Prefer", "respond-async")
	expect(t, "async register", r, 202)
	job := decodeBody[map[string]any](t, r)
	loc := "/v1/jobs/" + job["id"].(string)
	var done map[string]any
	d := eventually(t, 30*time.Second, func() string {
		done = decodeBody[map[string]any](t, e.call(t, "GET", loc, "maker-operator", nil))
		if done["status"] != "done" {
			return "job still " + done["status"].(string)
		}
		return ""
	})
	t.Logf("job done %s after the 202", d)
	res := done["result"].(map[string]any)["results"].([]any)
	if done["httpStatus"] != float64(207) || len(res) != 2 || res[0].(map[string]any)["status"] != "created" || res[1].(map[string]any)["status"] != "rejected" {
		t.Fatalf("job outcome: %v", done)
	}
	expect(t, "the item is there", e.call(t, "GET", "/v1/items/"+u, "maker-operator", nil), 200)
	expect(t, "another user's poll", e.call(t, "GET", loc, "partner-operator", nil), 404, domain.CodeNotFound)
	expect(t, "a malformed job id", e.call(t, "GET", "/v1/jobs/x", "maker-operator", nil), 400, domain.CodeInvalid)
	expect(t, "bad input is refused at once", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{}},
		"Prefer", "respond-async"), 400, domain.CodeInvalid)
}
