package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/idchain/idchain/domain"
)

// TestGetPlanOfEnterpriseUsers: GET /v1/inspection-plans/{model} reads the
// caller's own plan (its enterprise's for an enterprise user, its org's for
// an org user) unless ?owner/&enterprise name another's.
func TestGetPlanOfEnterpriseUsers(t *testing.T) {
	a, _, _, _ := newEnterpriseAPI(t)
	body := `{"id":"` + entA + `","name":"甲美妆","industries":["cosmetics"],"org":"PlatformMSP"}`
	if rec := a.do("POST", "/v1/enterprises", "platform-admin", body); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	rec := a.do("POST", "/v1/enterprises/"+entA+"/users", "platform-admin", `{"name":"qa-1","role":"qa"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create qa: %d %s", rec.Code, rec.Body)
	}
	var qa userResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &qa)
	plan := func(raw []byte) domain.Plan {
		var p domain.Plan
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rec = a.doKey("GET", "/v1/inspection-plans/M-1", qa.APIKey, "")
	if p := plan(rec.Body.Bytes()); rec.Code != 200 || p.Owner != "PlatformMSP" || p.Enterprise != entA || p.Model != "M-1" {
		t.Fatalf("enterprise user: %d %s", rec.Code, rec.Body)
	}
	rec = a.do("GET", "/v1/inspection-plans/M-1", "maker-qa", "")
	if p := plan(rec.Body.Bytes()); rec.Code != 200 || p.Owner != "MakerMSP" || p.Enterprise != "" {
		t.Fatalf("org user: %d %s", rec.Code, rec.Body)
	}
	rec = a.do("GET", "/v1/inspection-plans/M-1?owner=PlatformMSP&enterprise="+entA, "maker-qa", "")
	if p := plan(rec.Body.Bytes()); rec.Code != 200 || p.Owner != "PlatformMSP" || p.Enterprise != entA {
		t.Fatalf("named enterprise: %d %s", rec.Code, rec.Body)
	}
	rec = a.doKey("GET", "/v1/inspection-plans/M-1?owner=MakerMSP", qa.APIKey, "")
	if p := plan(rec.Body.Bytes()); rec.Code != 200 || p.Owner != "MakerMSP" || p.Enterprise != "" {
		t.Fatalf("enterprise user reading an org's plan: %d %s", rec.Code, rec.Body)
	}
}
