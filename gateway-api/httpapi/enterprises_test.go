package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/accounts"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// entLedger adds the enterprise registry to fakeLedger.
type entLedger struct {
	*fakeLedger
	mu   sync.Mutex
	ents map[string]domain.Enterprise
}

func (l *entLedger) Evaluate(ctx context.Context, call ledger.Call) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch call.Fn {
	case ledger.FnGetEnterprise:
		e, ok := l.ents[call.Args[0]]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "enterprise %s does not exist", call.Args[0])
		}
		return json.Marshal(e)
	case ledger.FnGetPrefixEnterprise:
		return nil, domain.Errorf(domain.CodeNotFound, "not assigned")
	case ledger.FnGetPlan: // echo whose plan was asked for
		return json.Marshal(domain.Plan{Owner: call.Args[0], Model: call.Args[1]})
	case ledger.FnGetEntPlan:
		return json.Marshal(domain.Plan{Owner: call.Args[0], Enterprise: call.Args[1], Model: call.Args[2]})
	}
	return l.fakeLedger.Evaluate(ctx, call)
}

func (l *entLedger) Submit(ctx context.Context, call ledger.Call) (ledger.Committed, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch call.Fn {
	case ledger.FnCreateEnterprise:
		var in domain.EnterpriseInput
		if err := json.Unmarshal([]byte(call.Args[0]), &in); err != nil {
			return ledger.Committed{}, err
		}
		e := domain.Enterprise{ID: in.ID, Name: in.Name, Industries: in.Industries, Org: in.Org, Status: domain.EnterpriseActive, TxID: "tx-ent"}
		l.ents[e.ID] = e
		b, _ := json.Marshal(e)
		return ledger.Committed{Result: b, TxID: "tx-ent"}, nil
	case ledger.FnSetEnterpriseStatus:
		e := l.ents[call.Args[0]]
		e.Status = domain.EnterpriseStatus(call.Args[1])
		l.ents[e.ID] = e
		b, _ := json.Marshal(e)
		return ledger.Committed{Result: b, TxID: "tx-status"}, nil
	case ledger.FnAssignEnterprisePrefix:
		b, _ := json.Marshal(domain.EnterprisePrefix{Kind: "prefix", Prefix: call.Args[0], Enterprise: call.Args[1], Org: l.ents[call.Args[1]].Org})
		return ledger.Committed{Result: b, TxID: "tx-pfx"}, nil
	}
	return l.fakeLedger.Submit(ctx, call)
}

// apiCA is a stand-in for an org's Fabric CA.
type apiCA struct{ revoked []string }

func (c *apiCA) RegisterAndEnroll(_ context.Context, u fabricca.User) (*fabricca.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: u.Name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &fabricca.Signer{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: key}, nil
}

