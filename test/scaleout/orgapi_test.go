//go:build integration

package scaleout

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// One API per org (-org <MSP>): each process loads only its own org's
// identities and refuses other orgs' keys; across the org APIs, a write
// through one org's API is readable at once through another's (the writer
// answers after every org's peer committed), and a recall through the
// regulator's API reaches the maker API's cached verify within 1 s.
func TestOneAPIPerOrg(t *testing.T) {
	w := mustWorld(t)
	dir := t.TempDir()
	apis := map[string]*api{}
	for i, org := range []string{"PlatformMSP", "MakerMSP", "PartnerMSP", "RegulatorMSP"} {
		apis[org] = startAPI(t, w, "org-"+org, 8095+i, "", filepath.Join(dir, org+".checkpoint"), "-org", org)
	}
	platform, maker, partner, regulator := apis["PlatformMSP"], apis["MakerMSP"], apis["PartnerMSP"], apis["RegulatorMSP"]

	// Keys: only the org's own users.
	for _, c := range []struct {
		a      *api
		user   string
		status int
	}{
		{maker, "maker-operator", 200}, {maker, "maker-qa", 200},
		{maker, "partner-operator", 401}, {maker, "platform-admin", 401}, {maker, "regulator", 401},
		{partner, "partner-operator", 200}, {partner, "maker-operator", 401},
		{regulator, "regulator", 200}, {regulator, "maker-qa", 401},
		{platform, "platform-admin", 200}, {platform, "maker-admin", 401},
	} {
		r := c.a.call(t, "GET", "/v1/prefixes?owner=MakerMSP", c.user, nil)
		if r.status != c.status {
			t.Errorf("%s with %s's key: %d, want %d: %.200s", c.a.name, c.user, r.status, c.status, r.body)
		}
	}

	// Read-your-writes across the org APIs.
	p := fmt.Sprintf("88.%d.%s", 400+time.Now().Nanosecond()%90, randHex(4))
	expect(t, "platform API assigns", platform.call(t, "POST", "/v1/prefixes", "platform-admin",
		map[string]string{"prefix": p, "owner": "MakerMSP"}), 201)
	// A just-started API waits only for the peers its height tracker has
	// heard from: one write read back (bounded poll) first, so every
	// API's tracker knows every peer before read-your-writes is asserted.
	warm := p + "/WARM"
	expect(t, "maker API registers a first item", maker.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []map[string]any{
		{"id": warm, "kind": "lot", "industry": "kitchen_bath", "model": "SO-1", "attributes": map[string]string{"productionDate": "2026-12-01"}},
	}}), 201)
	eventually(t, 10*time.Second, func() string {
		if r := partner.call(t, "GET", "/v1/items/"+warm, "partner-operator", nil); r.status != 200 {
			return fmt.Sprintf("partner API: %d", r.status)
		}
		return ""
	})
	lot, u := p+"/LOT", p+"/U0"
	expect(t, "maker API registers right after", maker.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []map[string]any{
		{"id": lot, "kind": "lot", "industry": "kitchen_bath", "model": "SO-1", "attributes": map[string]string{"productionDate": "2026-12-01"}},
		{"id": u, "kind": "unit", "industry": "kitchen_bath", "model": "SO-1", "serial": "S0", "parent": lot},
	}}), 201)
	expect(t, "partner API reads at once", partner.call(t, "GET", "/v1/items/"+u, "partner-operator", nil), 200)
	expect(t, "regulator API reads at once", regulator.call(t, "GET", "/v1/items/"+lot, "regulator", nil), 200)

	// Cache invalidation across the org APIs (shared Redis, own listeners).
	for range 2 {
		maker.verify(t, u)
	}
	if maker.verify(t, u).Recalled {
		t.Fatal("recalled before the recall")
	}
	expect(t, "regulator API recalls the lot", regulator.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator",
		`{"reason":"各组织接口测试 per-org API test"}`), 200)
	d := eventually(t, time.Second, func() string {
		if !maker.verify(t, u).Recalled {
			return "the regulator API's recall is not on the maker API's cached verify"
		}
		return ""
	})
	t.Logf("recall through the regulator's API on the maker API's cached verify after %s", d)
}
