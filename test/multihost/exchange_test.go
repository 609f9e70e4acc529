//go:build integration

package multihost

import (
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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/profile"
)

// Checks of what travels between the orgs, the certificates' addresses
// and that each org transacts with its own files only.

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
		_, _, err := s.SubmitCommitted(ctx, "system:Touch", key, "v")
		return err
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
