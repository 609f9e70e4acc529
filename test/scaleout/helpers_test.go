//go:build integration

// Package scaleout holds the integration tests of running idchain scaled
// out on the real network: a local Redis Cluster (three masters, three
// replicas) under the API's cache, scan and dashboard counters, and two API
// replicas sharing Redis, each with its own event listener and checkpoint.
// Everything a test starts (Redis nodes, API processes) it stops; ports come
// from the network's IDCHAIN_PORT_OFFSET block.
package scaleout

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/idchain/idchain/profile"
)

// world is the running network as the tests see it.
type world struct {
	root    string // repository root
	runDir  string // network/.run
	offset  int    // IDCHAIN_PORT_OFFSET of the running network
	profile string
	keys    map[string]string // user → API key
}

var (
	worldOnce sync.Once
	theWorld  world
	worldErr  error

	apiOnce sync.Once
	apiBin  string
	apiErr  error
)

func mustWorld(t *testing.T) world {
	t.Helper()
	worldOnce.Do(func() {
		path, err := profile.Path(os.Getenv)
		if err != nil {
			worldErr = err
			return
		}
		path, _ = filepath.Abs(path)
		runDir := filepath.Dir(path)
		vars, err := profile.ReadEnvFile(filepath.Join(runDir, "env"))
		if err != nil {
			worldErr = err
			return
		}
		w := world{root: filepath.Dir(filepath.Dir(runDir)), runDir: runDir, profile: path, keys: map[string]string{}}
		if b, err := os.ReadFile(filepath.Join(runDir, "port-offset")); err == nil {
			w.offset, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		for k, v := range vars {
			if u, ok := strings.CutPrefix(k, "IDCHAIN_KEY_"); ok {
				w.keys[strings.ReplaceAll(strings.ToLower(u), "_", "-")] = v
			}
		}
		if w.keys["maker-operator"] == "" {
			worldErr = fmt.Errorf("no API keys in %s/env (run make up)", runDir)
			return
		}
		theWorld = w
	})
	if worldErr != nil {
		t.Fatalf("no running system (make up): %v", worldErr)
	}
	return theWorld
}

// port is a port of the network's block (the topology's port + offset).
func (w world) port(p int) int { return p + w.offset }

// apiBinary builds the API once per test run.
func apiBinary(t *testing.T, w world) string {
	t.Helper()
	apiOnce.Do(func() {
		dir := filepath.Join(w.runDir, "bin")
		apiBin = filepath.Join(dir, "idchain-api-scaleout")
		cmd := exec.Command("go", "build", "-o", apiBin, "./cmd/idchain-api")
		cmd.Dir = w.root
		if out, err := cmd.CombinedOutput(); err != nil {
			apiErr = fmt.Errorf("go build ./cmd/idchain-api: %v\n%s", err, out)
		}
	})
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	return apiBin
}

// proc is a process a test started; stop is idempotent.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

func start(t *testing.T, name, logFile string, env []string, bin string, args ...string) *proc {
	t.Helper()
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(lf, "\n===== %s start %s =====\n", time.Now().UTC().Format(time.RFC3339), name)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); lf.Close(); close(p.done) }()
	t.Cleanup(func() { p.stop(syscall.SIGTERM) })
	return p
}

