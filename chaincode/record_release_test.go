package chaincode

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// Items of the shipping-release fixture.
const (
	relBatch     = makerPfx + "/B-REL"  // cosmetics batch, released
	openBatch    = makerPfx + "/B-OPEN" // cosmetics batch, not released
	recBatch     = makerPfx + "/B-REC"  // cosmetics batch, released, then recalled
	relPanel     = makerPfx + "/P-REL"  // PCB panel, released
	relStoveLot  = makerPfx + "/L-REL"  // kitchen/bath lot with a release record of its own only
	jarPlain     = makerPfx + "/J-PLAIN"
	jarPassed    = makerPfx + "/J-PASSED"
	jarFailed    = makerPfx + "/J-FAILED"
	jarOpen      = makerPfx + "/J-OPEN"
	jarRecalled  = makerPfx + "/J-REC"
	jarOwnRel    = makerPfx + "/J-OWN"
	boardOfPanel = makerPfx + "/BRD-1"
	stoveOfLot   = makerPfx + "/S-1"
	jarNoLot     = makerPfx + "/J-ALONE"
)

// releaseWorld writes the lots and units of the shipping tests straight
// into the state: releases, inspections and a recall as the quality
// contract would have written them.
func releaseWorld(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := newWorld(tb)
	lot := func(id string, ind domain.Industry, k domain.Kind, st domain.Status) {
		putItem(tb, l, domain.Item{ID: id, Kind: k, Industry: ind, Owner: makerMSP, Status: st})
	}
	lot(relBatch, domain.IndustryCosmetics, domain.KindBatch, domain.StatusReleased)
	lot(openBatch, domain.IndustryCosmetics, domain.KindBatch, domain.StatusInspected)
	lot(recBatch, domain.IndustryCosmetics, domain.KindBatch, domain.StatusReleased)
	lot(relPanel, domain.IndustryPCB, domain.KindPanel, domain.StatusReleased)
	lot(relStoveLot, domain.IndustryKitchenBath, domain.KindLot, domain.StatusReleased)
	for _, id := range []string{relBatch, recBatch, relPanel, relStoveLot} {
		k, _ := ReleaseKey(id)
		putRaw(tb, l, k, domain.Release{ID: id, At: "2026-01-02T10:00:00Z", By: makerMSP, TxID: "tx-rel-" + id})
	}
	rk, _ := RecallKey(recBatch)
	putRaw(tb, l, rk, domain.Recall{ID: recBatch, Reason: "microbial", At: "2026-01-03T10:00:00Z", By: makerMSP})
	unit := func(id, parent string, ind domain.Industry, k domain.Kind, st domain.Status) {
		putItem(tb, l, domain.Item{ID: id, Kind: k, Industry: ind, Owner: makerMSP, Parent: parent, Status: st})
		if parent != "" {
			link(tb, l, objRel, parent, id)
		}
	}
	unit(jarPlain, relBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusRegistered)
	unit(jarPassed, relBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusInspected)
	unit(jarFailed, relBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusInspected)
	unit(jarOpen, openBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusRegistered)
	unit(jarRecalled, recBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusRegistered)
	unit(jarOwnRel, openBatch, domain.IndustryCosmetics, domain.KindUnit, domain.StatusReleased)
	unit(boardOfPanel, relPanel, domain.IndustryPCB, domain.KindBoard, domain.StatusRegistered)
	unit(stoveOfLot, relStoveLot, domain.IndustryKitchenBath, domain.KindUnit, domain.StatusRegistered)
	unit(jarNoLot, "", domain.IndustryCosmetics, domain.KindUnit, domain.StatusRegistered)
	// Own inspections, oldest first: the latest one decides.
	inspections := map[string][]bool{jarPassed: {false, true}, jarFailed: {true, false}}
	for _, id := range []string{jarPassed, jarFailed} {
		for i, passed := range inspections[id] {
			txID := fmt.Sprintf("tx-insp-%d", i)
			k, _ := InspectionKey(id, fmt.Sprintf("2026-01-01T10:00:0%dZ", i), txID)
			putRaw(tb, l, k, domain.Inspection{ID: id, Judgement: domain.Judgement{Passed: passed},
				At: fmt.Sprintf("2026-01-01T10:00:0%dZ", i), TxID: txID})
		}
	}
	return l
}