func (c *apiCA) RegisterAndEnrollCSR(ctx context.Context, u fabricca.User, _ []byte) ([]byte, error) {
	s, err := c.RegisterAndEnroll(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.CertPEM, nil
}

func (c *apiCA) Revoke(_ context.Context, name, _ string) (*fabricca.Revocation, error) {
	c.revoked = append(c.revoked, name)
	return &fabricca.Revocation{CRL: []byte("crl")}, nil
}

const entA, entB = "91350100M000100Y43", "914403001922038216"

func newEnterpriseAPI(t *testing.T) (*testAPI, *entLedger, *apiCA, *[]string) {
	t.Helper()
	ca := &apiCA{}
	var connected []string
	mgr, err := accounts.Open(t.TempDir(), map[string]accounts.CA{"PlatformMSP": ca, "MakerMSP": ca}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var el *entLedger
	a := newTestAPI(t, func(d *Deps) {
		el = &entLedger{fakeLedger: d.Ledger.(*fakeLedger), ents: map[string]domain.Enterprise{}}
		d.Ledger = el
		d.Enterprises = EnterpriseDeps{Accounts: mgr,
			Connect: func(a accounts.Account, _ *fabricca.Signer) error {
				connected = append(connected, "+"+a.Name)
				return nil
			},
			Disconnect: func(name string) { connected = append(connected, "-"+name) }}
	})
	return a, el, ca, &connected
}

// doKey sends a request with a raw API key.
func (a *testAPI) doKey(method, path, key, body string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

func TestEnterpriseOnboardingAPI(t *testing.T) {
	a, el, ca, connected := newEnterpriseAPI(t)
	body := `{"id":"` + strings.ToLower(entA) + `","name":"甲美妆","industries":["cosmetics"],"org":"PlatformMSP"}`
	if rec := a.do("POST", "/v1/enterprises", "platform-admin", body); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if _, ok := el.ents[entA]; !ok {
		t.Fatal("the USCC was not normalised before it reached the ledger")
	}
	for _, tc := range []struct {
		name, user, body string
		status           int
		code             domain.Code
	}{
		{"an existing enterprise conflicts", "platform-admin", body, 409, domain.CodeConflict},
		{"a bad check character is a bad identifier", "platform-admin", `{"id":"91350100M000100Y44","name":"x","industries":["pcb"],"org":"PlatformMSP"}`, 400, domain.CodeInvalidIdentifier},
		{"an unknown field is invalid", "platform-admin", `{"id":"` + entB + `","nom":"x"}`, 400, domain.CodeInvalid},
		{"an operator may not create enterprises", "maker-operator", body, 403, domain.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do("POST", "/v1/enterprises", tc.user, tc.body)
			if rec.Code != tc.status || errorCode(t, rec) != tc.code {
				t.Fatalf("%d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.code)
			}
		})
	}
	if rec := a.do("GET", "/v1/enterprises/"+entA, "maker-operator", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "甲美妆") {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do("GET", "/v1/enterprises/"+entB, "maker-operator", ""); rec.Code != 404 {
		t.Fatalf("get unknown: %d", rec.Code)
	}
	if rec := a.do("GET", "/v1/enterprises/not-a-uscc", "maker-operator", ""); rec.Code != 400 || errorCode(t, rec) != domain.CodeInvalidIdentifier {
		t.Fatalf("get malformed: %d %s", rec.Code, rec.Body)
	}

	// The authority's admin creates the enterprise's admin; that admin
	// creates an operator with its own key.
	rec := a.do("POST", "/v1/enterprises/"+entA+"/users", "platform-admin", `{"name":"boss","role":"admin"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create admin: %d %s", rec.Code, rec.Body)
	}
	var boss userResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &boss); err != nil || boss.APIKey == "" || boss.Enterprise != entA || boss.Org != "PlatformMSP" {
		t.Fatalf("admin %+v %v", boss, err)
	}
	rec = a.doKey("POST", "/v1/enterprises/"+entA+"/users", boss.APIKey, `{"name":"line-3","role":"operator"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("the enterprise admin creates an operator: %d %s", rec.Code, rec.Body)
	}
	var op userResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &op)
	if op.Account != "line-3@"+entA || op.Role != RoleOperator {
		t.Fatalf("operator %+v", op)
	}
	// The operator may not manage users; a maker admin may not manage A's.
	if rec := a.doKey("POST", "/v1/enterprises/"+entA+"/users", op.APIKey, `{"name":"x","role":"qa"}`); rec.Code != 403 {
		t.Fatalf("operator managing users: %d", rec.Code)
	}
	if rec := a.do("DELETE", "/v1/enterprises/"+entA+"/users/line-3", "maker-operator", ""); rec.Code != 403 {
		t.Fatalf("another org's user deleting: %d", rec.Code)
	}
	if rec := a.do("POST", "/v1/enterprises/"+entA+"/users", "platform-admin", `{"name":"line-3","role":"qa"}`); rec.Code != 409 {
		t.Fatalf("duplicate user: %d %s", rec.Code, rec.Body)
	}
	// The operator's key works (its writes are signed by its own identity).
	if rec := a.doKey("GET", "/v1/enterprises/"+entA, op.APIKey, ""); rec.Code != 200 {
		t.Fatalf("the new key is refused: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do("GET", "/v1/enterprises/"+entA+"/users", "platform-admin", ""); rec.Code != 200 || strings.Contains(rec.Body.String(), "apiKey") {
		t.Fatalf("list users: %d %s (must not show keys)", rec.Code, rec.Body)
	}

	// Revocation: the key is refused at once.
	if rec := a.doKey("DELETE", "/v1/enterprises/"+entA+"/users/line-3", boss.APIKey, ""); rec.Code != 200 {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if rec := a.doKey("GET", "/v1/enterprises/"+entA, op.APIKey, ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("a revoked key: %d", rec.Code)
	}
	if len(ca.revoked) != 1 || ca.revoked[0] != "line-3@"+entA {
		t.Fatalf("CA revocations %v", ca.revoked)
	}
	if strings.Join(*connected, " ") != "+boss@"+entA+" +line-3@"+entA+" -line-3@"+entA {
		t.Fatalf("identities connected/dropped: %v", *connected)
	}
	if rec := a.do("DELETE", "/v1/enterprises/"+entA+"/users/nobody", "platform-admin", ""); rec.Code != 404 {
		t.Fatalf("revoke unknown: %d", rec.Code)
	}

	// A suspended enterprise gets no new users.
	if rec := a.do("POST", "/v1/enterprises/"+entA+"/status", "platform-admin", `{"status":"suspended"}`); rec.Code != 200 {
		t.Fatalf("suspend: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do("POST", "/v1/enterprises/"+entA+"/users", "platform-admin", `{"name":"late","role":"qa"}`); rec.Code != 403 {
		t.Fatalf("user of a suspended enterprise: %d %s", rec.Code, rec.Body)
	}
}

func TestPrefixForEnterprise(t *testing.T) {
	a, el, _, _ := newEnterpriseAPI(t)
	el.ents[entA] = domain.Enterprise{ID: entA, Org: "PlatformMSP", Status: domain.EnterpriseActive}
	rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.77","enterprise":"`+entA+`"}`)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"enterprise":"`+entA+`"`) {
		t.Fatalf("assign to enterprise: %d %s", rec.Code, rec.Body)
	}
	if n := el.submitted(ledger.FnAssignPrefix); n != 0 {
		t.Fatal("an enterprise prefix went through the org-level assignment")
	}
	if rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.78","enterprise":"`+entA+`","owner":"MakerMSP"}`); rec.Code != 400 {
		t.Fatalf("owner and enterprise: %d", rec.Code)
	}
	if rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.78","enterprise":"bad"}`); rec.Code != 400 || errorCode(t, rec) != domain.CodeInvalidIdentifier {
		t.Fatalf("bad enterprise: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.79","owner":"MakerMSP"}`); rec.Code != http.StatusCreated {
		t.Fatalf("owner still works: %d %s", rec.Code, rec.Body)
	}
}

// TestEnsureBeforeAnAccountIsUsed: an account this process did not create
// (another replica did, sharing the store) is connected through Ensure on
// its first request; when that fails the key is refused, not half-served.
func TestEnsureBeforeAnAccountIsUsed(t *testing.T) {
	mgr, err := accounts.Open(t.TempDir(), map[string]accounts.CA{"MakerMSP": &apiCA{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc, key, _, err := mgr.Create(context.Background(), "MakerMSP", entA, "line-9", RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	var ensured []string
	var fail error
	a := newTestAPI(t, func(d *Deps) {
		d.Enterprises = EnterpriseDeps{Accounts: mgr, Ensure: func(x accounts.Account) error {
			ensured = append(ensured, x.Name)
			return fail
		}}
	})
	// 403: the key is known (an operator may not list users).
	if rec := a.doKey("GET", "/v1/enterprises/"+entA+"/users", key, ""); rec.Code != 403 || len(ensured) != 1 || ensured[0] != acc.Name {
		t.Fatalf("first use: %d %s, ensured %v", rec.Code, rec.Body, ensured)
	}
	fail = errors.New("enrollment key does not open")
	if rec := a.doKey("GET", "/v1/enterprises/"+entA+"/users", key, ""); rec.Code != 401 {
		t.Fatalf("an account that cannot be connected: %d %s, want 401", rec.Code, rec.Body)
	}
}
