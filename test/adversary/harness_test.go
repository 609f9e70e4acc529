//go:build integration

// Package adversary attacks the trust model of the running network the way
// an adversarial member org would (docs/threat-model.md, issue 12): a rogue
// chaincode server swapped in for one org's or three orgs' honest one
// (roguecc, swap.sh), proposals built and signed by hand with chosen
// endorsing orgs and timestamps (proposal_test.go), and the REST API with the
// demo users' keys. Every attack must be refused at endorsement or validation
// or be ignored by every read. README.md lists the tests.
package adversary

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc"

	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// net is the running network as the suite sees it.
type net struct {
	p      *profile.Profile
	runDir string
	swap   string // path of swap.sh
	gws    map[string]gateway.GatewayClient
	conns  []*grpc.ClientConn
	actors map[string]*actor
	api    *apiClient
	rogue  map[string]bool // org short name → its peers dial roguecc now
	bin    string          // the rogue server, built once per run
	run    string          // unique per run, part of every id the suite creates
}

var nw *net

func TestMain(m *testing.M) {
	n, err := setup()
	if err != nil {
		fmt.Fprintf(os.Stderr, "adversary: no running network (make up first): %v\n", err)
		os.Exit(1)
	}
	nw = n
	code := m.Run()
	if err := n.restoreAll(); err != nil {
		fmt.Fprintf(os.Stderr, "adversary: restoring the honest chaincode servers: %v\n", err)
		code = 1
	}
	for _, c := range n.conns {
		c.Close()
	}
	os.Exit(code)
}

func setup() (*net, error) {
	path, err := profile.Path(os.Getenv)
	if err != nil {
		return nil, err
	}
	p, err := profile.Load(path)
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	n := &net{
		p: p, runDir: filepath.Dir(path), swap: filepath.Join(wd, "swap.sh"),
		gws: map[string]gateway.GatewayClient{}, actors: map[string]*actor{}, rogue: map[string]bool{},
		run: strings.ToUpper(fmt.Sprintf("%x", time.Now().UnixNano()/1e6)),
	}
	for _, o := range p.Orgs {
		conn, err := profile.Dial(o.Peer)
		if err != nil {
			return nil, err
		}
		n.conns = append(n.conns, conn)
		n.gws[o.MSPID] = gateway.NewGatewayClient(conn)
		for _, u := range o.Users {
			if n.actors[u.Name], err = loadActor(p, u.Name); err != nil {
				return nil, err
			}
		}
		// A run that died mid-swap leaves roguecc behind: start honest.
		if exe, _ := os.ReadFile(filepath.Join(n.runDir, "pids", "cc."+o.Name+".exe")); strings.Contains(string(exe), "roguecc") {
			n.rogue[o.Name] = true
		}
	}
	if n.api, err = newAPIClient(n.runDir); err != nil {
		return nil, err
	}
	return n, n.restoreAll()
}

func (n *net) user(t *testing.T, name string) *actor {
	t.Helper()
	a, ok := n.actors[name]
	if !ok {
		t.Fatalf("no user %s in the profile", name)
	}
	return a
}

func (n *net) msp(org string) string {
	o, err := n.p.Org(org)
	if err != nil {
		panic(err)
	}
	return o.MSPID
}

// mspsExcept lists every org's MSP id but the given ones, in profile order.
func (n *net) mspsExcept(msps ...string) []string {
	var out []string
	for _, o := range n.p.Orgs {
		if !slices.Contains(msps, o.MSPID) {
			out = append(out, o.MSPID)
		}
	}
	return out
}

func (n *net) orgName(msp string) string {
	o, err := n.p.Org(msp)
	if err != nil {
		panic(err)
	}
	return o.Name
}

// needRogue makes the peers of the named orgs (short names or MSP ids) dial
// the rogue server; orgs already swapped stay so (one swap serves several
// tests). A failing test restores every honest server before the next.
func needRogue(t *testing.T, orgs ...string) {
	t.Helper()
	var todo []string
	for _, o := range orgs {
		name := nw.orgName(o)
		if !nw.rogue[name] {
			todo = append(todo, name)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			if err := nw.restoreAll(); err != nil {
				t.Errorf("restore honest chaincode servers: %v", err)
			}
		}
	})
	if len(todo) == 0 {
		return
	}
	start := time.Now()
	if err := nw.swapTo("rogue", todo...); err != nil {
		t.Fatal(err)
	}
	t.Logf("rogue chaincode server swapped in for %v in %s", todo, time.Since(start).Round(time.Millisecond))
}

// needHonest restores every honest chaincode server.
func needHonest(t *testing.T) {
	t.Helper()
	if err := nw.restoreAll(); err != nil {
		t.Fatal(err)
	}
}

