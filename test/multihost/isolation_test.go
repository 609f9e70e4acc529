//go:build integration

package multihost

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// Checks that each org is its own host: listening addresses, Unix users,
// the paths its processes name.

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
