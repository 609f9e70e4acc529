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
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

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

// listeners maps socket inode → listening IPv4 address, from /proc/net/tcp.
func listeners(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
			continue
		}
		hexIP, _, _ := strings.Cut(fields[1], ":")
		b, err := hex.DecodeString(hexIP)
		if err != nil || len(b) != 4 {
			continue
		}
		out[fields[9]] = net.IPv4(b[3], b[2], b[1], b[0]).String()
	}
	return out
}

func fdTargets(t *testing.T, pid int) []string {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("process %d: %v", pid, err)
	}
	var out []string
	for _, e := range entries {
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			out = append(out, target)
		}
	}
	return out
}

func checkAddresses(t *testing.T, ps []proc) {
	listen := listeners(t)
	for _, p := range ps {
		n := 0
		for _, target := range fdTargets(t, p.pid) {
			inode, ok := strings.CutPrefix(target, "socket:[")
			if !ok {
				continue
			}
			ip, ok := listen[strings.TrimSuffix(inode, "]")]
			if !ok {
				continue
			}
			n++
			if ip != p.ip {
				t.Errorf("%s (%s) listens on %s, want only %s", p.name, p.owner, ip, p.ip)
			}
		}
		if n == 0 {
			t.Errorf("%s listens on nothing", p.name)
		}
	}
}

func uidOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("no Uid in /proc/%d/status", pid)
	return ""
}

// needRoot: separate Unix users need root; make test (IDCHAIN_TEST_STRICT=1) fails without it.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
		t.Fatal("not root: the rehearsal cannot run each org as its own Unix user")
	}
	t.Skip("not root: the rehearsal runs every org as the same user")
}

func checkUsers(t *testing.T, r *rehearsal, ps []proc) {
	needRoot(t)
	uids := map[string]string{} // owner → uid
	for _, owner := range append([]string{"orderer"}, orgNames(r)...) {
		u, err := user.Lookup("idchain-" + owner)
		if err != nil {
			t.Fatal(err)
		}
		for other, uid := range uids {
			if uid == u.Uid {
				t.Errorf("%s and %s share uid %s", owner, other, uid)
			}
		}
		uids[owner] = u.Uid
		st, err := os.Stat(r.hostDir(owner))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s is %v, want 0700", r.hostDir(owner), st.Mode().Perm())
		}
	}
	for _, p := range ps {
		if got := uidOf(t, p.pid); got != uids[p.owner] {
			t.Errorf("%s runs as uid %s, want idchain-%s (%s)", p.name, got, p.owner, uids[p.owner])
		}
	}
}

func orgNames(r *rehearsal) []string {
	var out []string
	for _, o := range r.profile.Orgs {
		out = append(out, o.Name)
	}
	return out
}

func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// pathTokens: the absolute paths inside an environment value or argument
// (lists like "[a,b]" or "a:b" included).
func pathTokens(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(":,[] \"'", r) }) {
		if strings.HasPrefix(f, "/") {
			out = append(out, filepath.Clean(f))
		}
	}
	return out
}

// checkPaths: every file a process has open, its working directory, and
// every path in its command line and environment lies under its own host
// directory, or is the software (network/bin, network/builder, the built
// chaincode binary) or a system file; nothing under another org's
// directory or elsewhere in the run directory or the repository.
func checkPaths(t *testing.T, r *rehearsal, ps []proc) {
	software := []string{
		filepath.Join(r.root, "network", "bin"),
		filepath.Join(r.root, "network", "builder"),
		filepath.Join(r.runDir, "bin"),
	}
	system := []string{"/dev/", "/proc/", "/sys/", "/etc/", "/usr/"}
	for _, p := range ps {
		own := r.hostDir(p.owner)
		judge := func(kind, path string, strict bool) {
			switch {
			case under(path, own):
				return
			case under(path, r.root):
				for _, s := range software {
					if under(path, s) {
						return
					}
				}
				t.Errorf("%s (%s): %s %s lies outside its own directory %s", p.name, p.owner, kind, path, own)
			case strict:
				for _, s := range system {
					if strings.HasPrefix(path, s) {
						return
					}
				}
				t.Errorf("%s (%s): %s %s is neither its own nor a system file", p.name, p.owner, kind, path)
			}
		}
		ownSeen := 0
		cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", p.pid))
		if err != nil {
			t.Fatal(err)
		}
		judge("working directory", cwd, true)
		for _, target := range fdTargets(t, p.pid) {
			if !strings.HasPrefix(target, "/") {
				continue // socket:, pipe:, anon_inode:
			}
			if under(target, own) {
				ownSeen++
			}
			judge("open file", strings.TrimSuffix(target, " (deleted)"), true)
		}
		for _, file := range []string{"cmdline", "environ"} {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", p.pid, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range bytes.Split(b, []byte{0}) {
				value := string(item)
				if file == "environ" {
					_, value, _ = strings.Cut(value, "=")
				}
				for _, path := range pathTokens(value) {
					if under(path, own) {
						ownSeen++
					}
					judge(file+" path", path, false)
				}
			}
		}
		// the check saw the process's own configuration (not an empty view)
		if ownSeen < 2 {
			t.Errorf("%s: only %d paths under its own directory seen", p.name, ownSeen)
		}
	}
}