func (n *net) restoreAll() error {
	var todo []string
	for _, o := range n.p.Orgs {
		if n.rogue[o.Name] {
			todo = append(todo, o.Name)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return n.swapTo("honest", todo...)
}

// swapTo runs swap.sh and then waits, bounded, until each org's peer answers
// through the wanted server: a rogue probe answers "rogue" only from roguecc.
func (n *net) swapTo(mode string, orgs ...string) error {
	if mode == "rogue" && n.bin == "" {
		bin := filepath.Join(n.runDir, "bin", "roguecc")
		build := exec.Command("go", "build", "-o", bin, "./roguecc")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build roguecc: %v\n%s", err, out)
		}
		n.bin = bin
	}
	// One retry: a server restarted within the same second as the last
	// swap occasionally fails to come up.
	for try := 0; ; try++ {
		cmd := exec.Command("bash", append([]string{n.swap, mode}, orgs...)...)
		cmd.Env = append(os.Environ(), "IDCHAIN_RUN_DIR="+n.runDir, "ROGUECC_BIN="+n.bin)
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		if try == 1 {
			return fmt.Errorf("swap.sh %s %v: %v\n%s", mode, orgs, err, out)
		}
		time.Sleep(time.Second)
	}
	for _, o := range orgs {
		n.rogue[o] = mode == "rogue"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	probe := rogueCall("system:Ping", rogue.Script{Ops: []rogue.Op{{Op: rogue.OpReturn, Value: []byte("rogue")}}})
	for _, o := range orgs {
		msp := n.msp(o)
		probe.Orgs = []string{msp}
		var last error
		for {
			b, err := n.evaluate(ctx, n.gws[msp], n.actors[n.firstUser(msp)], probe)
			if err == nil && (string(b) == "rogue") == (mode == "rogue") {
				break
			}
			last = err
			if err == nil {
				last = fmt.Errorf("answered %.60q", b)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s does not endorse through the %s server: %v", o, mode, last)
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

func (n *net) firstUser(msp string) string {
	o, _ := n.p.Org(msp)
	return o.Users[0].Name
}

// rogueCall is a proposal that carries a rogue script; fn only labels it.
func rogueCall(fn string, s rogue.Script, args ...string) call {
	b, err := rogue.Encode(s)
	if err != nil {
		panic(err)
	}
	return call{Fn: fn, Args: args, Transient: map[string][]byte{rogue.TransientKey: b}}
}

// attack submits a rogue script signed by a, endorsed by exactly orgs (MSP
// ids), through the first org's gateway.
func attack(t *testing.T, a *actor, orgs []string, fn string, s rogue.Script) outcome {
	t.Helper()
	c := rogueCall(fn, s)
	c.Orgs = orgs
	return send(t, orgs[0], a, c)
}

// send submits c through the gateway of org (MSP id) and logs the outcome.
func send(t *testing.T, org string, a *actor, c call) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	o, err := nw.submit(ctx, nw.gws[org], a, c)
	if err != nil {
		t.Fatalf("%s by %s: %v", c.Fn, a.Name, err)
	}
	at := "now"
	if !c.At.IsZero() {
		at = c.At.UTC().Format(time.RFC3339)
	}
	t.Logf("%s by %s, endorsers %v, timestamp %s: %s", c.Fn, a.Name, c.Orgs, at, o)
	return o
}

// rogueRead runs a read-only script on org's rogue server (evaluate).
func rogueRead(t *testing.T, org string, ops ...rogue.Op) rogue.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := rogueCall("system:Ping", rogue.Script{Ops: ops})
	c.Orgs = []string{org}
	b, err := nw.evaluate(ctx, nw.gws[org], nw.actors[nw.firstUser(org)], c)
	if err != nil {
		t.Fatalf("rogue read on %s: %v", org, err)
	}
	var r rogue.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("rogue read on %s answered %q: %v", org, b, err)
	}
	return r
}

// refusedOrIgnored logs what became of an attack whose records a majority
// may create (creation is governed by the chaincode-level policy only): the
// test then asserts that every read ignores them.
func refusedOrIgnored(t *testing.T, o outcome) {
	t.Helper()
	if o.Committed() {
		t.Logf("the forged records were committed; every read must ignore them")
	}
}

// wantRefused asserts that a transaction changed nothing: refused at
// endorsement, or invalidated at validation (any code but VALID; the code is
// logged, and when wantCode is not empty it must be that one).
func wantRefused(t *testing.T, o outcome, wantCode ...string) {
	t.Helper()
	if o.EndorseErr != nil {
		return
	}
	if o.Committed() {
		t.Errorf("ATTACK SUCCEEDED: %s", o)
		return
	}
	if len(wantCode) > 0 && !slices.Contains(wantCode, o.Code.String()) {
		t.Errorf("%s: want validation code %v", o, wantCode)
	}
}
