package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

func TestAuthentication(t *testing.T) {
	a := newTestAPI(t)
	a.seed("88.118.8/KB-1")
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no key is refused", "", http.StatusUnauthorized},
		{"an unknown key is refused", "Bearer nope", http.StatusUnauthorized},
		{"a non-bearer scheme is refused", "Basic key-maker-qa", http.StatusUnauthorized},
		{"a known key is accepted", "Bearer key-maker-qa", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest("GET", "/v1/items/88.118.8/KB-1", "")
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := serve(a.h, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusUnauthorized && errorCode(t, rec) != domain.CodeUnauthorized {
				t.Fatalf("code %s, want UNAUTHORIZED", errorCode(t, rec))
			}
		})
	}
}

func TestRoleChecksRefuseBeforeTheLedger(t *testing.T) {
	a := newTestAPI(t)
	a.seed("88.118.8/KB-1")
	tests := []struct {
		name, method, path, user, body string
	}{
		{"an operator cannot assign prefixes", "POST", "/v1/prefixes", "maker-operator", `{"prefix":"88.1","owner":"MakerMSP"}`},
		{"a user without role cannot register", "POST", "/v1/items", "maker-norole", `{"items":[{"id":"88.118.8/A","kind":"unit","industry":"generic"}]}`},
		{"a qa cannot register", "POST", "/v1/items", "maker-qa", `{"items":[{"id":"88.118.8/A","kind":"unit","industry":"generic"}]}`},
		{"an operator cannot release", "POST", "/v1/items/88.118.8/KB-1/release", "maker-operator", ""},
		{"an inspector cannot recall", "POST", "/v1/items/88.118.8/KB-1/recall", "maker-inspector", `{"reason":"x"}`},
		{"a qa cannot record inspections", "POST", "/v1/inspections", "maker-qa", `{"id":"88.118.8/KB-1","model":"M1","results":[]}`},
		{"an operator cannot grant consents", "POST", "/v1/consents", "maker-operator", `{}`},
		{"another org's qa cannot release", "POST", "/v1/items/88.118.8/KB-1/release", "partner-qa", ""},
		{"another org's qa cannot recall", "POST", "/v1/items/88.118.8/KB-1/recall", "partner-qa", `{"reason":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.do(tt.method, tt.path, tt.user, tt.body)
			if rec.Code != http.StatusForbidden || errorCode(t, rec) != domain.CodeForbidden {
				t.Fatalf("status %d, want 403 FORBIDDEN: %s", rec.Code, rec.Body)
			}
		})
	}
	if n := len(a.ledger.submits); n != 0 {
		t.Fatalf("%d transactions submitted after refusals, want 0", n)
	}
}

func TestErrorTableMapsEveryCode(t *testing.T) {
	want := map[domain.Code]int{
		domain.CodeInvalid: 400, domain.CodeInvalidIdentifier: 400, domain.CodeUnauthorized: 401,
		domain.CodeForbidden: 403, domain.CodeNotFound: 404, domain.CodeConflict: 409,
		domain.CodeReleaseBlocked: 409, domain.CodeUnavailable: 503, domain.CodeInternal: 500,
	}
	for code, status := range want {
		t.Run(string(code), func(t *testing.T) {
			a := newTestAPI(t)
			a.seed("88.118.8/KB-1")
			a.ledger.fail[ledger.FnRelease] = fmt.Errorf("wrapped: %w", domain.Errorf(code, "reason for %s", code))
			rec := a.do("POST", "/v1/items/88.118.8/KB-1/release", "maker-qa", "")
			if rec.Code != status || errorCode(t, rec) != code {
				t.Fatalf("status %d code %s, want %d %s", rec.Code, errorCode(t, rec), status, code)
			}
		})
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	a := newTestAPI(t)
	a.ledger.fail[ledger.FnGetItem] = errors.New("rpc error: secret peer address 10.0.0.7")
	rec := a.do("GET", "/v1/items/88.118.8/KB-1", "maker-qa", "")
	if rec.Code != 500 || errorCode(t, rec) != domain.CodeInternal {
		t.Fatalf("status %d, want 500 INTERNAL", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Fatalf("internal text leaked: %s", rec.Body)
	}
}

func TestRegisterItemsStatuses(t *testing.T) {
	item := func(id, model string) string {
		return fmt.Sprintf(`{"id":%q,"kind":"unit","industry":"generic","model":%q}`, id, model)
	}
	a := newTestAPI(t)
	rec := a.do("POST", "/v1/items", "maker-operator", `{"items":[`+item("88.118.8/A", "M")+`,`+item("88.118.8/B", "M")+`]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("new items: status %d, want 201: %s", rec.Code, rec.Body)
	}
	rec = a.do("POST", "/v1/items", "maker-operator", `{"items":[`+item("88.118.8/A", "M")+`]}`)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"unchanged"`) {
		t.Fatalf("identical re-send: status %d, want 201 unchanged: %s", rec.Code, rec.Body)
	}
	rec = a.do("POST", "/v1/items", "maker-operator", `{"items":[`+item("88.118.8/A", "X")+`,`+item("88.118.8/C", "M")+`]}`)
	if rec.Code != http.StatusMultiStatus {
		t.Fatalf("one conflict: status %d, want 207: %s", rec.Code, rec.Body)
	}
	var res domain.BatchResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || res.Results[0].Error.Code != domain.CodeConflict {
		t.Fatalf("conflict not reported per item: %s", rec.Body)
	}
	rec = a.do("POST", "/v1/items", "partner-operator", `{"items":[`+item("88.118.8/P", "M")+`]}`)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("foreign prefix: status %d, want 422: %s", rec.Code, rec.Body)
	}
}

func TestMalformedRequestsAreRefusedUnsent(t *testing.T) {
	a := newTestAPI(t)
	many := `{"items":[` + strings.Repeat(`{"id":"88.118.8/A","kind":"unit","industry":"generic"},`, MaxBatch) +
		`{"id":"88.118.8/A","kind":"unit","industry":"generic"}]}`
	tests := []struct {
		name, method, path, body string
		want                     int
		code                     domain.Code
	}{
		{"bad JSON", "POST", "/v1/items", `{"items":[`, 400, domain.CodeInvalid},
		{"unknown field", "POST", "/v1/items", `{"items":[],"extra":1}`, 400, domain.CodeInvalid},
		{"unknown item field", "POST", "/v1/items", `{"items":[{"id":"88.118.8/A","colour":"red"}]}`, 400, domain.CodeInvalid},
		{"no items", "POST", "/v1/items", `{"items":[]}`, 400, domain.CodeInvalid},
		{"trailing data", "POST", "/v1/items", `{"items":[]} {}`, 400, domain.CodeInvalid},
		{"more than 10,000 items", "POST", "/v1/items", many, 400, domain.CodeInvalid},
		{"a body beyond the limit", "POST", "/v1/items", `{"items":[` + strings.Repeat(" ", largeBody) + `]}`, 413, CodeTooLarge},
		{"a malformed id in the path", "GET", "/v1/items/88..1/KB-1", "", 400, domain.CodeInvalidIdentifier},
		{"an unknown category", "GET", "/v1/items/88.118.8/KB-1/shared/salary", "", 400, domain.CodeInvalid},
		{"a bad depth", "GET", "/v1/trace/forward/88.118.8/KB-1?maxDepth=-1", "", 400, domain.CodeInvalid},
		{"an invalid plan", "PUT", "/v1/inspection-plans/M1", `{"industry":"generic","items":[]}`, 400, domain.CodeInvalid},
		{"an expired consent", "POST", "/v1/consents", `{"grantee":"PartnerMSP","categories":["formula"],"subjects":["88.118.8"],"purpose":"p","validUntil":"2001-01-01T00:00:00Z"}`, 400, domain.CodeInvalid},
		{"a recall without reason", "POST", "/v1/items/88.118.8/KB-1/recall", `{}`, 400, domain.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := "maker-operator"
			switch {
			case strings.Contains(tt.path, "plans"), strings.Contains(tt.path, "consents"), strings.Contains(tt.path, "recall"):
				user = "maker-qa"
			}
			rec := a.do(tt.method, tt.path, user, tt.body)
			if rec.Code != tt.want || errorCode(t, rec) != tt.code {
				t.Fatalf("status %d %s, want %d %s: %.200s", rec.Code, errorCode(t, rec), tt.want, tt.code, rec.Body)
			}
		})
	}
	if n := len(a.ledger.submits); n != 0 {
		t.Fatalf("%d transactions submitted for malformed requests, want 0", n)
	}
}

// publicPing is a mounted package with one public route, as the site
// mounts its pages.
type publicPing struct{}

func (publicPing) Mount(k *Kit) {
	k.Public.GET("/ping", func(c *gin.Context) { c.String(200, "pong") })
}

func TestPublicRoutesAreRateLimitedPerIP(t *testing.T) {
	a := newTestAPI(t, func(d *Deps) {
		d.PublicRate, d.PublicBurst = 1, 3
		d.Mounts = []Mounter{publicPing{}}
	})
	codes := []int{}
	for range 5 {
		codes = append(codes, a.do("GET", "/ping", "", "").Code)
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Fatalf("statuses %v, want three 200 then 429", codes)
	}
	if rec := a.do("GET", "/ping", "maker-qa", ""); rec.Code != 200 {
		t.Fatalf("a caller with an API key is not limited: got %d", rec.Code)
	}
}

func TestPanicsBecomeInternalErrors(t *testing.T) {
	a := newTestAPI(t)
	e := a.h.(*gin.Engine)
	e.GET("/boom", func(*gin.Context) { panic("boom") })
	rec := a.do("GET", "/boom", "", "")
	if rec.Code != 500 || errorCode(t, rec) != domain.CodeInternal {
		t.Fatalf("panic: status %d %s", rec.Code, rec.Body)
	}
}

func TestReadyzReportsRedisDownButStaysReady(t *testing.T) {
	a := newTestAPI(t, func(d *Deps) {
		d.Checks = []Check{
			{Name: "fabric", Required: true, Run: func(context.Context) error { return nil }},
			{Name: "redis", Run: func(context.Context) error { return errors.New("dial tcp 10.1.2.3:6380: connection refused") }},
		}
	})
	rec := a.do("GET", "/readyz", "", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"redis":{"status":"down"}`) {
		t.Fatalf("readyz: %d %s", rec.Code, rec.Body)
	}
	b := newTestAPI(t, func(d *Deps) {
		d.Checks = []Check{{Name: "fabric", Required: true, Run: func(context.Context) error { return errors.New("no peers") }}}
	})
	if rec := b.do("GET", "/readyz", "", ""); rec.Code != 503 {
		t.Fatalf("readyz without fabric: %d, want 503", rec.Code)
	}
}

// The public listener shows neither metrics nor internal error text; the
// operations handler (its own listener) has both.
func TestMetricsAndErrorTextOnlyOnTheOperationsListener(t *testing.T) {
	secret := "dial tcp 10.1.2.3:6380: connection refused"
	deps := Deps{Checks: []Check{
		{Name: "fabric", Required: true, Run: func(context.Context) error { return nil }},
		{Name: "redis", Run: func(context.Context) error { return errors.New(secret) }},
	}}
	a := newTestAPI(t, func(d *Deps) { d.Checks = deps.Checks })
	if rec := a.do("GET", "/metrics", "", ""); rec.Code != 404 {
		t.Errorf("public /metrics: %d, want 404", rec.Code)
	}
	if rec := a.do("GET", "/readyz", "", ""); strings.Contains(rec.Body.String(), "10.1.2.3") {
		t.Errorf("public /readyz shows internal text: %s", rec.Body)
	}
	deps.Registry = prometheus.NewRegistry()
	deps.Registry.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "idchain_test_total", Help: "test"}))
	ops := NewOps(deps)
	if rec := serve(ops, newRequest("GET", "/metrics", "")); rec.Code != 200 || !strings.Contains(rec.Body.String(), "idchain_test_total") {
		t.Errorf("ops /metrics: %d %.200s", rec.Code, rec.Body)
	}
	if rec := serve(ops, newRequest("GET", "/readyz", "")); rec.Code != 200 || !strings.Contains(rec.Body.String(), secret) {
		t.Errorf("ops /readyz: %d %s", rec.Code, rec.Body)
	}
}

