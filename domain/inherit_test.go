package domain

import "testing"

func TestReleaseCovers(t *testing.T) {
	batch := Item{ID: "88.1/B", Kind: KindBatch, Industry: IndustryCosmetics}
	jar := Item{ID: "88.1/J", Kind: KindUnit, Industry: IndustryCosmetics, Parent: batch.ID}
	lot := Item{ID: "88.1/L", Kind: KindLot, Industry: IndustryKitchenBath}
	stove := Item{ID: "88.1/S", Kind: KindUnit, Industry: IndustryKitchenBath, Parent: lot.ID}
	panel := Item{ID: "88.1/P", Kind: KindPanel, Industry: IndustryPCB}
	board := Item{ID: "88.1/BRD", Kind: KindBoard, Industry: IndustryPCB, Parent: panel.ID}
	caseOf := Item{ID: "88.1/C", Kind: KindCase, Industry: IndustryCosmetics}
	inCase := Item{ID: "88.1/J2", Kind: KindUnit, Industry: IndustryCosmetics, Parent: caseOf.ID}
	passed := []Inspection{{Judgement: Judgement{Passed: false}}, {Judgement: Judgement{Passed: true}}}
	failed := []Inspection{{Judgement: Judgement{Passed: true}}, {Judgement: Judgement{Passed: false}}}
	other := jar
	other.Parent = "88.1/OTHER"
	mixed := jar
	mixed.Industry = IndustryGeneric
	tests := []struct {
		name          string
		parent, child Item
		own           []Inspection
		want          bool
	}{
		{"a cosmetics batch release covers its units", batch, jar, nil, true},
		{"a unit whose latest own inspection passed is covered", batch, jar, passed, true},
		{"a unit whose latest own inspection failed is not covered", batch, jar, failed, false},
		{"a kitchen/bath lot release covers no unit: each needs its own", lot, stove, nil, false},
		{"a PCB panel release covers its boards", panel, board, nil, true},
		{"a case is no production lot", caseOf, inCase, nil, false},
		{"only the registered parent covers", batch, other, nil, false},
		{"a parent of another industry does not cover", batch, mixed, nil, false},
		{"a batch does not cover a batch", batch, Item{ID: "88.1/B2", Kind: KindBatch, Industry: IndustryCosmetics, Parent: batch.ID}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReleaseCovers(tt.parent, tt.child, tt.own); got != tt.want {
				t.Fatalf("ReleaseCovers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInheritedEvent(t *testing.T) {
	tests := []struct {
		via  string
		typ  EventType
		want bool
	}{
		{ViaParent, EventTransforming, true},
		{ViaParent, EventProcessStep, true},
		{ViaParent, EventInspecting, true},
		{ViaParent, EventReleasing, true},
		{ViaParent, EventShipping, false},
		{ViaParent, EventPacking, false},
		{ViaParent, EventCommissioning, false},
		{ViaContainer, EventShipping, true},
		{ViaContainer, EventReceiving, true},
		{ViaContainer, EventPacking, false},
		{ViaContainer, EventInspecting, false},
		{"", EventShipping, false},
	}
	for _, tt := range tests {
		if got := InheritedEvent(tt.via, tt.typ); got != tt.want {
			t.Errorf("InheritedEvent(%q, %s) = %v, want %v", tt.via, tt.typ, got, tt.want)
		}
	}
}

func TestHeldCustody(t *testing.T) {
	cu := func(id, at string, s Status) Custody { return Custody{ID: id, At: at, Status: s} }
	caseShipped := cu("case", "2026-01-02T10:00:00.5Z", StatusShipped)
	palletRecv := cu("pallet", "2026-01-03T10:00:00Z", StatusReceived)
	ownOld := cu("unit", "2026-01-01T10:00:00Z", StatusReceived)
	ownNew := cu("unit", "2026-01-04T10:00:00Z", StatusShipped)
	sameTx := cu("unit", "2026-01-02T10:00:00.5Z", StatusShipped)
	tests := []struct {
		name    string
		own     *Custody
		holders []Custody
		want    string // id of the custody picked, "" for none
	}{
		{"nothing holds it", nil, nil, ""},
		{"its case shipped", nil, []Custody{caseShipped}, "case"},
		{"the latest holder move wins", nil, []Custody{caseShipped, palletRecv}, "pallet"},
		{"a later move of its own wins", &ownNew, []Custody{caseShipped, palletRecv}, ""},
		{"a holder move after its own wins", &ownOld, []Custody{caseShipped}, "case"},
		{"shipped in the same transaction as its case: its own", &sameTx, []Custody{caseShipped}, ""},
		{"equal times: the nearest holder", nil, []Custody{cu("case", "2026-01-02T10:00:00Z", StatusShipped), cu("pallet", "2026-01-02T10:00:00.000Z", StatusShipped)}, "case"},
		{"times compare as times, not text", nil, []Custody{cu("case", "2026-01-02T10:00:00.5Z", StatusShipped), cu("pallet", "2026-01-02T10:00:00.45Z", StatusShipped)}, "case"},
		{"a fraction of a second is later than the whole second", nil, []Custody{cu("case", "2026-01-02T10:00:00Z", StatusShipped), cu("pallet", "2026-01-02T10:00:00.5Z", StatusShipped)}, "pallet"},
		{"a holder move .05 s after its own wins", &Custody{ID: "unit", At: "2026-01-02T10:00:00.9Z"}, []Custody{cu("case", "2026-01-02T10:00:00.95Z", StatusShipped)}, "case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if c := HeldCustody(tt.own, tt.holders); c != nil {
				got = c.ID
			}
			if got != tt.want {
				t.Fatalf("HeldCustody = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPublicStatus(t *testing.T) {
	tests := []struct {
		name     string
		s        Status
		released bool
		held     Status
		recalled bool
		want     Status
	}{
		{"a registered unit", StatusRegistered, false, "", false, StatusRegistered},
		{"a registered unit of a released batch reads released", StatusRegistered, true, "", false, StatusReleased},
		{"an inspected unit of a released batch reads released", StatusInspected, true, "", false, StatusReleased},
		{"an empty status reads registered", "", false, "", false, StatusRegistered},
		{"a unit in a shipped case reads shipped", StatusReleased, true, StatusShipped, false, StatusShipped},
		{"a unit in a received case reads received", StatusRegistered, true, StatusReceived, false, StatusReceived},
		{"a unit shipped on its own keeps its status", StatusShipped, true, "", false, StatusShipped},
		{"recall overrides a holder's move", StatusReleased, true, StatusReceived, true, StatusRecalled},
		{"decommissioned overrides everything", StatusDecommissioned, true, StatusShipped, true, StatusDecommissioned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PublicStatus(tt.s, tt.released, tt.held, tt.recalled); got != tt.want {
				t.Fatalf("PublicStatus = %s, want %s", got, tt.want)
			}
		})
	}
}
