//go:build integration

// Package enterprise_test checks issue 15 on the real network and API:
// onboarding of an enterprise through the API, isolation between two
// enterprises of one org (through the API and directly against the
// chaincode with one enterprise's certificate), and revoked users.
package enterprise_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/offline"
	"github.com/idchain/idchain/profile"
)

type env struct {
	url  string
	keys map[string]string
	prof *profile.Profile
}

func mustEnv(t *testing.T) env {
	t.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no running network (make up): %v", err)
	}
	vars, err := profile.ReadEnvFile(filepath.Join(filepath.Dir(path), "env"))
	if err != nil || vars["IDCHAIN_API"] == "" {
		t.Fatalf("network/.run/env has no API (make up): %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	e := env{url: vars["IDCHAIN_API"], keys: map[string]string{}, prof: p}
	for _, u := range []string{"platform-admin", "maker-admin", "maker-operator"} {
		e.keys[u] = vars[profile.KeyVar(u)]
	}
	return e
}

type reply struct {
	status int
	body   []byte
}

func (r reply) code() domain.Code {
	var b struct {
		Error *domain.Error `json:"error"`
	}
	if json.Unmarshal(r.body, &b) != nil || b.Error == nil {
		return ""
	}
	return b.Error.Code
}

// call sends a request with a user's key (a profile user name or a raw key).
func (e env) call(t *testing.T, method, path, user string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	key := e.keys[user]
	if key == "" {
		key = user
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b}
}

func expect(t *testing.T, what string, r reply, status int, code ...domain.Code) {
	t.Helper()
	if r.status != status || (len(code) > 0 && r.code() != code[0]) {
		t.Fatalf("%s: status %d %s, want %d %v: %.400s", what, r.status, r.code(), status, code, r.body)
	}
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %.300s: %v", r.body, err)
	}
	return v
}

