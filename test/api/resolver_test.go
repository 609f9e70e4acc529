//go:build integration

package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/resolver"
)

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get sends method to the API without a key, with an Accept header.
func (e apiEnv) raw(t *testing.T, method, path, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

// TestResolverConformance runs the GS1-Conformant Resolver checks (those
// of GS1's resolver test suite that idchain's resolver must pass) against
// the running API: description file, linkset valid against GS1's linkset
// schema, link types and 404s, 400s for GS1 syntax errors, walk-up with the
// counterfeit warning, GET/HEAD/OPTIONS with CORS, trailing slash.
func TestResolverConformance(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	run := randHex(3)
	gtin := "06901234567892"
	unit := kbUnit(p+"/U1", "C"+run, "")
	unit.GTIN = gtin
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{unit}}), 201)
	dl := "/01/" + gtin + "/21/C" + run

	res, body := e.raw(t, "GET", "/.well-known/gs1resolver", "")
	var d resolver.Description
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &d) != nil || d.ResolverRoot == "" || len(d.SupportedPrimaryKeys) == 0 {
		t.Fatalf("description file: %d %s", res.StatusCode, body)
	}

	for _, c := range []struct{ path, accept string }{{dl + "?linkType=linkset", ""}, {dl, resolver.MediaLinkset}} {
		res, body := e.raw(t, "GET", c.path, c.accept)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), resolver.MediaLinkset) {
			t.Fatalf("linkset %s: %d %s", c.path, res.StatusCode, body)
		}
		if err := resolver.CheckLinkset([]byte(body)); err != nil {
			t.Fatalf("linkset does not pass the RFC 9264 check: %v\n%s", err, body)
		}
		for _, rel := range []string{"pip", "verificationService", "traceability", "recallStatus"} {
			if !strings.Contains(body, resolver.GS1Voc+rel) {
				t.Errorf("linkset lacks gs1:%s", rel)
			}
		}
	}

	res, _ = e.raw(t, "GET", dl, "text/html")
	if res.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(res.Header.Get("Link"), `rel="linkset"`) ||
		!strings.Contains(res.Header.Get("Location"), "/v/"+p+"/U1") || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("default link: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := e.raw(t, "GET", dl+"/", "text/html"); res.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("trailing slash: %d", res.StatusCode)
	}
	if res, _ := e.raw(t, "GET", dl+"?linkType=gs1:recallStatus", ""); res.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(res.Header.Get("Location"), "/v1/verify/") {
		t.Errorf("linkType gs1:recallStatus: %d %v", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := e.raw(t, "GET", dl+"?linkType=gs1:epil", "application/json"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a link type the item lacks: %d", res.StatusCode)
	}
	for _, bad := range []string{"/01/6901234567892/21/C" + run, dl + "/foo", dl + "?17=271332", dl + "?21=OTHER", "/01/" + gtin + "/99/X", "/01/" + gtin + "?10=A&10=B"} {
		if res, body := e.raw(t, "GET", bad, "application/json"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "INVALID_IDENTIFIER") {
			t.Errorf("%s: %d %s, want 400 with a reason", bad, res.StatusCode, body)
		}
	}
	res, body = e.raw(t, "GET", "/01/"+gtin+"/21/NOT-"+run, "application/json")
	if res.StatusCode == http.StatusNotFound || !strings.Contains(body, "is not registered by its maker") || !strings.Contains(body, `"genuine":false`) {
		t.Errorf("walk-up: %d %s", res.StatusCode, body)
	}
	for _, path := range []string{dl, "/.well-known/gs1resolver", "/v/" + p + "/U1"} {
		head, _ := e.raw(t, "HEAD", path, "text/html")
		get, _ := e.raw(t, "GET", path, "text/html")
		opt, _ := e.raw(t, "OPTIONS", path, "")
		if head.StatusCode != get.StatusCode || opt.StatusCode != http.StatusNoContent || !strings.Contains(opt.Header.Get("Access-Control-Allow-Methods"), "HEAD") ||
			head.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: HEAD %d GET %d OPTIONS %d %v", path, head.StatusCode, get.StatusCode, opt.StatusCode, opt.Header)
		}
	}
}