func putRaw(tb testing.TB, l *fakestub.Ledger, k string, v any) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	putAnchored(l, makerMSP, k, b)
}

func TestShippingTakesTheReleaseThatVerifyShows(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want string // result status, ":CODE" when rejected
	}{
		{"a cosmetics unit ships on its batch's release", jarPlain, "recorded"},
		{"an inspected unit whose latest inspection passed ships on its batch's release", jarPassed, "recorded"},
		{"a PCB board ships on its panel's release", boardOfPanel, "recorded"},
		{"a unit released on its own ships", jarOwnRel, "recorded"},
		{"a unit whose latest own inspection failed is not covered", jarFailed, "rejected:CONFLICT"},
		{"a unit of an unreleased batch does not ship", jarOpen, "rejected:CONFLICT"},
		{"a unit of a recalled batch does not ship", jarRecalled, "rejected:CONFLICT"},
		{"a kitchen/bath unit needs its own release, not its lot's", stoveOfLot, "rejected:CONFLICT"},
		{"a unit without a lot needs its own release", jarNoLot, "rejected:CONFLICT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := releaseWorld(t)
			released := verifyOf(t, l, tt.id).Released
			res, _, err := record(t, l, who(t, makerMSP, domain.RoleOperator),
				domain.EventInput{Type: domain.EventShipping, ID: tt.id, Destination: partnerMSP})
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(res)[0]; got != tt.want {
				t.Fatalf("shipping %s: %s (%v), want %s", tt.id, got, res.Results[0].Error, tt.want)
			}
			// The write rule agrees with the read model, recall aside.
			if tt.id != jarRecalled && released != (tt.want == "recorded") {
				t.Fatalf("Verify reads released=%v, shipping %s", released, tt.want)
			}
			if tt.want != "recorded" {
				return
			}
			it, err := readItem(t, l, tt.id)
			if err != nil || it.Status != domain.StatusShipped || it.Custodian != makerMSP {
				t.Fatalf("after shipping: %+v, %v", it, err)
			}
			if v := verifyOf(t, l, tt.id); v.Status != domain.StatusShipped {
				t.Fatalf("Verify status %s, want shipped", v.Status)
			}
		})
	}
}

func TestShippingCoveredUnitsInOneBatch(t *testing.T) {
	// Later events of a batch check their cover after earlier events wrote:
	// the reads must not be paginated (the fake stub refuses that, as Fabric does).
	l := releaseWorld(t)
	res, s, err := record(t, l, who(t, makerMSP, domain.RoleOperator),
		domain.EventInput{Type: domain.EventShipping, ID: jarPlain, Destination: partnerMSP},
		domain.EventInput{Type: domain.EventShipping, ID: jarPassed, Destination: partnerMSP},
		domain.EventInput{Type: domain.EventShipping, ID: jarFailed, Destination: partnerMSP},
		domain.EventInput{Type: domain.EventShipping, ID: boardOfPanel, Destination: partnerMSP})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(res), []string{"recorded", "recorded", "rejected:CONFLICT", "recorded"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	if n := s.Calls["GetStateByPartialCompositeKeyWithPagination"] + s.Calls["GetStateByRangeWithPagination"]; n != 0 {
		t.Fatalf("%d paginated queries in a submit", n)
	}
	// Receiving needs no release: the partner takes the covered jar in.
	mustRecord(t, l, who(t, partnerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventReceiving, ID: jarPlain})
	if it, _ := readItem(t, l, jarPlain); it.Status != domain.StatusReceived || it.Custodian != partnerMSP {
		t.Fatalf("after receiving: %+v", it)
	}
}