// Behind a trusted load balancer each consumer (X-Forwarded-For) has its
// own bucket; an untrusted peer cannot pick its bucket with the header.
func TestTrustedProxiesNameTheClientForTheLimiter(t *testing.T) {
	a := newTestAPI(t, func(d *Deps) {
		d.PublicRate, d.PublicBurst = 0.001, 1
		d.Mounts = []Mounter{publicPing{}}
		d.TrustedProxies = []string{"10.0.0.0/8"}
	})
	ping := func(remote, forwarded string) int {
		req := newRequest("GET", "/ping", "")
		req.RemoteAddr = remote + ":5000"
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		return serve(a.h, req).Code
	}
	if got := []int{ping("10.0.0.5", "203.0.113.1"), ping("10.0.0.5", "203.0.113.2"), ping("10.0.0.5", "203.0.113.1")}; fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("behind the proxy: %v, want two consumers served and the first one limited", got)
	}
	if got := []int{ping("198.51.100.7", "203.0.113.3"), ping("198.51.100.7", "203.0.113.4")}; fmt.Sprint(got) != "[200 429]" {
		t.Errorf("untrusted peer choosing X-Forwarded-For: %v, want one bucket", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.4 ,,")
	if err != nil || fmt.Sprint(got) != "[10.0.0.0/8 192.168.1.4]" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"lb.internal", "10.0.0.0/33", "*"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSharedReadNeedsAnActiveConsent(t *testing.T) {
	a := newTestAPI(t)
	a.seed("88.118.8/KB-1")
	rec := a.do("GET", "/v1/items/88.118.8/KB-1/shared/inspection.detail", "partner-qa", "")
	if rec.Code != 403 || errorCode(t, rec) != domain.CodeForbidden {
		t.Fatalf("without consent: %d %s", rec.Code, rec.Body)
	}
	if n := a.ledger.submitted(ledger.FnRecordAccess); n != 0 {
		t.Fatalf("access recorded without consent")
	}
	a.ledger.consents = []domain.Consent{{ID: "c1", Grantor: "MakerMSP", ConsentInput: domain.ConsentInput{
		Grantee: "PartnerMSP", Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{"88.118.8"}, Purpose: "quality", ValidFrom: "2020-01-01T00:00:00Z", ValidUntil: "2999-01-01T00:00:00Z"}}}
	rec = a.do("GET", "/v1/items/88.118.8/KB-1/shared/inspection.detail?purpose=marketing", "partner-qa", "")
	if rec.Code != 403 || errorCode(t, rec) != domain.CodeForbidden {
		t.Fatalf("for another purpose: %d %s", rec.Code, rec.Body)
	}
	if n := a.ledger.submitted(ledger.FnRecordAccess); n != 0 {
		t.Fatalf("access recorded for another purpose")
	}
	for _, query := range []string{"", "?purpose=quality"} {
		rec = a.do("GET", "/v1/items/88.118.8/KB-1/shared/inspection.detail"+query, "partner-qa", "")
		if rec.Code != 200 {
			t.Fatalf("with consent (%q): %d %s", query, rec.Code, rec.Body)
		}
		call := a.ledger.submits[len(a.ledger.submits)-1]
		if call.Fn != ledger.FnRecordAccess || call.Args[2] != "c1" || call.Args[3] != "quality" {
			t.Fatalf("access recorded as %v, want consent c1 for its purpose", call)
		}
	}
}

func TestReleaseAnswersReleasedAndInvalidates(t *testing.T) {
	var dropped []string
	a := newTestAPI(t, func(d *Deps) {
		d.AfterCommit = func(_ context.Context, done ledger.Committed) { dropped = append(dropped, done.Event.IDs...) }
	})
	a.seed("88.118.8/KB-1")
	rec := a.do("POST", "/v1/items/88.118.8/KB-1/release", "maker-qa", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"released"`) || rec.Header().Get("X-Tx-Id") == "" {
		t.Fatalf("release: %d %s", rec.Code, rec.Body)
	}
	if fmt.Sprint(dropped) != "[88.118.8/KB-1]" {
		t.Fatalf("invalidated %v", dropped)
	}
}

func TestUnknownRoutesAnswerJSON404(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do("GET", "/v1/nothing", "", "")
	if rec.Code != 404 || errorCode(t, rec) != domain.CodeNotFound {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
