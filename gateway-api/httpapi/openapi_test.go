package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/site"
)

// TestOpenAPICoversEveryRoute checks both ways: every gin route (the
// public site mounted) is in openapi.json and every documented operation
// has a route.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	engine := httpapi.NewServer(httpapi.Deps{Mounts: []httpapi.Mounter{site.New(site.Config{})}}).(*gin.Engine)
	rec := httptest.NewRecorder()
	engine.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	param := regexp.MustCompile(`[:*]([A-Za-z]+)`)
	routes := map[string]bool{}
	for _, r := range engine.Routes() {
		if r.Method == "HEAD" || r.Method == "OPTIONS" && !strings.HasPrefix(r.Path, "/epcis/") {
			continue // every public GET answers HEAD, every public path OPTIONS (PublicRoutes)
		}
		key := strings.ToLower(r.Method) + " " + param.ReplaceAllString(r.Path, "{$1}")
		routes[key] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[method+" "+path] = true
		}
	}
	for r := range routes {
		if !documented[r] {
			t.Errorf("route %s is not documented in openapi.json", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("openapi.json documents %s, which has no route", d)
		}
	}
}
