//go:build integration

// Package multihost checks the multi-host rehearsal (issue 13, item 7): a
// second network started with IDCHAIN_MULTIHOST=1 in network/.run-multihost,
// where every org binds its own loopback address, keeps its files in its own
// directory (run as its own Unix user when the tests run as root) and gets
// from the others only what separate organisations would send each other;
// each org's own API (IDCHAIN_ORG_APIS=1) is started and checked with them.
// With the build tag rehearse (make rehearse) a fifth org then joins from its
// own host and everything is checked again (addorg_test.go).
// It runs beside the default network of make test (other addresses, same
// ports) and stops what it started.
package multihost

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/profile"
)

// rehearsal is a running multi-host network.
type rehearsal struct {
	root    string // repository root
	runDir  string // network/.run-multihost
	env     []string
	profile *profile.Profile // the harness view (every org's files)
	added   map[string]bool  // orgs that joined the running channel
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "network", "network.sh")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("network/network.sh not found above the working directory")
		}
		dir = parent
	}
}

// startRehearsal starts the multi-host network (stopping a leftover one
// first) and stops it when the test ends. Ports: the offset of the running
// network (the addresses differ, so nothing clashes), 1000 more when that
// one is a multi-host rehearsal itself (IDCHAIN_MULTIHOST=1 make up).
func startRehearsal(t *testing.T) *rehearsal {
	t.Helper()
	root := repoRoot(t)
	r := &rehearsal{root: root, runDir: filepath.Join(root, "network", ".run-multihost"), added: map[string]bool{}}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IDCHAIN_") {
			r.env = append(r.env, kv)
		}
	}
	offset := os.Getenv("IDCHAIN_PORT_OFFSET")
	if b, err := os.ReadFile(filepath.Join(root, "network", ".run", "port-offset")); err == nil {
		offset = strings.TrimSpace(string(b))
	}
	n, _ := strconv.Atoi(offset)
	if b, err := os.ReadFile(filepath.Join(root, "network", ".run", "multihost")); err == nil && strings.TrimSpace(string(b)) == "1" {
		n += 1000 // the running network is a rehearsal too: same addresses, so other ports
	}
	r.env = append(r.env, "IDCHAIN_PORT_OFFSET="+strconv.Itoa(n))
	r.env = append(r.env, "IDCHAIN_MULTIHOST=1", "IDCHAIN_RUN_DIR="+r.runDir)
	down := func() {
		r.script(t, 2*time.Minute, nil, "scripts/api-down.sh")
		r.script(t, 2*time.Minute, nil, "network/network.sh", "down")
	}
	down()
	t.Cleanup(func() {
		if os.Getenv("IDCHAIN_KEEP_MULTIHOST") == "1" {
			t.Logf("IDCHAIN_KEEP_MULTIHOST=1: the rehearsal keeps running in %s", r.runDir)
			return
		}
		down()
	})
	start := time.Now()
	r.script(t, 8*time.Minute, nil, "network/network.sh", "up")
	t.Logf("multi-host network up in %s", time.Since(start).Round(time.Second))
	r.startAPIs(t)
	return r
}

