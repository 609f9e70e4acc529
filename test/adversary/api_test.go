//go:build integration

package adversary

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// apiClient calls the REST API with the demo users' keys
// (network/.run/env: IDCHAIN_API, IDCHAIN_KEY_<USER>).
type apiClient struct {
	base string
	env  map[string]string
	http *http.Client
}

func newAPIClient(runDir string) (*apiClient, error) {
	env, err := profile.ReadEnvFile(filepath.Join(runDir, "env"))
	if err != nil {
		return nil, err
	}
	base := os.Getenv("IDCHAIN_API")
	if base == "" {
		base = env["IDCHAIN_API"]
	}
	if base == "" {
		return nil, fmt.Errorf("IDCHAIN_API is not set: the API is not running")
	}
	return &apiClient{base: strings.TrimRight(base, "/"), env: env, http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// do calls the API as user ("" = anonymous) and decodes a JSON answer into
// out when out is not nil. It returns the status and the raw body.
func (c *apiClient) do(t *testing.T, user, method, path string, body, out any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		key := c.env["IDCHAIN_KEY_"+strings.ToUpper(strings.ReplaceAll(user, "-", "_"))]
		if key == "" {
			t.Fatalf("no API key for %s in network/.run/env", user)
		}
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, b
}

// must is do that fails the test unless the status is one of want.
func (c *apiClient) must(t *testing.T, user, method, path string, body, out any, want ...int) []byte {
	t.Helper()
	st, b := c.do(t, user, method, path, body, out)
	for _, w := range want {
		if st == w {
			return b
		}
	}
	t.Fatalf("%s %s as %s: HTTP %d %s, want %v", method, path, user, st, b, want)
	return nil
}

// Demo prefixes (cmd/idchain-demo): the suite registers its own items under
// them, with ids unique to the run.
const (
	makerPrefix   = "88.118.8"
	partnerPrefix = "88.118.20"
	planModel     = "ADV-TRUST-1"
)

// fixtures creates what the attacks work on, through the REST API as the
// honest users would.
type fixtures struct{ n int }

var fx fixtures

func newID(prefix, what string) string {
	fx.n++
	return fmt.Sprintf("%s/ADV-%s-%s-%d", prefix, nw.run, what, fx.n)
}

// plan puts the suite's inspection plan (one required boolean item).
func plan(t *testing.T) {
	t.Helper()
	nw.api.must(t, "maker-qa", http.MethodPut, "/v1/inspection-plans/"+planModel, map[string]any{
		"industry": "generic",
		"items":    []map[string]any{{"code": "HIPOT", "name": "耐压 hipot", "kind": "boolean", "required": true}},
	}, nil, http.StatusOK)
}

// register registers maker items (kind unit unless given) and returns ids.
func register(t *testing.T, items ...map[string]any) {
	t.Helper()
	var res domain.BatchResult
	nw.api.must(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": items}, &res, http.StatusCreated)
}

func unit(id string) map[string]any {
	return map[string]any{"id": id, "kind": "unit", "industry": "generic", "model": planModel}
}

// inspect records an inspection of id with the given verdict and private
// detail.
func inspect(t *testing.T, id string, pass bool) {
	t.Helper()
	nw.api.must(t, "maker-inspector", http.MethodPost, "/v1/inspections", map[string]any{
		"id": id, "model": planModel, "results": []map[string]any{{"code": "HIPOT", "pass": pass}},
		"equipment": "EQ-ADV", "detail": map[string]any{"curve": []float64{1.1, 1.2, 1.3}, "run": nw.run},
	}, nil, http.StatusCreated)
}

// inspectedUnit registers a maker unit (the suite's plan put first) and
// records one inspection with the given verdict; it returns the id.
func inspectedUnit(t *testing.T, what string, pass bool) string {
	t.Helper()
	plan(t)
	id := newID(makerPrefix, what)
	register(t, unit(id))
	inspect(t, id, pass)
	return id
}

func release(t *testing.T, id string) {
	t.Helper()
	nw.api.must(t, "maker-qa", http.MethodPost, "/v1/items/"+id+"/release", map[string]any{}, nil, http.StatusOK)
}

// reads is what the chaincode's public read and the REST API's verify
// endpoint say about an item.
type reads struct {
	Chain, REST domain.Verification
}

func verify(t *testing.T, id string) reads {
	t.Helper()
	var r reads
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[nw.msp("platform")], nw.user(t, "platform-admin"),
		call{Fn: "public:Verify", Args: []string{id}})
	if err != nil {
		t.Fatalf("public:Verify %s: %v", id, err)
	}
	if err := json.Unmarshal(b, &r.Chain); err != nil {
		t.Fatalf("public:Verify %s: %v", id, err)
	}
	nw.api.must(t, "", http.MethodGet, "/v1/verify/"+id, nil, &r.REST, http.StatusOK)
	return r
}

// each calls f with the chaincode's view, then the REST API's.
func (r reads) each(f func(src string, v domain.Verification)) {
	f("chaincode", r.Chain)
	f("REST", r.REST)
}

// grantConsent has maker-qa grant the partner inspection detail of id
// until the given time (REST) and returns the consent.
func grantConsent(t *testing.T, id, purpose string, until time.Time) domain.Consent {
	t.Helper()
	var cs domain.Consent
	nw.api.must(t, "maker-qa", http.MethodPost, "/v1/consents", domain.ConsentInput{
		Grantee: nw.msp("partner"), Categories: []domain.Category{"inspection.detail"}, Subjects: []string{id},
		Purpose: purpose, ValidUntil: until.UTC().Format(time.RFC3339),
	}, &cs, http.StatusCreated)
	return cs
}

// wantNotPassed asserts that a unit whose latest honest inspection failed
// still reads not passed (chaincode, REST) and that its release is still
// blocked, after a forged pass by who.
func wantNotPassed(t *testing.T, id, who string) {
	t.Helper()
	verify(t, id).each(func(src string, v domain.Verification) {
		if v.Quality == nil || v.Quality.Passed {
			t.Errorf("ATTACK SUCCEEDED (%s verify): quality %+v after a passing inspection forged by %s", src, v.Quality, who)
		}
	})
	st, b := nw.api.do(t, "maker-qa", http.MethodPost, "/v1/items/"+id+"/release", map[string]any{}, nil)
	if st != http.StatusConflict {
		t.Errorf("ATTACK SUCCEEDED: release gated on the forged inspection answered HTTP %d %.160s, want 409 RELEASE_BLOCKED", st, b)
	}
}

// eventOp is the chaincode event an attacker emits so that the API's cache
// drops its view of ids and shows the forged state.
func eventOp(typ string, ids ...string) rogue.Op {
	b, _ := json.Marshal(domain.ChaincodeEvent{Type: typ, IDs: ids})
	return rogue.Op{Op: rogue.OpEvent, Name: chaincode.EventName, Value: b}
}

// addKey makes an API key known under name (a user the suite created
// through the API) and returns name for do and must.
func (c *apiClient) addKey(name, key string) string {
	c.env["IDCHAIN_KEY_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))] = key
	return name
}
