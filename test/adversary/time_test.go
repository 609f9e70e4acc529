//go:build integration

package adversary

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
)

// Time: the proposal timestamp is the client's choice. Every attack here
// runs the honest chaincode on every peer; only the timestamp lies.

func TestAttackBackdatedRegistration(t *testing.T) {
	needHonest(t)
	maker := nw.msp("maker")
	id := newID(makerPrefix, "BACKREG")
	items, _ := json.Marshal([]map[string]any{unit(id)})
	twoHoursAgo := time.Now().Add(-2 * time.Hour)
	o := send(t, maker, nw.user(t, "maker-operator"), call{Fn: "registry:RegisterItems", Args: []string{string(items)}, At: twoHoursAgo})
	wantRefused(t, o)
	var it domain.Item
	st, b := nw.api.do(t, "maker-operator", http.MethodGet, "/v1/items/"+id, nil, &it)
	if st == http.StatusOK {
		created, err := time.Parse(time.RFC3339Nano, it.CreatedAt)
		if err != nil || time.Since(created) > 10*time.Minute {
			t.Errorf("ATTACK SUCCEEDED: item registered with createdAt %s (proposal timestamp %s)", it.CreatedAt, twoHoursAgo.UTC().Format(time.RFC3339))
		}
	} else if st != http.StatusNotFound {
		t.Errorf("GET item: HTTP %d %s", st, b)
	}
}

func TestAttackForwardDatedInspection(t *testing.T) {
	needHonest(t)
	maker := nw.msp("maker")
	id := inspectedUnit(t, "FWDINSP", false)
	in, _ := json.Marshal(domain.InspectionInput{ID: id, Model: planModel, Results: []domain.TestResult{{Code: "HIPOT", Pass: ptr(true)}}})
	tomorrow := time.Now().Add(24 * time.Hour)
	o := send(t, maker, nw.user(t, "maker-inspector"), call{Fn: "quality:RecordInspection", Args: []string{string(in), ""}, At: tomorrow})
	wantRefused(t, o)
	// A fresh honest failing inspection must be the latest: a forward-dated
	// pass would still count as "latest" until tomorrow.
	inspect(t, id, false)
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.Quality == nil || v.Quality.Passed {
			t.Errorf("ATTACK SUCCEEDED (%s verify): quality %+v after a pass dated tomorrow and a fail today", src, v.Quality)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestAttackBackdatedConsentedRead(t *testing.T) {
	needHonest(t)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	id := inspectedUnit(t, "BACKREAD", true)
	until := time.Now().Add(6 * time.Second).UTC().Truncate(time.Second)
	cs := grantConsent(t, id, "adversary: short consent", until)
	// Let the consent expire (by the wall clock the peers share here).
	time.Sleep(time.Until(until.Add(time.Second)))

	reader := nw.user(t, "partner-operator")
	for _, at := range []time.Time{until.Add(-2 * time.Second), time.Now().Add(-2 * time.Hour)} {
		o := send(t, partner, reader, call{Fn: "sharing:RecordAccess", Args: []string{id, "inspection.detail", cs.ID, ""}, At: at})
		wantRefused(t, o)
		if !o.Committed() {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b, err := nw.evaluate(ctx, nw.gws[maker], reader, call{Fn: "sharing:ReadShared", Args: []string{o.TxID}, Orgs: []string{maker}, At: at})
		cancel()
		if err == nil {
			t.Errorf("ATTACK SUCCEEDED: the maker's peer served detail under a consent expired at %s to a read dated %s: %.100s", until.Format(time.RFC3339), at.UTC().Format(time.RFC3339), b)
		}
	}
	st, b := nw.api.do(t, "partner-operator", http.MethodGet, "/v1/items/"+id+"/shared/inspection.detail?consent="+cs.ID, nil, nil)
	if st != http.StatusForbidden {
		t.Errorf("REST shared read after expiry: HTTP %d %.600s, want 403", st, b)
	}
}

func TestAttackFirstScanPlanting(t *testing.T) {
	needHonest(t)
	maker := nw.msp("maker")
	id := newID(makerPrefix, "SCANPLANT")
	register(t, unit(id))
	planted := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	scans, _ := json.Marshal([]map[string]string{{"id": id, "at": planted}})
	for _, who := range []string{"maker-operator", "partner-operator", "platform-admin"} {
		a := nw.user(t, who)
		o := send(t, a.MSP, a, call{Fn: "public:RecordFirstScans", Args: []string{string(scans)}})
		if o.Committed() {
			var res domain.BatchResult
			if json.Unmarshal(o.Payload, &res) == nil && len(res.Results) == 1 && res.Results[0].Status == domain.ResultCreated {
				t.Errorf("ATTACK SUCCEEDED: %s (%s) planted a first scan dated %s", who, a.MSP, planted)
			}
		}
	}
	_ = maker
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.FirstScanAt != "" {
			if at, err := time.Parse(time.RFC3339Nano, v.FirstScanAt); err != nil || time.Since(at) > 10*time.Minute {
				t.Errorf("ATTACK SUCCEEDED (%s verify): firstScanAt %s", src, v.FirstScanAt)
			}
		}
	})
}

// An access record made under a consent, replayed after the grantor revoked
// the consent: a consented read must judge the consent now, not when the
// access was recorded.
func TestAttackAccessRecordReusedAfterRevocation(t *testing.T) {
	needHonest(t)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	id := inspectedUnit(t, "REUSE", true)
	cs := grantConsent(t, id, "adversary: consent to revoke", time.Now().Add(time.Hour))
	reader := nw.user(t, "partner-operator")
	acc := send(t, partner, reader, call{Fn: "sharing:RecordAccess", Args: []string{id, "inspection.detail", cs.ID, ""}})
	if !acc.Committed() {
		t.Fatalf("honest access under an active consent: %s", acc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := nw.evaluate(ctx, nw.gws[maker], reader, call{Fn: "sharing:ReadShared", Args: []string{acc.TxID}, Orgs: []string{maker}}); err != nil {
		t.Fatalf("honest read under an active consent: %v", err)
	}
	nw.api.must(t, "maker-qa", http.MethodDelete, "/v1/consents/"+cs.ID, nil, nil, http.StatusOK)
	b, err := nw.evaluate(ctx, nw.gws[maker], reader, call{Fn: "sharing:ReadShared", Args: []string{acc.TxID}, Orgs: []string{maker}})
	if err == nil {
		t.Errorf("ATTACK SUCCEEDED: the maker's peer served detail on an access record of a revoked consent: %.100s", b)
	} else {
		t.Logf("maker's peer refused the replay: %v", err)
	}
}
