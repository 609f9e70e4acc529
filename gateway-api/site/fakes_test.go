package site

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger/ledgertest"
	"github.com/idchain/idchain/gateway-api/scans"
)

// memScans is an in-memory ScanCounter, AlertBook and StatsSource.
type memScans struct {
	mu     sync.Mutex
	n      map[string]int64
	first  map[string]time.Time
	alerts []scans.Alert
	stats  map[string]map[scans.StatKey]int64
}

func newMemScans() *memScans {
	return &memScans{n: map[string]int64{}, first: map[string]time.Time{},
		stats: map[string]map[scans.StatKey]int64{}}
}

func (m *memScans) Hit(_ context.Context, id string, now, known time.Time) (scans.ScanInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n[id]++
	info := scans.ScanInfo{Count: m.n[id]}
	if _, ok := m.first[id]; !ok {
		m.first[id] = now
		if !known.IsZero() {
			m.first[id] = known
		} else {
			info.First = true
		}
	}
	info.FirstAt = m.first[id]
	return info, nil
}

func (m *memScans) Peek(_ context.Context, id string) (scans.ScanInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return scans.ScanInfo{Count: m.n[id], FirstAt: m.first[id]}, nil
}

func (m *memScans) AddAlert(_ context.Context, a scans.Alert) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append([]scans.Alert{a}, m.alerts...)
	return true, nil
}

func (m *memScans) Alerts(_ context.Context, owner string, limit int) ([]scans.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []scans.Alert
	for _, a := range m.alerts {
		if a.Owner == owner && len(out) < limit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memScans) Stats(_ context.Context, days []string) (map[string]map[scans.StatKey]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]map[scans.StatKey]int64{}
	for _, d := range days {
		out[d] = m.stats[d]
	}
	return out, nil
}

// Fixture ids (ledgertest.Fixture).
const (
	unitID     = ledgertest.UnitID
	lotID      = ledgertest.LotID
	recalledID = ledgertest.RecalledID
	plainID    = ledgertest.PlainID
	testGTIN   = ledgertest.GTIN
)

var testNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// testUsers mirrors the demo users; the key of each is "key-<name>".
var testUsers = map[string]httpapi.Principal{
	"platform-admin":   {Name: "platform-admin", MSPID: "PlatformMSP", Role: domain.RoleAdmin},
	"maker-operator":   {Name: "maker-operator", MSPID: "MakerMSP", Role: domain.RoleOperator},
	"maker-qa":         {Name: "maker-qa", MSPID: "MakerMSP", Role: domain.RoleQA},
	"partner-operator": {Name: "partner-operator", MSPID: "PartnerMSP", Role: domain.RoleOperator},
	"regulator":        {Name: "regulator", MSPID: "RegulatorMSP", Role: domain.RoleRegulator},
	// a certificate saying regulator in another org: no regulator rights
	"maker-regulator": {Name: "maker-regulator", MSPID: "MakerMSP", Role: domain.RoleRegulator},
}

// pubAPI is the REST API with the site mounted over the ledgertest
// fixture and in-memory scans.
type pubAPI struct {
	t     *testing.T
	h     http.Handler
	reads *ledgertest.Reads
	scans *memScans
}

func newPubAPI(t *testing.T, tweak ...func(*httpapi.Deps)) *pubAPI {
	t.Helper()
	r := ledgertest.Fixture()
	m := newMemScans()
	keys := map[string]string{}
	for n := range testUsers {
		keys[httpapi.HashKey("key-"+n)] = n
	}
	st := New(Config{Scans: m, Alerts: m, Stats: m, BaseURL: "https://id.example.cn",
		OrgNames:      map[string]string{"MakerMSP": "广东某卫浴有限公司 Maker", "RegulatorMSP": "市场监管局 Regulator"},
		DashboardMSPs: []string{"PlatformMSP"}, ScanWarnAfter: 3, Now: func() time.Time { return testNow }})
	deps := httpapi.Deps{Ledger: r, Reads: r, Users: testUsers, Keys: keys, ServiceUser: "platform-admin",
		Mounts: []httpapi.Mounter{st}}
	for _, f := range tweak {
		f(&deps)
	}
	return &pubAPI{t: t, h: httpapi.NewServer(deps), reads: r, scans: m}
}

// do sends a request as user ("" for none) and returns the recorder.
func (a *pubAPI) do(method, path, user, body string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer key-"+user)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return serve(a.h, req)
}

// errorCode decodes an error body, failing the test if it is not one.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) domain.Code {
	t.Helper()
	var body httpapi.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("status %d body %q is not an error body", rec.Code, rec.Body.String())
	}
	return body.Error.Code
}

func newRequest(method, path, body string) *http.Request {
	return httptest.NewRequest(method, path, strings.NewReader(body))
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
