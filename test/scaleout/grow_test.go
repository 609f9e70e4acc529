//go:build integration

package scaleout

import (
	"encoding/json"
	"fmt"
	"io"
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

// growOrg is the org the test adds; a second peer is added to it too (an
// org with little history catches up quickly).
const growOrg = "brand"

// make runs a make target in the repository root with the network's offset.
func runMake(t *testing.T, w world, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = w.root
	cmd.Env = append(os.Environ(), fmt.Sprintf("IDCHAIN_PORT_OFFSET=%d", w.offset))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// mainAPI is the API started by make up, with the keys of network/.run/env
// as they are now (add-org appends the new org's).
func mainAPI(t *testing.T, w world) *api {
	t.Helper()
	vars, err := profile.ReadEnvFile(filepath.Join(w.runDir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	w.keys = map[string]string{}
	for k, v := range vars {
		if u, ok := strings.CutPrefix(k, "IDCHAIN_KEY_"); ok {
			w.keys[strings.ReplaceAll(strings.ToLower(u), "_", "-")] = v
		}
	}
	if vars["IDCHAIN_API"] == "" {
		t.Fatal("network/.run/env has no IDCHAIN_API (make up)")
	}
	return &api{proc: &proc{name: "api"}, url: vars["IDCHAIN_API"], w: w}
}

// On the running system `make add-org NAME=brand` adds BrandMSP: a prefix
// the authority assigns to it carries items its operator registers, which
// the other orgs' users and a consumer read; a re-run changes nothing; the
// org's keys are in network/.run/env. Then `make add-peer ORG=brand` adds
// peer1.brand, which catches up and serves the org's gateway: with peer0.brand
// stopped the API still writes as brand's operator.
func TestAddOrgThenAddPeer(t *testing.T) {
	w := mustWorld(t)
	msp := strings.ToUpper(growOrg[:1]) + growOrg[1:] + "MSP"
	start := time.Now()
	out := runMake(t, w, "add-org", "NAME="+growOrg)
	t.Logf("make add-org NAME=%s: %s", growOrg, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(out, "is a member") {
		t.Fatalf("add-org did not report the new member:\n%s", out)
	}
	start = time.Now()
	cmd := exec.Command(filepath.Join(w.root, "network", "network.sh"), "add-org", growOrg)
	cmd.Env = append(os.Environ(), fmt.Sprintf("IDCHAIN_PORT_OFFSET=%d", w.offset))
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("network.sh add-org %s again: %v\n%s", growOrg, err, b)
	}
	again := string(b)
	t.Logf("second add-org (idempotent, network part): %s", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{msp + " is already a member", "already has " + msp + "'s approval", "nothing to do"} {
		if !strings.Contains(again, want) {
			t.Fatalf("re-run of add-org did not find %q:\n%s", want, again)
		}
	}
	p, err := profile.Load(w.profile)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, o := range p.Orgs {
		found = found || o.MSPID == msp
	}
	if !found || len(p.Orgs) < 5 {
		t.Fatalf("profile has %d orgs, %s listed: %v", len(p.Orgs), msp, found)
	}

	a := mainAPI(t, w)
	for _, u := range []string{growOrg + "-admin", growOrg + "-operator"} {
		if a.w.keys[u] == "" {
			t.Fatalf("no IDCHAIN_KEY for %s in network/.run/env", u)
		}
	}
	prefix := fmt.Sprintf("88.%d.%s", 500+time.Now().Nanosecond()%90, randHex(4))
	expect(t, "authority assigns a prefix to "+msp, a.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": prefix, "owner": msp}), 201)
	id := prefix + "/BR-1"
	item := map[string]any{"id": id, "kind": "unit", "industry": "kitchen_bath", "model": "BR-1", "serial": "1"}
	r := expect(t, growOrg+" operator registers", a.call(t, "POST", "/v1/items", growOrg+"-operator",
		map[string]any{"items": []map[string]any{item}}), 201)
	if !strings.Contains(string(r.body), `"status":"created"`) {
		t.Fatalf("register: %s", r.body)
	}
	for _, u := range []string{"maker-operator", "partner-operator", "regulator"} {
		r := expect(t, u+" reads the new org's item", a.call(t, "GET", "/v1/items/"+id, u, nil), 200)
		var got struct{ Owner string }
		if err := json.Unmarshal(r.body, &got); err != nil || got.Owner != msp {
			t.Fatalf("%s reads owner %q (%v): %s", u, got.Owner, err, r.body)
		}
	}
	if v := a.verify(t, id); v.Recalled {
		t.Fatalf("consumer verify: %+v", v)
	}
	// The new org cannot register under another org's prefix.
	other := fmt.Sprintf("88.%d.%s", 500+time.Now().Nanosecond()%90, randHex(4))
	expect(t, "prefix for maker", a.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": other, "owner": "MakerMSP"}), 201)
	item["id"] = other + "/X"
	r = a.call(t, "POST", "/v1/items", growOrg+"-operator", map[string]any{"items": []map[string]any{item}})
	if strings.Contains(string(r.body), `"status":"created"`) {
		t.Fatalf("%s registered under MakerMSP's prefix: %s", msp, r.body)
	}

	// A second peer for the new org; then the first one stops.
	start = time.Now()
	runMake(t, w, "add-peer", "ORG="+growOrg)
	t.Logf("make add-peer ORG=%s (join, catch up, API restart): %s", growOrg, time.Since(start).Round(time.Millisecond))
	a = mainAPI(t, w)
	eventually(t, 30*time.Second, func() string {
		if r := a.call(t, "GET", "/readyz", "", nil); r.status != 200 {
			return fmt.Sprintf("API not ready after add-peer: %d %s", r.status, r.body)
		}
		return ""
	})
	expect(t, "register through peer0."+growOrg, a.call(t, "POST", "/v1/items", growOrg+"-operator",
		map[string]any{"items": []map[string]any{{"id": prefix + "/BR-2", "kind": "unit", "industry": "kitchen_bath", "model": "BR-1", "serial": "2"}}}), 201)
	node := filepath.Join(w.root, "network", "node.sh")
	peer0, peer1 := "peer0."+growOrg, "peer1."+growOrg
	// An operator stops a peer once its sibling has every block: a block whose
	// private data only the stopped peer held would hold the sibling's commit
	// up to the private-data pull threshold.
	waited := eventually(t, 90*time.Second, func() string {
		h0, h1 := peerHeight(t, w, peer0), peerHeight(t, w, peer1)
		if h0 == 0 || h1 < h0 {
			return fmt.Sprintf("%s at height %d, %s at %d", peer0, h0, peer1, h1)
		}
		return ""
	})
	t.Logf("%s has every block of %s after %s", peer1, peer0, waited.Round(time.Millisecond))
	if out, err := exec.Command(node, "stop", peer0).CombinedOutput(); err != nil {
		t.Fatalf("node.sh stop %s: %v\n%s", peer0, err, out)
	}
	defer func() {
		if out, err := exec.Command(node, "start", peer0).CombinedOutput(); err != nil {
			t.Errorf("node.sh start %s: %v\n%s", peer0, err, out)
		}
	}()
	// Until gossip expires the stopped peer (alive expiry 10 s), every
	// endorser still tries to push the anchor's private data to it and waits
	// out the dial; the write is slow (≈9 s here), not lost.
	a.timeout = 2 * time.Minute
	start = time.Now()
	r = a.call(t, "POST", "/v1/items", growOrg+"-operator",
		map[string]any{"items": []map[string]any{{"id": prefix + "/BR-3", "kind": "unit", "industry": "kitchen_bath", "model": "BR-1", "serial": "3"}}})
	if r.status != 201 {
		t.Logf("%s at height %d", peer1, peerHeight(t, w, peer1))
	}
	expect(t, "register with "+peer0+" stopped (through "+peer1+")", r, 201)
	t.Logf("write as %s-operator with %s down: %s", growOrg, peer0, time.Since(start).Round(time.Millisecond))
	a.timeout = 0
	expect(t, "read back", a.call(t, "GET", "/v1/items/"+prefix+"/BR-3", "maker-operator", nil), 200)
}

// peerHeight is the channel height a peer reports on its operations
// listener (0 when it does not answer); the listener is the third port
// `network.sh ports` lists for the peer.
func peerHeight(t *testing.T, w world, name string) int {
	t.Helper()
	cmd := exec.Command(filepath.Join(w.root, "network", "network.sh"), "ports")
	cmd.Env = append(os.Environ(), fmt.Sprintf("IDCHAIN_PORT_OFFSET=%d", w.offset))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("network.sh ports: %v", err)
	}
	var ports []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			ports = append(ports, f[1])
		}
	}
	if len(ports) != 3 {
		t.Fatalf("network.sh ports lists %d ports for %s", len(ports), name)
	}
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get("http://127.0.0.1:" + ports[2] + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, `ledger_blockchain_height{channel="`); ok {
			if _, n, ok := strings.Cut(v, "} "); ok {
				h, _ := strconv.Atoi(strings.TrimSpace(n))
				return h
			}
		}
	}
	return 0
}
