//go:build integration

// Integration tests of the running API (scripts/api-up.sh) on the real
// network and Redis: every route's happy path and refusals, cache coherence,
// coalescing, Redis failure and the event listener's checkpoint.
package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/profile"
)

type apiEnv struct {
	url  string
	keys map[string]string // user → key
	root string            // repository root
}

var (
	envOnce sync.Once
	theEnv  apiEnv
	envErr  error
)

func mustEnv(t *testing.T) apiEnv {
	t.Helper()
	envOnce.Do(func() {
		path, err := profile.Path(os.Getenv)
		if err != nil {
			envErr = err
			return
		}
		root := filepath.Dir(filepath.Dir(filepath.Dir(path)))
		vars, err := profile.ReadEnvFile(filepath.Join(filepath.Dir(path), "env"))
		if err != nil {
			envErr = err
			return
		}
		theEnv = apiEnv{url: vars["IDCHAIN_API"], keys: map[string]string{}, root: root}
		for _, u := range []string{"platform-admin", "maker-admin", "maker-operator", "maker-inspector", "maker-qa",
			"maker-norole", "partner-operator", "partner-qa", "regulator"} {
			theEnv.keys[u] = vars[profile.KeyVar(u)]
		}
	})
	if envErr != nil || theEnv.url == "" {
		t.Fatalf("network/.run/env has no API (run make up): %v", envErr)
	}
	return theEnv
}

type reply struct {
	status int
	body   []byte
	tx     string
	header http.Header
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

func (e apiEnv) call(t *testing.T, method, path, user string, body any, hdr ...string) reply {
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
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[user])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: b, tx: res.Header.Get("X-Tx-Id"), header: res.Header}
}

// expect checks the status (and the error code when one is given).
func expect(t *testing.T, what string, r reply, status int, code ...domain.Code) {
	t.Helper()
	if r.status != status || (len(code) > 0 && r.code() != code[0]) {
		t.Fatalf("%s: status %d %s, want %d %v: %.400s", what, r.status, r.code(), status, code, r.body)
	}
}

func decodeBody[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %.300s: %v", r.body, err)
	}
	return v
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newPrefix assigns a fresh prefix to MakerMSP.
func newPrefix(t *testing.T, e apiEnv) string {
	t.Helper()
	p := fmt.Sprintf("88.%d.%s", 700+time.Now().Nanosecond()%200, randHex(4))
	expect(t, "assign prefix", e.call(t, "POST", "/v1/prefixes", "platform-admin", map[string]string{"prefix": p, "owner": "MakerMSP"}), 201)
	return p
}

func kbUnit(id, serial, parent string) domain.ItemInput {
	return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "JZT-IT", Serial: serial, Parent: parent}
}

func kbLot(id string) domain.ItemInput {
	return domain.ItemInput{ID: id, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "JZT-IT",
		Attributes: map[string]string{"productionDate": "2026-11-27"}}
}

// eventually polls check until it returns "" or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() string) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < timeout {
		if last = check(); last == "" {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("after %s: %s", timeout, last)
	return 0
}

