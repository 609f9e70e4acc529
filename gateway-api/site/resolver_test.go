package site

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/resolver"
)

// gs1Rejects are Digital Links that the GS1 Digital Link syntax rejects;
// the resolver answers each with 400 and the reason (issue 14's list and
// GS1's test-suite probe of an extra /foo segment).
var gs1Rejects = []struct{ name, path, reason string }{
	{"a GTIN-13 in the path", "/01/6901234567892/21/0001", "14 digits"},
	{"a GTIN-12 in the path", "/01/614141123452", "14 digits"},
	{"a GTIN-8 in the path", "/01/96385074", "14 digits"},
	{"a zero-suppressed GTIN", "/01/6901234567892", "13 digits"},
	{"an empty lot", "/01/" + testGTIN + "/10//21/0001", "empty segment"},
	{"qualifiers out of order", "/01/" + testGTIN + "/21/0001/10/L20261127", "out of order"},
	{"a repeated qualifier", "/01/" + testGTIN + "/21/0001/21/0002", "appears twice"},
	{"AI 99 in the path", "/01/" + testGTIN + "/99/X", "data attribute"},
	{"an empty query AI", "/01/" + testGTIN + "?99=", "has no value"},
	{"a query AI twice", "/01/" + testGTIN + "?99=a&99=b", "twice"},
	{"a lot twice in the query", "/01/" + testGTIN + "?10=A&10=B", "key qualifier"},
	{"an impossible expiry", "/01/" + testGTIN + "/21/0001?17=271332", "month 13"},
	{"a query serial next to a path serial", "/01/" + testGTIN + "/21/0001?21=OTHER", "repeats the path"},
	{"an extra segment", "/01/" + testGTIN + "/21/0001/foo", "does not pair"},
	{"a bad check digit", "/01/06901234567893", "check digit"},
}

func TestResolverAnswers400ForGS1SyntaxErrors(t *testing.T) {
	a := newPubAPI(t)
	for _, tc := range gs1Rejects {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(http.MethodGet, tc.path, "")
			req.Header.Set("Accept", "application/json")
			rec := serve(a.h, req)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.reason) {
				t.Fatalf("status %d, want 400 with %q: %s", rec.Code, tc.reason, rec.Body)
			}
			if code := errorCode(t, rec); code != "INVALID_IDENTIFIER" {
				t.Fatalf("code %s", code)
			}
		})
	}
}

// TestResolverLinkset: linkType=linkset, linkType=all and Accept:
// application/linkset+json answer the RFC 9264 linkset, passing the
// RFC 9264 structural check (resolver.CheckLinkset), with the four link types for a unit; every answer
// carries the Link header to it.
func TestResolverLinkset(t *testing.T) {
	a := newPubAPI(t)
	unit := "/01/" + testGTIN + "/21/0001"
	for _, tc := range []struct{ name, path, accept string }{
		{"linkType=linkset", unit + "?linkType=linkset", "text/html"},
		{"linkType=all", unit + "?linkType=all", "*/*"},
		{"Accept: application/linkset+json", unit, "application/linkset+json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(http.MethodGet, tc.path, "")
			req.Header.Set("Accept", tc.accept)
			rec := serve(a.h, req)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != resolver.MediaLinkset {
				t.Fatalf("status %d type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if err := resolver.CheckLinkset(rec.Body.Bytes()); err != nil {
				t.Fatalf("linkset does not pass the RFC 9264 check: %v\n%s", err, rec.Body)
			}
			var ls struct {
				Linkset []map[string]json.RawMessage `json:"linkset"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &ls)
			ctx := ls.Linkset[0]
			for _, rel := range []string{"defaultLink", "pip", "verificationService", "traceability", "recallStatus"} {
				if _, ok := ctx[resolver.GS1Voc+rel]; !ok {
					t.Errorf("linkset lacks gs1:%s", rel)
				}
			}
			if string(ctx["anchor"]) != `"https://id.example.cn/01/`+testGTIN+`/21/0001"` {
				t.Errorf("anchor %s", ctx["anchor"])
			}
		})
	}
	rec := a.do(http.MethodGet, unit, "", "")
	if l := rec.Header().Get("Link"); !strings.Contains(l, "?linkType=linkset>") || !strings.Contains(l, `rel="linkset"`) {
		t.Errorf("redirect without Link to the linkset: %q", l)
	}
	// A walked-up request lists the product page only: its links must not
	// vouch for a serial the maker never registered.
	req := newRequest(http.MethodGet, "/01/"+testGTIN+"/21/9999?linkType=linkset", "")
	body := serve(a.h, req).Body.String()
	if strings.Contains(body, "verificationService") || !strings.Contains(body, "pip") {
		t.Errorf("walked-up linkset %s", body)
	}
}

func TestResolverDescriptionFile(t *testing.T) {
	rec := newPubAPI(t).do(http.MethodGet, "/.well-known/gs1resolver", "", "")
	var d resolver.Description
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &d) != nil {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if d.ResolverRoot != "https://id.example.cn" || len(d.SupportedPrimaryKeys) != 1 || d.SupportedPrimaryKeys[0] != "01" || d.ActiveLinkTypes["en"][resolver.PIP].URL == "" {
		t.Fatalf("description %+v", d)
	}
}

// TestPublicRoutesAnswerHEADOptionsAndCORS: the GS1-Conformant Resolver
// standard's GET, HEAD, OPTIONS and CORS, on the resolver and every other
// public route.
func TestPublicRoutesAnswerHEADOptionsAndCORS(t *testing.T) {
	a := newPubAPI(t)
	for _, path := range []string{"/01/" + testGTIN + "/21/0001", "/.well-known/gs1resolver", "/v/" + unitID, "/v1/verify/" + unitID, "/api/handles/" + unitID, "/dashboard/login"} {
		get := a.do(http.MethodGet, path, "", "")
		head := a.do(http.MethodHead, path, "", "")
		if head.Code != get.Code || head.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("HEAD %s: %d (GET %d), CORS %q", path, head.Code, get.Code, head.Header().Get("Access-Control-Allow-Origin"))
		}
		if get.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s without CORS", path)
		}
		opt := a.do(http.MethodOptions, path, "", "")
		if opt.Code != http.StatusNoContent || !strings.Contains(opt.Header().Get("Allow"), "HEAD") || !strings.Contains(opt.Header().Get("Access-Control-Allow-Methods"), "OPTIONS") {
			t.Errorf("OPTIONS %s: %d Allow %q", path, opt.Code, opt.Header().Get("Allow"))
		}
	}
	count := func() int64 {
		a.scans.mu.Lock()
		defer a.scans.mu.Unlock()
		return a.scans.n[unitID]
	}
	before := count()
	a.do(http.MethodHead, "/v/"+unitID, "", "")
	if count() != before {
		t.Error("a HEAD request counted as a scan")
	}
	a.do(http.MethodGet, "/v/"+unitID, "", "")
	if count() != before+1 {
		t.Error("a GET of the page is not counted (the HEAD check proves nothing)")
	}
}
