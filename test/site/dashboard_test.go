//go:build integration

package site

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

type dashRow struct {
	Name                                                string
	Items, Inspected, Passed, Releases, Recalls, Shared int64
	Consents                                            int64
	FirstScans                                          int64 `json:"firstScans"`
}

type dashFigures struct {
	Total            dashRow
	Orgs, Industries []dashRow
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
	for name, rows := range map[string][]dashRow{"orgs": f.Orgs, "industries": f.Industries} {
		var sum dashRow
		for _, r := range rows {
			if r.Name == "—" {
				return fmt.Sprintf("%s has an unattributed row %+v", name, r)
			}
			sum.Items, sum.Inspected, sum.Passed = sum.Items+r.Items, sum.Inspected+r.Inspected, sum.Passed+r.Passed
			sum.Releases, sum.Recalls, sum.Shared = sum.Releases+r.Releases, sum.Recalls+r.Recalls, sum.Shared+r.Shared
			sum.Consents, sum.FirstScans = sum.Consents+r.Consents, sum.FirstScans+r.FirstScans
		}
		sum.Name = f.Total.Name
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

	var live dashFigures
	deadline := time.Now().Add(30 * time.Second)
	for {
		live = a.figures(t)
		if live.Total.Items >= before.Total.Items+3 && live.Total.Consents >= before.Total.Consents+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live counters did not count 3 items and 1 consent: before %+v, now %+v", before.Total, live.Total)
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
}
