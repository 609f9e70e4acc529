package domain

// ReleaseRule says what releasing an item requires under its industry
// profile.
type ReleaseRule int

const (
	// ReleaseOwn: the item's own latest inspection must pass (a cosmetics
	// batch, a PCB panel, a single unit).
	ReleaseOwn ReleaseRule = iota
	// ReleaseEveryUnit: every unit child must have a passing inspection
	// (a kitchen/bath lot: 100% of units pass line-end testing).
	ReleaseEveryUnit
)

// ReleaseRuleFor returns the release rule of an item's profile and kind.
func ReleaseRuleFor(ind Industry, k Kind) ReleaseRule {
	if ind == IndustryKitchenBath && k == KindLot {
		return ReleaseEveryUnit
	}
	return ReleaseOwn
}

// NeedsRelease reports whether an item must be released before it ships.
// Containers (cases, pallets), bought-in material lots and generic items
// ship without a quality release of their own.
func NeedsRelease(ind Industry, k Kind) bool {
	if ind == IndustryGeneric {
		return false
	}
	switch k {
	case KindCase, KindPallet, KindMaterialLot:
		return false
	}
	return true
}

// HoldsGoods reports whether items of kind k are logistic units (cases,
// pallets): they read as recalled while they hold anything recalled, and
// shipping one moves only its own custody record.
func HoldsGoods(k Kind) bool { return k == KindCase || k == KindPallet }

// WantsRelease reports whether event ev needs it released while it has no
// release of its own: shipping a registered or inspected item that
// NeedsRelease. A release of its lot that covers it (ReleaseCovers) then
// stands in for its own: see NextStatusCovered.
func WantsRelease(it Item, ev EventType) bool {
	switch it.Status {
	case "", StatusRegistered, StatusInspected:
		return ev == EventShipping && NeedsRelease(it.Industry, it.Kind)
	}
	return false
}

// NextStatusCovered is NextStatus for an item that a release of its lot
// covers (ReleaseCovers, and the lot is released): where ev needs the item
// released (WantsRelease) the covering release counts as its own, as it
// does at read time (PublicStatus). The result is the status NextStatus
// gives a released item; the covering release itself is never stored on
// the item.
func NextStatusCovered(it Item, recalled bool, ev EventType) (Status, error) {
	if WantsRelease(it, ev) {
		it.Status = StatusReleased
	}
	return NextStatus(it, recalled, ev)
}

// NextStatus applies event ev to an item and returns its new stored status.
// recalled is whether a recall applies to the item (its own or an
// ancestor's); recall is never stored on the item, so recalling leaves the
// stored status unchanged. Illegal transitions are CONFLICT:
//
//	registered → inspected → released → shipped → received → shipped …
//	any state  → decommissioned (terminal); recall applies from any state
//
// A recalled item may still be inspected, received back or decommissioned,
// but not released, shipped, packed or transformed. Events that do not
// change the status (process steps, packing, first scans) are accepted in
// every live state.
func NextStatus(it Item, recalled bool, ev EventType) (Status, error) {
	from := it.Status
	if from == "" {
		from = StatusRegistered
	}
	if ev == EventFirstScan || ev == EventRecalling {
		return from, nil // a decommissioned item can still be recalled
	}
	if from == StatusDecommissioned {
		return "", Errorf(CodeConflict, "%s is decommissioned: no %s", it.ID, ev)
	}
	switch ev {
	case EventDecommissioning:
		return StatusDecommissioned, nil
	}
	if recalled {
		switch ev {
		case EventInspecting, EventReceiving:
			return from, nil
		}
		return "", Errorf(CodeConflict, "%s is recalled: no %s", it.ID, ev)
	}
	switch ev {
	case EventCommissioning:
		if from == StatusRegistered {
			return from, nil
		}
	case EventInspecting:
		switch from {
		case StatusRegistered, StatusInspected:
			return StatusInspected, nil
		default: // re-inspection after release keeps the status
			return from, nil
		}
	case EventReleasing:
		if from == StatusRegistered || from == StatusInspected {
			return StatusReleased, nil
		}
	case EventShipping:
		switch from {
		case StatusReleased, StatusReceived:
			return StatusShipped, nil
		case StatusRegistered, StatusInspected:
			if !NeedsRelease(it.Industry, it.Kind) {
				return StatusShipped, nil
			}
			return "", Errorf(CodeConflict, "%s is %s: it must be released (its own release, or its lot's where that covers it) before shipping", it.ID, from)
		}
	case EventReceiving:
		if from == StatusShipped {
			return StatusReceived, nil
		}
	case EventProcessStep, EventPacking, EventUnpacking, EventTransforming:
		return from, nil
	}
	return "", Errorf(CodeConflict, "%s is %s: no %s", it.ID, from, ev)
}

// EffectiveStatus is the status a reader sees: recalled overrides every
// stored status but decommissioned.
func EffectiveStatus(s Status, recalled bool) Status {
	if recalled && s != StatusDecommissioned {
		return StatusRecalled
	}
	return s
}