// stop signals the process (SIGTERM: orderly, SIGKILL: a crash) and waits.
func (p *proc) stop(sig syscall.Signal) {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// eventually polls check every 20 ms until it returns "" or timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() string) time.Duration {
	t.Helper()
	begin := time.Now()
	var last string
	for time.Since(begin) < timeout {
		if last = check(); last == "" {
			return time.Since(begin)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("after %s: %s", timeout, last)
	return 0
}

// api is one API replica started by a test.
type api struct {
	*proc
	url        string
	ops        string // operations listener: /metrics
	checkpoint string
	log        string
	w          world
	timeout    time.Duration // of one call; 30 s when zero
}

// startAPI starts an API replica on the network's port base+offset (its
// operations listener on base+100+offset) with
// its own checkpoint file, Redis at redisURL (empty: the network's Redis),
// debug logs (every handled chaincode event is logged with its tx id) and
// extra flags.
func startAPI(t *testing.T, w world, name string, base int, redisURL, checkpoint string, extra ...string) *api {
	t.Helper()
	bin := apiBinary(t, w)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(w.port(base)))
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		c.Close()
		t.Fatalf("%s: %s is already in use", name, addr)
	}
	args := []string{"-profile", w.profile, "-keys", filepath.Join(w.runDir, "api", "keys.json"),
		"-checkpoint", checkpoint, "-log-level", "debug",
		"-accounts", filepath.Join(w.runDir, "api", "accounts"),
		// the tests poll public pages far faster than a consumer would
		"-public-rate", "2000", "-public-burst", "4000"}
	if redisURL != "" {
		args = append(args, "-redis", redisURL)
	}
	args = append(args, extra...)
	logFile := filepath.Join(w.runDir, "logs", "scaleout-"+name+".log")
	ops := net.JoinHostPort("127.0.0.1", strconv.Itoa(w.port(base+100)))
	p := start(t, name, logFile, []string{"IDCHAIN_API_ADDR=" + addr, "IDCHAIN_OPS_ADDR=" + ops}, bin, args...)
	a := &api{proc: p, url: "http://" + addr, ops: "http://" + ops, checkpoint: checkpoint, log: logFile, w: w}
	eventually(t, 60*time.Second, func() string {
		if p.exited() {
			t.Fatalf("%s exited; see %s", name, logFile)
		}
		r := a.call(t, "GET", "/readyz", "", nil)
		if r.status != 200 {
			return fmt.Sprintf("%s not ready: %d %.300s", name, r.status, r.body)
		}
		return ""
	})
	return a
}

type reply struct {
	status int
	body   []byte
	tx     string
}

func (a *api) call(t *testing.T, method, path, user string, body any) reply {
	t.Helper()
	key := ""
	if user != "" {
		if key = a.w.keys[user]; key == "" {
			t.Fatalf("no API key for %s in network/.run/env", user)
		}
	}
	return a.callKey(t, method, path, key, body)
}

// callKey is call with a raw API key (none when empty).
func (a *api) callKey(t *testing.T, method, path, key string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	timeout := a.timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{status: 0, body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b, tx: res.Header.Get("X-Tx-Id")}
}

func expect(t *testing.T, what string, r reply, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %.400s", what, r.status, status, r.body)
	}
	return r
}

// metric returns the value of the first /metrics sample line starting with
// prefix (-1 when absent), from the operations listener.
func (a *api) metric(t *testing.T, prefix string) float64 {
	t.Helper()
	res, err := http.Get(a.ops + "/metrics")
	if err != nil {
		t.Fatalf("%s /metrics: %v", a.ops, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, prefix) {
			f, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// verification is the part of GET /v1/verify the tests look at.
type verification struct {
	Released bool  `json:"released"`
	Recalled bool  `json:"recalled"`
	Scans    int64 `json:"scans"`
}

func (a *api) verify(t *testing.T, id string) verification {
	t.Helper()
	r := expect(t, "verify "+id+" on "+a.name, a.call(t, "GET", "/v1/verify/"+id, "", nil), 200)
	var v verification
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("verify %s: %v: %.300s", id, err, r.body)
	}
	return v
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newItems assigns a fresh prefix to MakerMSP through a and registers a
// kitchen/bath lot with n serialized units under it; it returns the lot and
// the units' ids.
func newItems(t *testing.T, a *api, n int) (string, []string) {
	t.Helper()
	p := fmt.Sprintf("88.%d.%s", 600+time.Now().Nanosecond()%90, randHex(4))
	expect(t, "assign prefix", a.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": p, "owner": "MakerMSP"}), 201)
	lot := p + "/LOT"
	items := []map[string]any{{"id": lot, "kind": "lot", "industry": "kitchen_bath", "model": "SO-1",
		"attributes": map[string]string{"productionDate": "2026-12-01"}}}
	var units []string
	for i := range n {
		u := fmt.Sprintf("%s/U%d", p, i)
		units = append(units, u)
		items = append(items, map[string]any{"id": u, "kind": "unit", "industry": "kitchen_bath", "model": "SO-1",
			"serial": fmt.Sprintf("S%d", i), "parent": lot})
	}
	expect(t, "register", a.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": items}), 201)
	return lot, units
}
