//go:build integration

package site

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/identifier"
)

type dashRow struct {
	Name, Org, Industry                                 string
	Items, Inspected, Passed, Releases, Recalls, Shared int64
	Consents                                            int64
	FirstScans                                          int64 `json:"firstScans"`
}

type dashFigures struct {
	Total                         dashRow
	Orgs, Industries, Enterprises []dashRow
}

func (a *liveAPI) figures(t *testing.T) dashFigures {
	t.Helper()
	resp, body := a.call("GET", "/dashboard/data?days=30", "REGULATOR", "", nil)
	var f dashFigures
	if resp.StatusCode != 200 || json.Unmarshal(body, &f) != nil {
		t.Fatalf("dashboard data: %d %s", resp.StatusCode, body)
	}
	return f
}

// check returns what is wrong with the figures: rows that do not sum to
// the total, facts counted without an organisation or industry.
func (f dashFigures) check() string {
	for name, rows := range map[string][]dashRow{"orgs": f.Orgs, "industries": f.Industries, "enterprises": f.Enterprises} {
		var sum dashRow
		for _, r := range rows {
			if r.Name == "—" {
				return fmt.Sprintf("%s has an unattributed row %+v", name, r)
			}
			sum.Items, sum.Inspected, sum.Passed = sum.Items+r.Items, sum.Inspected+r.Inspected, sum.Passed+r.Passed
			sum.Releases, sum.Recalls, sum.Shared = sum.Releases+r.Releases, sum.Recalls+r.Recalls, sum.Shared+r.Shared
			sum.Consents, sum.FirstScans = sum.Consents+r.Consents, sum.FirstScans+r.FirstScans
		}
		sum.Name, sum.Org, sum.Industry = f.Total.Name, "", ""
		if sum != f.Total {
			return fmt.Sprintf("%s sum to %+v, total %+v", name, sum, f.Total)
		}
	}
	return ""
}

// The dashboard's live figures equal a count made again from the ledger:
// after new registrations and a consent are counted live (attributed,
// rows adding up to the totals), Redis is flushed, the counters are rebuilt
// from block 0, and the figures come back identical.
func TestDashboardFiguresEqualARecountFromTheLedger(t *testing.T) {
	a := mustLive(t)
	before := a.figures(t)
	if msg := before.check(); msg != "" {
		t.Logf("before this test (counted by earlier builds): %s", msg)
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1e10)
	a.must("POST", "/v1/prefixes", "PLATFORM_ADMIN", map[string]string{"prefix": livePrefix, "owner": "MakerMSP"}, 201, 200, 409)
	a.must("POST", "/v1/items", "MAKER_OPERATOR", map[string]any{"items": []map[string]any{
		{"id": livePrefix + "/DB-" + run + "-1", "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "serial": run + "1"},
		{"id": livePrefix + "/DB-" + run + "-2", "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "serial": run + "2"},
		{"id": livePrefix + "/DB-" + run + "-3", "kind": "case", "industry": "generic", "model": "BOX"},
	}}, 201)
	a.must("POST", "/v1/consents", "MAKER_QA", map[string]any{"grantee": "PartnerMSP", "categories": []string{"inspection.detail"},
		"subjects": []string{livePrefix + "/DB-" + run + "-1"}, "purpose": "dashboard test",
		"validUntil": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 201)

	// An enterprise on MakerMSP registers two units with its own user: the
	// dashboard attributes them to the enterprise by name.
	ent, entName := liveUSCC(t), "看板测试企业 "+run
	a.must("POST", "/v1/enterprises", "PLATFORM_ADMIN", map[string]any{"id": ent, "name": entName,
		"industries": []string{"cosmetics"}, "org": "MakerMSP"}, 201)
	entPrefix := fmt.Sprintf("88.716.%d", time.Now().UnixNano()%1e9)
	a.must("POST", "/v1/prefixes", "PLATFORM_ADMIN", map[string]string{"prefix": entPrefix, "enterprise": ent}, 201)
	var u struct {
		APIKey string `json:"apiKey"`
	}
	if err := json.Unmarshal(a.must("POST", "/v1/enterprises/"+ent+"/users", "PLATFORM_ADMIN", map[string]string{"name": "op", "role": "operator"}, 201), &u); err != nil || u.APIKey == "" {
		t.Fatalf("enterprise user: %v", err)
	}
	a.keys["IDCHAIN_KEY_DASH_ENT_OP"] = u.APIKey
	a.must("POST", "/v1/items", "DASH_ENT_OP", map[string]any{"items": []map[string]any{
		{"id": entPrefix + "/E-1", "kind": "unit", "industry": "generic", "model": "M-1"},
		{"id": entPrefix + "/E-2", "kind": "unit", "industry": "generic", "model": "M-1"},
	}}, 201)
	entItems := func(f dashFigures) int64 {
		var n int64
		for _, r := range f.Enterprises {
			if r.Name == entName {
				n += r.Items
			}
		}
		return n
	}

	var live dashFigures
	deadline := time.Now().Add(30 * time.Second)
	for {
		live = a.figures(t)
		if live.Total.Items >= before.Total.Items+5 && live.Total.Consents >= before.Total.Consents+1 && entItems(live) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live counters did not count 5 items (2 of enterprise %s) and 1 consent: before %+v, now %+v, enterprise rows %+v",
				entName, before.Total, live.Total, live.Enterprises)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// First scans queued by earlier tests are recorded every 2 s: let them
	// land before the figures to compare are taken.
	time.Sleep(3 * time.Second)
	live = a.figures(t)
	if msg := live.check(); msg != "" && before.check() == "" {
		t.Fatalf("live figures: %s", msg)
	}

	env := a.keys
	opt, err := redis.ParseURL(env["IDCHAIN_REDIS_URL"])
	if err != nil {
		t.Fatalf("IDCHAIN_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	// The counters notice the lost checkpoint within ~5 s and replay the
	// ledger from block 0.
	// Totals do not depend on attribution; rows do, so they are compared
	// whole only when no earlier build left unattributed counts.
	same := func(r dashFigures) bool {
		if before.check() != "" {
			return r.Total == live.Total
		}
		return reflect.DeepEqual(r, live)
	}
	var rebuilt dashFigures
	deadline = time.Now().Add(90 * time.Second)
	for {
		rebuilt = a.figures(t)
		if same(rebuilt) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("figures rebuilt from the ledger differ from the live ones:\nlive    %+v\nrebuilt %+v", live, rebuilt)
		}
		time.Sleep(time.Second)
	}
	if msg := rebuilt.check(); msg != "" {
		t.Fatalf("rebuilt figures: %s", msg)
	}
	if n := entItems(rebuilt); n != 2 {
		t.Fatalf("rebuilt figures give enterprise %s %d items, want 2: %+v", entName, n, rebuilt.Enterprises)
	}
}

// liveUSCC makes a fresh valid enterprise USCC (random organisation code).
func liveUSCC(t *testing.T) string {
	t.Helper()
	body := []byte("MA")
	for len(body) < 8 {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			t.Fatal(err)
		}
		body = append(body, byte('0'+n.Int64()))
	}
	oc, err := identifier.OrgCodeCheck(string(body))
	if err != nil {
		t.Fatal(err)
	}
	first := "91350100" + string(body) + string(oc)
	c, err := identifier.USCCCheck(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}
