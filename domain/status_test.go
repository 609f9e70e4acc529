package domain

import (
	"errors"
	"testing"
)

func TestNextStatus(t *testing.T) {
	unit := func(s Status) Item {
		return Item{ID: "88.1/U", Kind: KindUnit, Industry: IndustryKitchenBath, Status: s}
	}
	tests := []struct {
		name     string
		item     Item
		recalled bool
		ev       EventType
		want     Status // "" means CONFLICT
	}{
		{"inspecting a registered unit makes it inspected", unit(StatusRegistered), false, EventInspecting, StatusInspected},
		{"re-inspecting keeps it inspected", unit(StatusInspected), false, EventInspecting, StatusInspected},
		{"releasing an inspected unit", unit(StatusInspected), false, EventReleasing, StatusReleased},
		{"releasing twice is a conflict", unit(StatusReleased), false, EventReleasing, ""},
		{"shipping a released unit", unit(StatusReleased), false, EventShipping, StatusShipped},
		{"shipping an unreleased unit is a conflict", unit(StatusInspected), false, EventShipping, ""},
		{"shipping an unreleased case is fine", Item{ID: "88.1/C", Kind: KindCase, Industry: IndustryKitchenBath}, false, EventShipping, StatusShipped},
		{"shipping a material lot needs no release", Item{ID: "88.1/M", Kind: KindMaterialLot, Industry: IndustryCosmetics, Status: StatusRegistered}, false, EventShipping, StatusShipped},
		{"receiving a shipped unit", unit(StatusShipped), false, EventReceiving, StatusReceived},
		{"receiving an unshipped unit is a conflict", unit(StatusReleased), false, EventReceiving, ""},
		{"reshipping a received unit", unit(StatusReceived), false, EventShipping, StatusShipped},
		{"releasing a shipped unit is a conflict", unit(StatusShipped), false, EventReleasing, ""},
		{"recalling works from registered", unit(StatusRegistered), false, EventRecalling, StatusRegistered},
		{"recalling works from shipped", unit(StatusShipped), false, EventRecalling, StatusShipped},
		{"a recalled unit cannot be released", unit(StatusInspected), true, EventReleasing, ""},
		{"a recalled unit cannot ship", unit(StatusReleased), true, EventShipping, ""},
		{"a recalled unit can be received back", unit(StatusShipped), true, EventReceiving, StatusShipped},
		{"a recalled unit can be decommissioned", unit(StatusReceived), true, EventDecommissioning, StatusDecommissioned},
		{"nothing happens to a decommissioned unit", unit(StatusDecommissioned), false, EventInspecting, ""},
		{"a process step keeps the status", unit(StatusInspected), false, EventProcessStep, StatusInspected},
		{"commissioning after registration is a conflict", unit(StatusReleased), false, EventCommissioning, ""},
		{"an empty stored status reads as registered", unit(""), false, EventInspecting, StatusInspected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextStatus(tt.item, tt.recalled, tt.ev)
			wantNext(t, got, err, tt.want)
		})
	}
}

func TestReleaseRuleFor(t *testing.T) {
	tests := []struct {
		ind  Industry
		kind Kind
		want ReleaseRule
	}{
		{IndustryKitchenBath, KindLot, ReleaseEveryUnit},
		{IndustryKitchenBath, KindUnit, ReleaseOwn},
		{IndustryCosmetics, KindBatch, ReleaseOwn},
		{IndustryPCB, KindPanel, ReleaseOwn},
	}
	for _, tt := range tests {
		if got := ReleaseRuleFor(tt.ind, tt.kind); got != tt.want {
			t.Errorf("ReleaseRuleFor(%s, %s) = %d, want %d", tt.ind, tt.kind, got, tt.want)
		}
	}
}

func TestEffectiveStatus(t *testing.T) {
	if got := EffectiveStatus(StatusShipped, true); got != StatusRecalled {
		t.Errorf("recalled shipped = %q", got)
	}
	if got := EffectiveStatus(StatusShipped, false); got != StatusShipped {
		t.Errorf("shipped = %q", got)
	}
}

func TestNextStatusCovered(t *testing.T) {
	jar := func(s Status) Item {
		return Item{ID: "88.1/J", Kind: KindUnit, Industry: IndustryCosmetics, Parent: "88.1/B", Status: s}
	}
	tests := []struct {
		name     string
		item     Item
		recalled bool
		ev       EventType
		wants    bool   // WantsRelease
		want     Status // "" means CONFLICT
	}{
		{"a covered registered unit ships", jar(StatusRegistered), false, EventShipping, true, StatusShipped},
		{"a covered inspected unit ships", jar(StatusInspected), false, EventShipping, true, StatusShipped},
		{"an empty stored status reads as registered", jar(""), false, EventShipping, true, StatusShipped},
		{"a covered unit that is recalled does not ship", jar(StatusRegistered), true, EventShipping, true, ""},
		{"a received unit reships without a release", jar(StatusReceived), false, EventShipping, false, StatusShipped},
		{"a shipped unit cannot ship again", jar(StatusShipped), false, EventShipping, false, ""},
		{"a decommissioned unit stays decommissioned", jar(StatusDecommissioned), false, EventShipping, false, ""},
		{"commissioning sees the stored status", jar(StatusRegistered), false, EventCommissioning, false, StatusRegistered},
		{"a process step keeps the stored status", jar(StatusInspected), false, EventProcessStep, false, StatusInspected},
		{"receiving an unshipped covered unit is a conflict", jar(StatusRegistered), false, EventReceiving, false, ""},
		{"a case needs no release to ship", Item{ID: "88.1/C", Kind: KindCase, Industry: IndustryCosmetics}, false, EventShipping, false, StatusShipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WantsRelease(tt.item, tt.ev); got != tt.wants {
				t.Fatalf("WantsRelease = %v, want %v", got, tt.wants)
			}
			got, err := NextStatusCovered(tt.item, tt.recalled, tt.ev)
			wantNext(t, got, err, tt.want)
		})
	}
}

// wantNext checks a transition's result: want, or CONFLICT when want is "".
func wantNext(tb testing.TB, got Status, err error, want Status) {
	tb.Helper()
	if want == "" {
		if !errors.Is(err, ErrConflict) {
			tb.Fatalf("next status = %q, %v; want CONFLICT", got, err)
		}
		return
	}
	if err != nil || got != want {
		tb.Fatalf("next status = %q, %v; want %q", got, err, want)
	}
}
