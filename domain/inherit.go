package domain

// Read-time inheritance: what the public view of an item takes from the
// items above it — its production lot and the cases/pallets holding it —
// without a record of its own (no write per unit).

// Via values of events an item's history takes from a related item
// (Event.Via, TimelineEntry.Via); the event's id names that item.
const (
	ViaParent    = "parent"    // its registered lot, batch or panel
	ViaContainer = "container" // a case or pallet holding it, directly or not
)

// ProductionLot reports whether items of kind k are made in lots whose
// registered children are made in them: lot, batch, panel.
func ProductionLot(k Kind) bool { return k == KindLot || k == KindBatch || k == KindPanel }

// ReleaseCovers reports whether the release of parent also counts as the
// release of child, registered under it and without a release of its own.
// It does when the parent's own inspection suffices for its release under
// its profile (ReleaseOwn: a cosmetics batch, a PCB panel, a generic lot)
// and the child is a unit or board made in it. A kitchen/bath lot
// (ReleaseEveryUnit) covers nothing: every unit needs its own inspection
// and gets its own release record when the lot is released. The child's
// own latest inspection, when it has one (own, oldest first), must have
// passed.
func ReleaseCovers(parent, child Item, own []Inspection) bool {
	if child.Parent != parent.ID || child.Industry != parent.Industry || !ProductionLot(parent.Kind) ||
		ReleaseRuleFor(parent.Industry, parent.Kind) != ReleaseOwn {
		return false
	}
	if child.Kind != KindUnit && child.Kind != KindBoard {
		return false
	}
	return len(own) == 0 || own[len(own)-1].Passed
}

// InheritedEvent reports whether an event of type t recorded for a related
// item shows in an item's history: the making of its lot (transforming,
// process steps, inspections, and its release where that covers the item,
// see ReleaseCovers) and the moves of what holds it (shipping, receiving).
func InheritedEvent(via string, t EventType) bool {
	switch via {
	case ViaParent:
		switch t {
		case EventTransforming, EventProcessStep, EventInspecting, EventReleasing:
			return true
		}
	case ViaContainer:
		return t == EventShipping || t == EventReceiving
	}
	return false
}

// HeldCustody picks the custody that decides where an item is: among the
// custody records of the cases/pallets holding it (nearest first), the
// latest one — the first of equals — when it is later than the item's own
// custody record (own, nil before the item itself first shipped). nil
// when the item's own record, or nothing, applies.
func HeldCustody(own *Custody, holders []Custody) *Custody {
	var best *Custody
	for i := range holders {
		if best == nil || CompareTimes(holders[i].At, best.At) > 0 {
			best = &holders[i]
		}
	}
	if best == nil || (own != nil && CompareTimes(best.At, own.At) <= 0) {
		return nil
	}
	return best
}

// PublicStatus is the status a consumer reads for an item whose stored
// status, its own custody applied, is s. released: a release applies (its
// own or its lot's, see ReleaseCovers). held: the custody status of the
// case or pallet that moved it last (HeldCustody), "" for none. Recall
// overrides everything but decommissioned; a holder's move (shipped in a
// case, received by the dealer) overrides the item's earlier states; a
// covering release turns registered or inspected into released.
func PublicStatus(s Status, released bool, held Status, recalled bool) Status {
	if s == "" {
		s = StatusRegistered
	}
	switch {
	case s == StatusDecommissioned || recalled:
		return EffectiveStatus(s, recalled)
	case held == StatusShipped || held == StatusReceived:
		return held
	case released && (s == StatusRegistered || s == StatusInspected):
		return StatusReleased
	}
	return s
}