// newUSCC makes a fresh valid enterprise USCC (random organisation code).
func newUSCC(t *testing.T) string {
	t.Helper()
	const digits = "0123456789"
	body := []byte("MA")
	for len(body) < 8 {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			t.Fatal(err)
		}
		body = append(body, digits[n.Int64()])
	}
	oc, err := identifier.OrgCodeCheck(string(body))
	if err != nil {
		t.Fatal(err)
	}
	first := "91350100" + string(body) + string(oc)
	c, err := identifier.USCCCheck(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// newPrefix makes a fresh 标识 prefix.
func newPrefix(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("88.715.%d", n.Int64())
}

// newGCP makes a fresh 10-digit GS1 company prefix (95…: no demo GCP lies
// above it).
func newGCP(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("95%08d", n.Int64())
}

// gtinUnder is a valid GTIN-14 under a 10-digit GCP.
func gtinUnder(t *testing.T, gcp string) string {
	t.Helper()
	body := "0" + gcp + "01"
	c, err := identifier.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

type user struct {
	User, Account, Role, Enterprise, Org, APIKey string
}

// onboard creates an enterprise on org with a prefix and users (role per
// name) through the API and returns the prefix and the users' keys.
func (e env) onboard(t *testing.T, org, industry string, users map[string]string) (string, string, map[string]user) {
	t.Helper()
	id := newUSCC(t)
	expect(t, "create enterprise", e.call(t, "POST", "/v1/enterprises", "platform-admin",
		map[string]any{"id": id, "name": "测试企业 " + id[8:16], "industries": []string{industry}, "org": org}), 201)
	prefix := newPrefix(t)
	expect(t, "enterprise prefix", e.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": prefix, "enterprise": id}), 201)
	out := map[string]user{}
	for name, role := range users {
		r := e.call(t, "POST", "/v1/enterprises/"+id+"/users", "platform-admin", map[string]string{"name": name, "role": role})
		expect(t, "create user "+name, r, 201)
		out[name] = decode[user](t, r)
	}
	return id, prefix, out
}

func items(ids ...string) map[string]any {
	var list []map[string]any
	for _, id := range ids {
		list = append(list, map[string]any{"id": id, "kind": "unit", "industry": "generic", "model": "M-1"})
	}
	return map[string]any{"items": list}
}

// TestOnboardingToFirstVerifiedProduct: a new enterprise goes from nothing
// to its first verified product with three API calls and no restart
// (enterprise, prefix, user), then its user registers and a consumer
// verifies; revoking the user refuses its key at once.
func TestOnboardingToFirstVerifiedProduct(t *testing.T) {
	e := mustEnv(t)
	id, prefix, users := e.onboard(t, "PlatformMSP", "cosmetics", map[string]string{"line-1": "operator"})
	op := users["line-1"]
	if op.APIKey == "" || op.Enterprise != id || op.Org != "PlatformMSP" {
		t.Fatalf("user %+v", op)
	}
	got := decode[domain.Enterprise](t, e.call(t, "GET", "/v1/enterprises/"+id, "maker-operator", nil))
	if got.ID != id || got.Org != "PlatformMSP" || got.Status != domain.EnterpriseActive {
		t.Fatalf("enterprise %+v", got)
	}
	r := e.call(t, "POST", "/v1/items", op.APIKey, items(prefix+"/SKU-0001"))
	expect(t, "first registration by the enterprise's user", r, 201)
	v := e.call(t, "GET", "/v1/verify/"+prefix+"/SKU-0001", "", nil)
	expect(t, "verify", v, 200)
	if ver := decode[domain.Verification](t, v); !ver.Genuine || ver.MakerEnterprise == nil || ver.MakerEnterprise.ID != id ||
		ver.Maker != ver.MakerEnterprise.Name {
		t.Fatalf("verify must name the enterprise as maker: %s", v.body)
	}
	// A wrong check character: any other than the real one (1 in 31 ids ends in 0).
	bad := id[:17] + "0"
	if id[17] == '0' {
		bad = id[:17] + "1"
	}
	expect(t, "a bad USCC", e.call(t, "POST", "/v1/enterprises", "platform-admin",
		map[string]any{"id": bad, "name": "x", "industries": []string{"pcb"}, "org": "PlatformMSP"}), 400, domain.CodeInvalidIdentifier)
	expect(t, "the same enterprise again", e.call(t, "POST", "/v1/enterprises", "platform-admin",
		map[string]any{"id": id, "name": "x", "industries": []string{"pcb"}, "org": "PlatformMSP"}), 409, domain.CodeConflict)

	expect(t, "revoke the user", e.call(t, "DELETE", "/v1/enterprises/"+id+"/users/line-1", "platform-admin", nil), 200)
	expect(t, "the revoked key", e.call(t, "POST", "/v1/items", op.APIKey, items(prefix+"/SKU-0002")), 401, domain.CodeUnauthorized)
}

// TestIsolationBetweenEnterprisesOfOneOrgThroughTheAPI: A and B are hosted
// by MakerMSP; A's users cannot register under B's prefix, record events
// on B's items, recall them or grant consents over them.
func TestIsolationBetweenEnterprisesOfOneOrgThroughTheAPI(t *testing.T) {
	e := mustEnv(t)
	ida, pa, ua := e.onboard(t, "MakerMSP", "pcb", map[string]string{"op": "operator", "qa": "qa"})
	_, pb, ub := e.onboard(t, "MakerMSP", "pcb", map[string]string{"op": "operator", "qa": "qa"})
	expect(t, "B registers", e.call(t, "POST", "/v1/items", ub["op"].APIKey, items(pb+"/B-1")), 201)
	r := e.call(t, "POST", "/v1/items", ua["op"].APIKey, items(pb+"/A-squat"))
	expect(t, "A under B's prefix", r, 422)
	if !strings.Contains(string(r.body), string(domain.CodeForbidden)) {
		t.Fatalf("A under B's prefix: %s", r.body)
	}
	r = e.call(t, "POST", "/v1/events", ua["op"].APIKey, map[string]any{"events": []map[string]any{{"id": pb + "/B-1", "type": "decommissioning"}}})
	if r.status < 400 && !strings.Contains(string(r.body), "rejected") {
		t.Fatalf("A recorded an event on B's item: %d %s", r.status, r.body)
	}
	expect(t, "A's qa recalls B's item", e.call(t, "POST", "/v1/items/"+pb+"/B-1/recall", ua["qa"].APIKey, map[string]string{"reason": "x"}), 403)
	expect(t, "A's qa grants over B's prefix", e.call(t, "POST", "/v1/consents", ua["qa"].APIKey, map[string]any{
		"grantee": "PartnerMSP", "categories": []string{"inspection.detail"}, "subjects": []string{pb},
		"purpose": "x", "validUntil": "2099-01-01T00:00:00Z"}), 403)
	// The org's own operator is not A either.
	r = e.call(t, "POST", "/v1/items", "maker-operator", items(pa+"/org-squat"))
	expect(t, "the org's own operator under A's prefix", r, 422)
	// A GS1 company prefix of A's carries A's GTINs only: not B's, not the
	// org's own items.
	gcp := newGCP(t)
	r = e.call(t, "POST", "/v1/gs1-prefixes", "platform-admin", map[string]string{"gcp": gcp, "enterprise": ida})
	expect(t, "GCP for A", r, 201)
	if g := decode[domain.GCP](t, r); g.Enterprise != ida || g.Owner != "MakerMSP" {
		t.Fatalf("GCP assignment %s", r.body)
	}
	gtin := gtinUnder(t, gcp)
	orgPrefix := newPrefix(t)
	expect(t, "a prefix of MakerMSP itself", e.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": orgPrefix, "owner": "MakerMSP"}), 201)
	withGTIN := func(id string) map[string]any {
		return map[string]any{"items": []map[string]any{{"id": id, "kind": "unit", "industry": "generic", "model": "M-1", "gtin": gtin, "serial": id}}}
	}
	for who, r := range map[string]reply{
		"B":                      e.call(t, "POST", "/v1/items", ub["op"].APIKey, withGTIN(pb+"/B-gtin")),
		"the org's own operator": e.call(t, "POST", "/v1/items", "maker-operator", withGTIN(orgPrefix+"/org-gtin")),
	} {
		expect(t, who+" registering A's GTIN", r, 422)
		if !strings.Contains(string(r.body), string(domain.CodeForbidden)) {
			t.Fatalf("%s registering A's GTIN: %s", who, r.body)
		}
	}
	expect(t, "A registers its GTIN", e.call(t, "POST", "/v1/items", ua["op"].APIKey, withGTIN(pa+"/A-gtin")), 201)
	// A's own work goes through, and A's qa recalls A's item.
	expect(t, "A registers", e.call(t, "POST", "/v1/items", ua["op"].APIKey, items(pa+"/A-1")), 201)
	expect(t, "A's qa recalls A's item", e.call(t, "POST", "/v1/items/"+pa+"/A-1/recall", ua["qa"].APIKey, map[string]string{"reason": "测试 test"}), 200)
}

// TestIsolationWithACertificateAgainstTheChaincode: a certificate of
// enterprise A (issued by MakerMSP's CA with idchain.enterprise=A) calling
// the chaincode directly, without the API, is refused every write on B's
// records.
func TestIsolationWithACertificateAgainstTheChaincode(t *testing.T) {
	e := mustEnv(t)
	a, _, _ := e.onboard(t, "MakerMSP", "pcb", nil)
	_, pb, ub := e.onboard(t, "MakerMSP", "pcb", map[string]string{"op": "operator"})
	expect(t, "B registers", e.call(t, "POST", "/v1/items", ub["op"].APIKey, items(pb+"/B-1")), 201)

	cc, op := e.direct(t, "MakerMSP", a, domain.RoleQA), e.direct(t, "MakerMSP", a, domain.RoleOperator)

	forbidden := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: the chaincode accepted A's certificate", what)
		}
		if msg := profile.ChaincodeMessage(err); !strings.Contains(msg, string(domain.CodeForbidden)) {
			t.Fatalf("%s: %v, want FORBIDDEN", what, err)
		}
	}
	_, err := cc.Submit("quality:Recall", client.WithArguments(pb+"/B-1", "forged by A"))
	forbidden("A's qa recalls B's item", err)
	_, err = cc.Submit("sharing:GrantConsent", client.WithArguments(`{"grantee":"PartnerMSP","categories":["inspection.detail"],"subjects":["`+pb+`"],"purpose":"x","validUntil":"2099-01-01T00:00:00Z"}`))
	forbidden("A grants a consent over B's prefix", err)
	evRes, err := op.Submit("trace:RecordEvents", client.WithArguments(`[{"id":"`+pb+`/B-1","type":"decommissioning"}]`))
	if err == nil {
		var er domain.BatchResult
		if err := json.Unmarshal(evRes, &er); err != nil || len(er.Results) != 1 || er.Results[0].Status != domain.ResultRejected {
			t.Fatalf("A decommissioning B's item directly: %s", evRes)
		}
	} else {
		forbidden("A decommissions B's item", err)
	}
	res, err := op.Submit("registry:RegisterItems", client.WithArguments(`[{"id":"`+pb+`/A-direct","kind":"unit","industry":"generic"}]`))
	if err != nil {
		t.Fatal(err)
	}
	var br domain.BatchResult
	if err := json.Unmarshal(res, &br); err != nil || len(br.Results) != 1 || br.Results[0].Status != domain.ResultRejected ||
		br.Results[0].Error == nil || br.Results[0].Error.Code != domain.CodeForbidden {
		t.Fatalf("A registering under B's prefix directly: %s", res)
	}
	expect(t, "nothing written under B's prefix", e.call(t, "GET", "/v1/items/"+pb+"/A-direct", "maker-operator", nil), 404)
	v := decode[domain.Verification](t, e.call(t, "GET", "/v1/verify/"+pb+"/B-1", "", nil))
	if v.Recalled || v.Status == domain.StatusDecommissioned {
		t.Fatalf("B's item reads as %s (recalled %v)", v.Status, v.Recalled)
	}
}

// direct enrolls a new user of enterprise ent with role at org's CA (the
// registrar the network scripts keep beside it) and connects it to org's
// peer without the API: the chaincode sees that certificate and nothing else.
func (e env) direct(t *testing.T, org, ent, role string) *client.Contract {
	t.Helper()
	var o profile.Org
	for _, x := range e.prof.Orgs {
		if x.MSPID == org {
			o = x
		}
	}
	reg, err := fabricca.LoadMSP(filepath.Join(filepath.Dir(filepath.Dir(o.CA.TLSCACert)), "registrar", "msp"))
	if err != nil {
		t.Fatal(err)
	}
	tlsCA, err := os.ReadFile(o.CA.TLSCACert)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := fabricca.New(fabricca.Config{URL: o.CA.URL, TLSCACert: tlsCA, Registrar: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := ca.RegisterAndEnroll(ctx, fabricca.User{Name: "direct-" + role + "-" + newPrefix(t)[7:] + "@" + ent, Role: role, Enterprise: ent})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := profile.Dial(o.Peer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cert, err := identity.CertificateFromPEM(s.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := profile.ConnectKey(conn, o.MSPID, cert, s.Key, profile.DefaultTimeouts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	return gw.GetNetwork(e.prof.Channel).GetContract(e.prof.Chaincode)
}

// TestOfflineSigningThroughTheAPI: a maker user enrolled from its own CSR
// registers an item through /v1/offline/{prepare,endorse,submit}, signing
// each digest with a key the API never sees; a custodial user is refused
// the offline routes, and a signature by another key is refused.
func TestOfflineSigningThroughTheAPI(t *testing.T) {
	e := mustEnv(t)
	id, prefix, _ := e.onboard(t, "PlatformMSP", "pcb", nil)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := fabricca.NewCSR("hsm-line@"+id, key)
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(t, "POST", "/v1/enterprises/"+id+"/users", "platform-admin", map[string]string{"name": "hsm-line", "role": "operator", "csr": string(csr)})
	expect(t, "external user", r, 201)
	u := decode[struct {
		APIKey      string `json:"apiKey"`
		External    bool   `json:"external"`
		Certificate string `json:"certificate"`
	}](t, r)
	if !u.External || !strings.Contains(u.Certificate, "BEGIN CERTIFICATE") {
		t.Fatalf("external user %+v", u)
	}
	type unsigned struct {
		TxID   string `json:"txId"`
		Bytes  []byte `json:"bytes"`
		Digest []byte `json:"digest"`
	}
	sign := func(k *ecdsa.PrivateKey, d []byte) []byte {
		s, err := offline.SignDigest(k, d)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	args := []string{`[{"id":"` + prefix + `/HSM-1","kind":"unit","industry":"generic"}]`}
	p := decode[unsigned](t, e.call(t, "POST", "/v1/offline/prepare", u.APIKey, map[string]any{"fn": "registry:RegisterItems", "args": args}))
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if r := e.call(t, "POST", "/v1/offline/endorse", u.APIKey, map[string]any{"bytes": p.Bytes, "signature": sign(other, p.Digest)}); r.status < 400 {
		t.Fatalf("a proposal signed by another key was endorsed: %s", r.body)
	}
	r = e.call(t, "POST", "/v1/offline/endorse", u.APIKey, map[string]any{"bytes": p.Bytes, "signature": sign(key, p.Digest)})
	expect(t, "endorse", r, 200)
	tx := decode[unsigned](t, r)
	r = e.call(t, "POST", "/v1/offline/submit", u.APIKey, map[string]any{"bytes": tx.Bytes, "signature": sign(key, tx.Digest)})
	expect(t, "submit", r, 200)
	if !strings.Contains(string(r.body), `"valid":true`) {
		t.Fatalf("submit %s", r.body)
	}
	it := decode[domain.Item](t, e.call(t, "GET", "/v1/items/"+prefix+"/HSM-1", "maker-operator", nil))
	if it.Owner != "PlatformMSP" {
		t.Fatalf("item %+v", it)
	}
	expect(t, "a custodial user on the offline routes", e.call(t, "POST", "/v1/offline/prepare", "maker-operator",
		map[string]any{"fn": "system:Ping"}), 403, domain.CodeForbidden)
}
