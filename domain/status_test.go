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
			if tt.want == "" {
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("NextStatus = %q, %v; want CONFLICT", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NextStatus = %q, %v; want %q", got, err, tt.want)
			}
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