type sent struct{ from, to, rel, sum string }

// checkExchange: every file of another org (or of the ordering org) in a
// host's tree arrived through send() (hosts/exchange.log) from that org,
// unchanged, and no exchanged file holds a private key; each host received
// what it needs.
func checkExchange(t *testing.T, r *rehearsal) {
	b, err := os.ReadFile(filepath.Join(r.runDir, "hosts", "exchange.log"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]sent{} // to/rel → entry
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			t.Fatalf("exchange.log line %q", line)
		}
		got[f[1]+"/"+f[2]] = sent{f[0], f[1], f[2], f[3]}
	}
	isOrg := map[string]bool{}
	for _, o := range r.profile.Orgs {
		isOrg[o.Name] = true
	}
	// owner of a top-level crypto/ entry or of channel/ ("*": any peer org,
	// the config update adding an org travels from signer to signer)
	ownerOf := func(rel string) string {
		parts := strings.Split(rel, "/")
		switch {
		case parts[0] == "channel" && len(parts) > 2 && strings.HasPrefix(parts[1], "add-"):
			return "*"
		case parts[0] == "channel":
			return "orderer"
		case parts[0] == "crypto" && len(parts) > 1 && parts[1] == "ordererOrganizations":
			return "orderer"
		case parts[0] == "crypto" && len(parts) > 1:
			return parts[1]
		}
		return ""
	}
	hosts := append([]string{"orderer"}, orgNames(r)...)
	for _, h := range hosts {
		err := filepath.WalkDir(r.hostDir(h), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(r.hostDir(h), path)
			owner := ownerOf(rel)
			e, ok := got[h+"/"+rel]
			if owner == "" || owner == h || (owner == "*" && !ok) {
				return nil // its own file (a config update it wrote itself)
			}
			if !ok {
				t.Errorf("host %s holds %s of %s, which was never sent", h, rel, owner)
				return nil
			}
			if owner == "*" && (!isOrg[e.from] || e.from == h) || owner != "*" && e.from != owner {
				t.Errorf("host %s: %s came from %s, not from its owner %s", h, rel, e.from, owner)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			// a signer adds its signature to the config update it received
			if owner != "*" && hex.EncodeToString(sum[:]) != e.sum {
				t.Errorf("host %s: %s differs from what %s sent", h, rel, e.from)
			}
			if bytes.Contains(data, []byte("PRIVATE KEY")) {
				t.Errorf("host %s: %s from %s holds a private key", h, rel, e.from)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// what each host needs, and from whom
	need := func(to, from, rel string) {
		if e, ok := got[to+"/"+rel]; !ok || e.from != from {
			t.Errorf("host %s never received %s from %s", to, rel, from)
		}
	}
	first := r.profile.Orgs[0].Name
	for _, o := range r.profile.Orgs {
		msp := []string{"crypto/" + o.Name + "/msp/cacerts/ca.pem", "crypto/" + o.Name + "/msp/tlscacerts/ca.pem", "crypto/" + o.Name + "/msp/config.yaml"}
		for _, rel := range msp {
			if r.added[o.Name] {
				need(first, o.Name, rel) // the first org writes the config update
			} else {
				need("orderer", o.Name, rel) // the ordering org writes the genesis block
			}
		}
		need(o.Name, "orderer", "channel/"+r.profile.Channel+".block")
		ordererCA, _ := filepath.Rel(r.hostDir("orderer"), r.profile.Orderers[0].TLSCACert)
		need(o.Name, "orderer", ordererCA)
		for _, other := range r.profile.Orgs {
			if other.Name != o.Name {
				need(o.Name, other.Name, "crypto/"+other.Name+"/peers/peer0/tls/ca.crt")
			}
		}
	}
}

func ipSANs(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", file)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// checkSANs: peer, chaincode server and orderer TLS certificates carry
// exactly their host's address as IP SAN (not 127.0.0.1), so clients on
// other hosts verify them by the address they dial.
func checkSANs(t *testing.T, r *rehearsal) {
	want := func(file, ip string) {
		got := ipSANs(t, file)
		if len(got) != 1 || got[0] != ip {
			t.Errorf("%s: IP SANs %v, want [%s]", file, got, ip)
		}
	}
	for _, o := range r.profile.Orgs {
		ip, _, _ := net.SplitHostPort(o.Peer.Address)
		crypto := filepath.Join(r.hostDir(o.Name), "crypto", o.Name)
		want(filepath.Join(crypto, "peers", "peer0", "tls", "server.crt"), ip)
		want(filepath.Join(crypto, "chaincode", "tls", "server.crt"), ip)
	}
	for _, o := range r.profile.Orderers {
		ip, _, _ := net.SplitHostPort(o.Address)
		files, _ := filepath.Glob(filepath.Join(r.hostDir("orderer"), "crypto", "ordererOrganizations", "*", "orderers", o.Name+".*", "tls", "server.crt"))
		if len(files) != 1 {
			t.Fatalf("orderer %s: %d TLS certificates", o.Name, len(files))
		}
		want(files[0], ip)
	}
}

// asUser runs cat FILE as the host's Unix user.
func asUser(owner, file string) ([]byte, error) {
	u := "idchain-" + owner
	return exec.Command("setpriv", "--reuid="+u, "--regid="+u, "--clear-groups", "--", "cat", file).CombinedOutput()
}

// checkRefused: each host's user can read its own peer's TLS key and cannot
// read the next host's: a process that tried would fail.
func checkRefused(t *testing.T, r *rehearsal) {
	needRoot(t)
	hosts := append([]string{"orderer"}, orgNames(r)...)
	secret := func(h string) string {
		if h == "orderer" {
			files, _ := filepath.Glob(filepath.Join(r.hostDir(h), "crypto", "ordererOrganizations", "*", "orderers", "*", "tls", "server.key"))
			if len(files) == 0 {
				t.Fatal("no orderer TLS key")
			}
			return files[0]
		}
		return filepath.Join(r.hostDir(h), "crypto", h, "peers", "peer0", "tls", "server.key")
	}
	for i, h := range hosts {
		if out, err := asUser(h, secret(h)); err != nil {
			t.Errorf("%s cannot read its own key: %v %s", h, err, out)
		}
		other := hosts[(i+1)%len(hosts)]
		out, err := asUser(h, secret(other))
		if err == nil {
			t.Errorf("%s read %s's key %s", h, other, secret(other))
		} else if !strings.Contains(string(out), "Permission denied") {
			t.Errorf("%s reading %s's key: %v %s, want Permission denied", h, other, err, out)
		}
	}
}

// checkOrgProfiles: each org's own profile (hosts/<org>/profile.json) names
// only files under its own directory and users of its own; with it alone
// the org's admin submits a transaction through its own peer, endorsed by a
// majority of orgs on their own addresses, and reads it back.
func checkOrgProfiles(t *testing.T, r *rehearsal) {
	for _, o := range r.profile.Orgs {
		own := r.hostDir(o.Name)
		path := filepath.Join(own, "profile.json")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		walkStrings(doc, func(s string) {
			if strings.HasPrefix(s, "/") && !under(s, own) {
				t.Errorf("%s names %s, outside %s", path, s, own)
			}
		})
		p, err := profile.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		admin := ""
		for _, po := range p.Orgs {
			if po.Name != o.Name && len(po.Users) > 0 {
				t.Errorf("%s lists users of %s", path, po.Name)
			}
			for _, u := range po.Users {
				if po.Name == o.Name && u.Type == "admin" && admin == "" {
					admin = u.Name
				}
			}
		}
		if admin == "" {
			t.Fatalf("%s: no admin of %s", path, o.Name)
		}
		key := fmt.Sprintf("multihost/%s/%d", o.Name, time.Now().UnixNano())
		if err := touchAndRead(p, admin, key); err != nil {
			t.Errorf("%s with its own profile: %v", o.Name, err)
		}
	}
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}

// touchAndRead submits system:Touch as the user, waits for a valid commit,
// and evaluates system:Ping, retrying while the gateway settles.
func touchAndRead(p *profile.Profile, userName, key string) error {
	s, err := p.Open(userName, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = profile.Retry(ctx, profile.DefaultBackoff, func(ctx context.Context) error {
		_, commit, err := s.Contract().SubmitAsync("system:Touch", client.WithArguments(key, "v"))
		if err != nil {
			return err
		}
		st, err := commit.StatusWithContext(ctx)
		if err != nil {
			return err
		}
		if !st.Successful {
			return fmt.Errorf("transaction %s committed with status %s", st.TransactionID, st.Code)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	out, err := s.Contract().EvaluateTransaction("system:Ping")
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	var ping struct {
		MSP string `json:"msp"`
	}
	if err := json.Unmarshal(out, &ping); err != nil {
		return err
	}
	if ping.MSP != s.Org.MSPID {
		return fmt.Errorf("ping answered for %q, want %q", ping.MSP, s.Org.MSPID)
	}
	return nil
}