// startAPIs starts (or restarts, with new keys) the demo API and each org's
// own API, and reloads the profile.
func (r *rehearsal) startAPIs(t *testing.T) {
	t.Helper()
	env, err := profile.ReadEnvFile(filepath.Join(r.runDir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r.script(t, 5*time.Minute, []string{"IDCHAIN_ORG_APIS=1",
		"IDCHAIN_API_ADDR=" + strings.TrimPrefix(env["IDCHAIN_API"], "http://"),
		"IDCHAIN_OPS_ADDR=" + strings.TrimPrefix(env["IDCHAIN_API_OPS"], "http://")}, "scripts/api-up.sh")
	t.Logf("APIs up in %s", time.Since(start).Round(time.Second))
	p, err := profile.Load(filepath.Join(r.runDir, "profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.profile = p
}

// script runs a repository script with the rehearsal's environment.
func (r *rehearsal) script(t *testing.T, timeout time.Duration, extra []string, path string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(r.root, path)}, args...)...)
	cmd.Env = append(append([]string{}, r.env...), extra...)
	cmd.Dir = r.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", path, strings.Join(args, " "), err, tail(out, 60))
	}
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// proc is one process of the rehearsal: its node name, the host (org, or
// "orderer") it belongs to and the address it must listen on.
type proc struct {
	name, owner, ip string
	pid             int
}

func (r *rehearsal) processes(t *testing.T) []proc {
	t.Helper()
	hostOf := map[string]string{} // owner → IP, from the profile
	for _, o := range r.profile.Orgs {
		h, _, err := net.SplitHostPort(o.Peer.Address)
		if err != nil {
			t.Fatal(err)
		}
		hostOf[o.Name] = h
	}
	files, err := filepath.Glob(filepath.Join(r.runDir, "pids", "*.pid"))
	if err != nil {
		t.Fatal(err)
	}
	apis, err := filepath.Glob(filepath.Join(r.runDir, "api", "api-*.pid")) // each org's own API
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, apis...)
	var ps []proc
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pid")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		p := proc{name: name, pid: pid}
		switch {
		case name == "redis": // a shared service, not an org's
			continue
		case strings.HasPrefix(name, "api-"):
			org := strings.TrimPrefix(name, "api-")
			if hostOf[org] == "" {
				t.Fatalf("API %s belongs to no org", name)
			}
			p.owner, p.ip = org, hostOf[org]
		case strings.HasPrefix(name, "orderer"):
			o, err := r.profile.Orderer(name)
			if err != nil {
				t.Fatal(err)
			}
			p.owner = "orderer"
			p.ip, _, _ = net.SplitHostPort(o.Address)
		default:
			_, org, ok := strings.Cut(name, ".")
			if !ok || hostOf[org] == "" {
				t.Fatalf("process %s belongs to no org", name)
			}
			p.owner, p.ip = org, hostOf[org]
		}
		ps = append(ps, p)
	}
	// 3 orderers; a CA, a peer, a chaincode server and an API per org
	if want := 3 + 4*len(r.profile.Orgs); len(ps) != want {
		t.Fatalf("%d processes, want %d", len(ps), want)
	}
	return ps
}

func (r *rehearsal) hostDir(owner string) string { return filepath.Join(r.runDir, "hosts", owner) }

// TestMultihostRehearsal starts the rehearsal once and checks it from every
// side (about a minute; an org joining it: addorg_test.go, make rehearse).
func TestMultihostRehearsal(t *testing.T) {
	r := startRehearsal(t)
	r.checkAll(t)
}

func (r *rehearsal) checkAll(t *testing.T) {
	ps := r.processes(t)
	t.Run("EachOrgListensOnlyOnItsOwnAddress", func(t *testing.T) { checkAddresses(t, ps) })
	t.Run("EachOrgRunsAsItsOwnUser", func(t *testing.T) { checkUsers(t, r, ps) })
	t.Run("NoProcessNamesAnotherOrgsFiles", func(t *testing.T) { checkPaths(t, r, ps) })
	t.Run("OnlyPublicFilesTravel", func(t *testing.T) { checkExchange(t, r) })
	t.Run("TLSCertificatesNameTheHostAddress", func(t *testing.T) { checkSANs(t, r) })
	t.Run("AnotherOrgsFilesAreUnreadable", func(t *testing.T) { checkRefused(t, r) })
	t.Run("EachOrgTransactsWithItsOwnFilesOnly", func(t *testing.T) { checkOrgProfiles(t, r) })
	t.Run("EachOrgsAPIServesOnlyItsOwnUsers", func(t *testing.T) { checkOrgAPIs(t, r) })
}

// checkOrgAPIs: each org's API, on its own address, answers its own
// operator's or admin's key and refuses the next org's admin key.
func checkOrgAPIs(t *testing.T, r *rehearsal) {
	env, err := profile.ReadEnvFile(filepath.Join(r.runDir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	admin := func(o profile.Org) string {
		for _, u := range o.Users {
			if u.Type == "admin" {
				return u.Name
			}
		}
		t.Fatalf("%s has no admin", o.Name)
		return ""
	}
	status := func(url, key string) int {
		req, err := http.NewRequest(http.MethodGet, url+"/v1/prefixes", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, o := range r.profile.Orgs {
		url := env["IDCHAIN_API_"+strings.ToUpper(o.Name)]
		ip, _, _ := net.SplitHostPort(o.Peer.Address)
		if !strings.HasPrefix(url, "http://"+ip+":") {
			t.Errorf("%s's API is at %q, not on %s", o.Name, url, ip)
			continue
		}
		own, other := admin(o), admin(r.profile.Orgs[(i+1)%len(r.profile.Orgs)])
		if got := status(url, env[profile.KeyVar(own)]); got != http.StatusOK {
			t.Errorf("%s's API answers its own %s with %d", o.Name, own, got)
		}
		if got := status(url, env[profile.KeyVar(other)]); got != http.StatusUnauthorized {
			t.Errorf("%s's API answers %s of another org with %d, want 401", o.Name, other, got)
		}
	}
}