func TestHealthAndDocs(t *testing.T) {
	e := mustEnv(t)
	expect(t, "healthz", e.call(t, "GET", "/healthz", "", nil), 200)
	r := e.call(t, "GET", "/readyz", "", nil)
	expect(t, "readyz", r, 200)
	if !strings.Contains(string(r.body), `"fabric":{"status":"ok"}`) {
		t.Fatalf("readyz: %s", r.body)
	}
	expect(t, "openapi", e.call(t, "GET", "/openapi.json", "", nil), 200)
	m := e.call(t, "GET", "/metrics", "", nil)
	for _, name := range []string{"idchain_http_request_duration_seconds", "idchain_fabric_duration_seconds", "idchain_cache_lookups_total"} {
		if !strings.Contains(string(m.body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

func TestPrefixes(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	expect(t, "same assignment again", e.call(t, "POST", "/v1/prefixes", "platform-admin", map[string]string{"prefix": p, "owner": "MakerMSP"}), 409, domain.CodeConflict)
	expect(t, "assign to another org", e.call(t, "POST", "/v1/prefixes", "platform-admin", map[string]string{"prefix": p, "owner": "PartnerMSP"}), 409, domain.CodeConflict)
	other := p + ".x"
	expect(t, "no key", e.call(t, "POST", "/v1/prefixes", "", map[string]string{"prefix": other, "owner": "MakerMSP"}), 401, domain.CodeUnauthorized)
	expect(t, "operator", e.call(t, "POST", "/v1/prefixes", "maker-operator", map[string]string{"prefix": other, "owner": "MakerMSP"}), 403, domain.CodeForbidden)
	expect(t, "admin of another org", e.call(t, "POST", "/v1/prefixes", "maker-admin", map[string]string{"prefix": other, "owner": "MakerMSP"}), 403, domain.CodeForbidden)
	expect(t, "bad prefix", e.call(t, "POST", "/v1/prefixes", "platform-admin", map[string]string{"prefix": "88..1", "owner": "MakerMSP"}), 400)
	expect(t, "unknown field", e.call(t, "POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.1","owner":"MakerMSP","x":1}`), 400, domain.CodeInvalid)
	list := e.call(t, "GET", "/v1/prefixes?owner=MakerMSP", "maker-qa", nil)
	expect(t, "list", list, 200)
	if !strings.Contains(string(list.body), `"`+p+`"`) || strings.Contains(string(list.body), `"`+other+`"`) {
		t.Fatalf("prefix list should hold %s and not the refused %s: %.300s", p, other, list.body)
	}
}

func TestItemsRegisterResolveTrace(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	lot, u1, u2 := p+"/LOT1", p+"/U1", p+"/U2"
	items := []domain.ItemInput{kbLot(lot), kbUnit(u1, "S1", lot), kbUnit(u2, "S2", lot)}
	r := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": items})
	expect(t, "register", r, 201)
	if r.tx == "" {
		t.Fatal("no X-Tx-Id on a write")
	}
	r = e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": items[:1]})
	expect(t, "identical re-send", r, 201)
	if !strings.Contains(string(r.body), `"unchanged"`) {
		t.Fatalf("re-send not unchanged: %s", r.body)
	}
	changed := kbUnit(u1, "S1-other", lot)
	fresh := kbUnit(p+"/U3", "S3", lot)
	r = e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{changed, fresh}})
	expect(t, "one conflict", r, 207)
	res := decodeBody[domain.BatchResult](t, r)
	if res.Results[0].Error == nil || res.Results[0].Error.Code != domain.CodeConflict || res.Results[1].Status != "created" {
		t.Fatalf("per-item results: %s", r.body)
	}
	orphan := kbUnit(p+"/ORPHAN", "S9", p+"/NOPARENT")
	expect(t, "orphan only", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{orphan}}), 422)
	foreign := kbUnit(p+"/PARTNER", "S8", "")
	expect(t, "foreign prefix", e.call(t, "POST", "/v1/items", "partner-operator", map[string]any{"items": []domain.ItemInput{foreign}}), 422)
	expect(t, "no role", e.call(t, "POST", "/v1/items", "maker-norole", map[string]any{"items": []domain.ItemInput{kbUnit(p+"/NR", "S7", "")}}), 403, domain.CodeForbidden)
	expect(t, "unknown field", e.call(t, "POST", "/v1/items", "maker-operator", `{"items":[{"id":"`+p+`/BAD","colour":"red"}]}`), 400, domain.CodeInvalid)
	expect(t, "no key", e.call(t, "POST", "/v1/items", "", map[string]any{"items": items}), 401)
	for _, id := range []string{orphan.ID, foreign.ID, p + "/NR", p + "/BAD"} {
		expect(t, "nothing written for "+id, e.call(t, "GET", "/v1/items/"+id, "maker-qa", nil), 404, domain.CodeNotFound)
	}
	got := decodeBody[domain.Item](t, e.call(t, "GET", "/v1/items/"+u1, "partner-qa", nil))
	if got.Serial != "S1" || got.Owner != "MakerMSP" || got.Parent != lot {
		t.Fatalf("resolve: %+v", got)
	}
	expect(t, "invalid id", e.call(t, "GET", "/v1/items/"+p+"/a%20b", "maker-qa", nil), 400, domain.CodeInvalidIdentifier)
	prov := e.call(t, "GET", "/v1/items/"+u1+"/provenance", "regulator", nil)
	expect(t, "provenance", prov, 200)
	if !strings.Contains(string(prov.body), lot) {
		t.Fatalf("provenance lacks the parent lot: %.400s", prov.body)
	}
	tr := e.call(t, "GET", "/v1/trace/forward/"+lot, "regulator", nil)
	expect(t, "trace forward", tr, 200)
	for _, id := range []string{u1, u2} {
		if !strings.Contains(string(tr.body), id) {
			t.Fatalf("trace forward lacks %s: %s", id, tr.body)
		}
	}
	expect(t, "trace unknown", e.call(t, "GET", "/v1/trace/forward/"+p+"/NONE", "regulator", nil), 404)
	expect(t, "trace backward", e.call(t, "GET", "/v1/trace/backward/"+u1, "regulator", nil), 200)
}

func TestQualityReleaseRecallAndCacheCoherence(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	lot, u1 := p+"/LOT", p+"/U1"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator",
		map[string]any{"items": []domain.ItemInput{kbLot(lot), kbUnit(u1, "S1", lot)}}), 201)
	plan := `{"industry":"kitchen_bath","items":[{"code":"EARTH_OHM","name":"接地电阻","unit":"ohm","max":0.1,"required":true},{"code":"HIPOT","name":"耐压","kind":"boolean","required":true}]}`
	expect(t, "plan by operator", e.call(t, "PUT", "/v1/inspection-plans/JZT-IT", "maker-operator", plan), 403)
	expect(t, "plan", e.call(t, "PUT", "/v1/inspection-plans/JZT-IT", "maker-qa", plan), 200)
	expect(t, "get plan", e.call(t, "GET", "/v1/inspection-plans/JZT-IT?owner=MakerMSP", "partner-qa", nil), 200)

	// Warm the cache before the changes.
	verify := func() domain.Verification {
		return decodeBody[domain.Verification](t, e.call(t, "GET", "/v1/verify/"+u1, "", nil))
	}
	if v := verify(); v.Released || v.Recalled {
		t.Fatalf("fresh unit: %+v", v)
	}
	verify()

	failing := `{"id":"` + u1 + `","model":"JZT-IT","results":[{"code":"EARTH_OHM","value":0.5},{"code":"HIPOT","pass":true}]}`
	r := e.call(t, "POST", "/v1/inspections", "maker-inspector", failing)
	expect(t, "failing inspection", r, 201)
	if !strings.Contains(string(r.body), `"passed":false`) || !strings.Contains(string(r.body), "EARTH_OHM") {
		t.Fatalf("judgement: %s", r.body)
	}
	expect(t, "inspection by qa", e.call(t, "POST", "/v1/inspections", "maker-qa", failing), 403)
	expect(t, "inspection by partner", e.call(t, "POST", "/v1/inspections", "partner-qa", failing), 403)
	rb := e.call(t, "POST", "/v1/items/"+u1+"/release", "maker-qa", nil)
	expect(t, "release blocked", rb, 409, domain.CodeReleaseBlocked)
	if !strings.Contains(string(rb.body), "EARTH_OHM") {
		t.Fatalf("release refusal does not name the failed item: %s", rb.body)
	}
	passing := `{"id":"` + u1 + `","model":"JZT-IT","results":[{"code":"EARTH_OHM","value":0.05},{"code":"HIPOT","pass":true}],"equipment":"EQ-7","detail":{"curve":[0.05,0.051,0.049],"operator":"张三"}}`
	r = e.call(t, "POST", "/v1/inspections", "maker-inspector", passing)
	expect(t, "passing inspection with detail", r, 201)
	ins := decodeBody[map[string]any](t, r)
	if ins["passed"] != true || ins["detailHash"] == "" || ins["detailTxId"] == "" {
		t.Fatalf("inspection: %s", r.body)
	}
	r = e.call(t, "POST", "/v1/inspections", "maker-inspector", passing)
	expect(t, "the same inspection re-sent", r, 201)
	if again := decodeBody[map[string]any](t, r); again["replayed"] != true || again["txId"] != ins["txId"] || again["detailTxId"] == "" {
		t.Fatalf("a re-sent inspection is not answered by the first one (%v): %s", ins["txId"], r.body)
	}
	expect(t, "release by operator", e.call(t, "POST", "/v1/items/"+u1+"/release", "maker-operator", nil), 403)
	expect(t, "release by partner qa", e.call(t, "POST", "/v1/items/"+u1+"/release", "partner-qa", nil), 403)
	expect(t, "release unknown", e.call(t, "POST", "/v1/items/"+p+"/NONE/release", "maker-qa", nil), 404)
	r = e.call(t, "POST", "/v1/items/"+u1+"/release", "maker-qa", nil)
	expect(t, "release", r, 200)
	if !strings.Contains(string(r.body), `"status":"released"`) {
		t.Fatalf("release body: %s", r.body)
	}
	d := eventually(t, 2*time.Second, func() string {
		if v := verify(); !v.Released {
			return fmt.Sprintf("cached verify still says released=false: %+v", v)
		}
		return ""
	})
	t.Logf("release visible on verify %s after commit", d)

	// Recall of the parent lot reaches the unit's cached verify and resolve.
	expect(t, "recall without reason", e.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator", `{}`), 400)
	expect(t, "recall by partner qa", e.call(t, "POST", "/v1/items/"+lot+"/recall", "partner-qa", `{"reason":"x"}`), 403)
	start := time.Now()
	r = e.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator", `{"reason":"接地电阻批次超标 earth resistance batch"}`)
	expect(t, "recall", r, 200)
	submitted := time.Since(start)
	d = eventually(t, 3*time.Second, func() string {
		if v := verify(); !v.Recalled {
			return fmt.Sprintf("descendant not recalled on cached verify: %+v", v)
		}
		return ""
	})
	t.Logf("ancestor recall visible on the unit's cached verify %s after the recall's response (recall request took %s)", d, submitted)
	if d > 1500*time.Millisecond {
		t.Errorf("recall took %s to reach the cache, want about a second", d)
	}
	expect(t, "verify unknown", e.call(t, "GET", "/v1/verify/"+p+"/NONE", "", nil), 404, domain.CodeNotFound)
	if nf := e.call(t, "GET", "/v1/verify/"+p+"/NONE", "", nil); !strings.Contains(string(nf.body), `"genuine":false`) {
		t.Fatalf("unknown verify: %s", nf.body)
	}
}

func TestConsentsSharedReadsAndAudit(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	u := p + "/U1"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(u, "S1", "")}}), 201)
	plan := `{"industry":"kitchen_bath","items":[{"code":"HIPOT","kind":"boolean","required":true}]}`
	expect(t, "plan", e.call(t, "PUT", "/v1/inspection-plans/JZT-IT", "maker-qa", plan), 200)
	expect(t, "inspection", e.call(t, "POST", "/v1/inspections", "maker-inspector",
		`{"id":"`+u+`","model":"JZT-IT","results":[{"code":"HIPOT","pass":true}],"detail":{"kv":3000}}`), 201)

	path := "/v1/items/" + u + "/shared/inspection.detail"
	expect(t, "read without consent", e.call(t, "GET", path, "partner-qa", nil), 403, domain.CodeForbidden)
	consent := map[string]any{"grantee": "PartnerMSP", "categories": []string{"inspection.detail"}, "subjects": []string{p},
		"purpose": "供应链质量追溯", "validUntil": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}
	expect(t, "grant by operator", e.call(t, "POST", "/v1/consents", "maker-operator", consent), 403)
	r := e.call(t, "POST", "/v1/consents", "maker-qa", consent)
	expect(t, "grant", r, 201)
	c := decodeBody[domain.Consent](t, r)
	if c.ID == "" {
		t.Fatalf("consent without id: %s", r.body)
	}
	recv := e.call(t, "GET", "/v1/consents?direction=received", "partner-qa", nil)
	expect(t, "received consents", recv, 200)
	if !strings.Contains(string(recv.body), c.ID) {
		t.Fatalf("received consents lack %s", c.ID)
	}
	expect(t, "bad direction", e.call(t, "GET", "/v1/consents?direction=sideways", "partner-qa", nil), 400)

	expect(t, "read for another purpose", e.call(t, "GET", path+"?purpose=marketing", "partner-qa", nil), 403)
	r = e.call(t, "GET", path, "partner-qa", nil)
	expect(t, "consented read", r, 200)
	sd := decodeBody[domain.SharedDetail](t, r)
	if !strings.Contains(string(sd.Data), "3000") || sd.Consent != c.ID {
		t.Fatalf("shared detail: %s", r.body)
	}
	expect(t, "other category", e.call(t, "GET", "/v1/items/"+u+"/shared/formula", "partner-qa", nil), 403)
	expect(t, "regulator read", e.call(t, "GET", path, "regulator", nil), 200)

	a := e.call(t, "GET", "/v1/audit?subject="+u, "maker-qa", nil)
	expect(t, "audit", a, 200)
	page := decodeBody[domain.Page[domain.AccessRecord]](t, a)
	if len(page.Records) < 2 {
		t.Fatalf("audit has %d records, want the partner's and the regulator's: %s", len(page.Records), a.body)
	}
	expect(t, "audit by partner", e.call(t, "GET", "/v1/audit?subject="+u, "partner-operator", nil), 403)

	expect(t, "revoke by partner", e.call(t, "DELETE", "/v1/consents/"+c.ID, "partner-qa", nil), 403)
	expect(t, "revoke", e.call(t, "DELETE", "/v1/consents/"+c.ID, "maker-qa", nil), 200)
	expect(t, "read after revoke", e.call(t, "GET", path, "partner-qa", nil), 403)
	after := decodeBody[domain.Page[domain.AccessRecord]](t, e.call(t, "GET", "/v1/audit?subject="+u, "maker-qa", nil))
	if len(after.Records) != len(page.Records) {
		t.Fatalf("refused reads were recorded: %d → %d records", len(page.Records), len(after.Records))
	}
}

func TestEvents(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	u := p + "/U1"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(u, "S1", "")}}), 201)
	ev := map[string]any{"events": []domain.EventInput{{Type: domain.EventProcessStep, ID: u, Step: "aoi", Equipment: "EQ-1", ReadPoint: "line-3"}}}
	expect(t, "events by qa", e.call(t, "POST", "/v1/events", "maker-qa", ev), 403)
	expect(t, "events by partner", e.call(t, "POST", "/v1/events", "partner-operator", ev), 422)
	r := e.call(t, "POST", "/v1/events", "maker-operator", ev)
	expect(t, "events", r, 201)
	prov := e.call(t, "GET", "/v1/items/"+u+"/provenance", "maker-qa", nil)
	if !strings.Contains(string(prov.body), "line-3") {
		t.Fatalf("provenance lacks the event: %.500s", prov.body)
	}
	expect(t, "unknown item", e.call(t, "POST", "/v1/events", "maker-operator",
		map[string]any{"events": []domain.EventInput{{Type: domain.EventProcessStep, ID: p + "/NONE", Step: "aoi"}}}), 422)
	expect(t, "malformed", e.call(t, "POST", "/v1/events", "maker-operator", `{"events":[{"type":"x","id":1}]}`), 400)
}

func TestConcurrentRegistrationsAreCoalesced(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	const n = 64
	var wg sync.WaitGroup
	txs := make([]string, n)
	errs := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			r := e.call(t, "POST", "/v1/items", "maker-operator",
				map[string]any{"items": []domain.ItemInput{kbUnit(fmt.Sprintf("%s/C%02d", p, i), fmt.Sprintf("S%d", i), "")}})
			if r.status != 201 || !strings.Contains(string(r.body), `"created"`) {
				errs <- fmt.Sprintf("request %d: %d %s", i, r.status, r.body)
			}
			txs[i] = r.tx
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	distinct := map[string]bool{}
	for _, tx := range txs {
		distinct[tx] = true
	}
	t.Logf("%d single-item requests committed in %d transactions", n, len(distinct))
	if len(distinct) >= n {
		t.Fatalf("%d transactions for %d requests: not coalesced", len(distinct), n)
	}
	// Each item exists once, under the transaction its request reported.
	for i := range n {
		it := decodeBody[domain.Item](t, e.call(t, "GET", fmt.Sprintf("/v1/items/%s/C%02d", p, i), "maker-qa", nil))
		if it.TxID != txs[i] {
			t.Fatalf("item %d committed in %s, request reported %s", i, it.TxID, txs[i])
		}
	}
}

func TestRedisDownAndBack(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	u := p + "/R1"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(u, "S1", "")}}), 201)
	expect(t, "warm", e.call(t, "GET", "/v1/verify/"+u, "", nil), 200)

	node := filepath.Join(e.root, "network", "node.sh")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(node, args...).CombinedOutput(); err != nil {
			t.Fatalf("node.sh %v: %v\n%s", args, err, out)
		}
	}
	run("stop", "redis")
	restored := false
	defer func() {
		if !restored {
			run("start", "redis")
		}
	}()
	eventually(t, 5*time.Second, func() string {
		r := e.call(t, "GET", "/readyz", "", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"redis":{"error"`) {
			return fmt.Sprintf("readyz with Redis down: %d %s", r.status, r.body)
		}
		return ""
	})
	expect(t, "verify with Redis down", e.call(t, "GET", "/v1/verify/"+u, "", nil), 200)
	// A change while Redis is down must not be hidden by a stale entry later.
	plan := `{"industry":"kitchen_bath","items":[{"code":"HIPOT","kind":"boolean","required":true}]}`
	expect(t, "plan", e.call(t, "PUT", "/v1/inspection-plans/JZT-IT", "maker-qa", plan), 200)
	expect(t, "inspection", e.call(t, "POST", "/v1/inspections", "maker-inspector",
		`{"id":"`+u+`","model":"JZT-IT","results":[{"code":"HIPOT","pass":true}]}`), 201)
	expect(t, "release with Redis down", e.call(t, "POST", "/v1/items/"+u+"/release", "maker-qa", nil), 200)

	run("start", "redis")
	restored = true
	eventually(t, 10*time.Second, func() string {
		r := e.call(t, "GET", "/readyz", "", nil)
		if !strings.Contains(string(r.body), `"redis":{"status":"ok"}`) {
			return fmt.Sprintf("readyz after Redis restart: %s", r.body)
		}
		return ""
	})
	v := decodeBody[domain.Verification](t, e.call(t, "GET", "/v1/verify/"+u, "", nil))
	if !v.Released {
		t.Fatalf("after Redis came back verify is stale: %+v", v)
	}
	hits := func() string {
		m := e.call(t, "GET", "/metrics", "", nil)
		for _, l := range strings.Split(string(m.body), "\n") {
			if strings.HasPrefix(l, `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`) {
				return l
			}
		}
		return ""
	}
	before := hits()
	e.call(t, "GET", "/v1/verify/"+u, "", nil)
	if hits() == before {
		t.Fatal("Redis back but verify not served from the cache")
	}
}

// TestListenerResumesFromCheckpoint runs a second listener in-process: it
// sees one event, stops, misses a commit while stopped, and on restart gets
// exactly that commit from its checkpoint.
func TestListenerResumesFromCheckpoint(t *testing.T) {
	e := mustEnv(t)
	path, _ := profile.Path(os.Getenv)
	prof, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fab, err := ledger.Open(prof, ledger.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer fab.Close()
	cp := filepath.Join(t.TempDir(), "cp.json")
	seen := make(chan string, 100)
	listen := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		l := &ledger.Listener{Fabric: fab, User: "platform-admin", Checkpoint: cp,
			Log: slog.New(slog.DiscardHandler),
			Handle: func(_ context.Context, ev domain.ChaincodeEvent) error {
				seen <- ev.TxID
				return nil
			}}
		go func() { _ = l.Run(ctx); close(done) }()
		eventually(t, 10*time.Second, func() string {
			if !l.Connected() {
				return "listener not connected"
			}
			return ""
		})
		return func() { cancel(); <-done }
	}
	waitFor := func(tx string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case got := <-seen:
				if got == tx {
					return
				}
			case <-deadline:
				t.Fatalf("event of %s not delivered", tx)
			}
		}
	}
	p := newPrefix(t, e)
	stop := listen()
	r1 := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(p+"/L1", "S1", "")}})
	expect(t, "first", r1, 201)
	waitFor(r1.tx)
	stop()
	r2 := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{kbUnit(p+"/L2", "S2", "")}})
	expect(t, "while stopped", r2, 201)
	for len(seen) > 0 {
		<-seen
	}
	stop = listen()
	defer stop()
	first := <-seen
	if first == r1.tx {
		t.Fatalf("restarted listener re-delivered %s from before its checkpoint", r1.tx)
	}
	if first != r2.tx {
		waitFor(r2.tx)
	}
}
