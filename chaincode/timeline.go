package chaincode

import (
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// CBV dispositions of the derived quality events.
const (
	dispConformant    = "conformant"
	dispNonConformant = "non_conformant"
	dispRecalled      = "recalled"
)

// Bounds of an item's history.
const (
	maxInherited = 200 // events taken from relatives, newest kept
	maxTimeline  = 100 // entries of the public timeline (Verify), newest kept
)

// historyOf returns the public history of an item, oldest first, at most
// maxHistory events (newest kept): its recorded events (evt~ keys) merged
// with events derived at read time from the quality records — its
// inspections (insp~), its release (release~) and rc, the recall that
// applies to it (its own or an ancestor's/content's) — and with the events
// of its relatives it shows (inheritedEvents: its lot's making, its
// case's or pallet's moves), Via set. Ties in time keep a fixed order: the
// item's own events first, in key order, then its relatives', nearest
// first.
//
// Derived rather than written as evt~ keys: no extra key per inspection,
// release or recall (a kitchen lot release would write one per unit), and
// an inherited recall, release or shipment shows on every descendant
// without one key per descendant, units registered afterwards included.
func historyOf(stub shim.ChaincodeStubInterface, it domain.Item, rc *domain.Recall, rel related) ([]domain.Event, error) {
	evs, err := recordedAndQuality(stub, it)
	if err != nil {
		return nil, err
	}
	if rc != nil {
		evs = append(evs, derived(it.ID, domain.EventRecalling, dispRecalled, rc.By, rc.ByUser, "", rc.At, rc.TxID))
	}
	inh, err := inheritedEvents(stub, rel, evs)
	if err != nil {
		return nil, err
	}
	evs = append(evs, inh...)
	sortEvents(evs)
	return newest(evs, maxHistory), nil
}

// recordedAndQuality returns the recorded events of it followed by the
// events derived from its inspections and release.
func recordedAndQuality(stub shim.ChaincodeStubInterface, it domain.Item) ([]domain.Event, error) {
	evs, err := eventsOf(stub, it.ID)
	if err != nil {
		return nil, err
	}
	ins, err := inspectionsOf(stub, it.ID)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		disp := dispNonConformant
		if in.Passed {
			disp = dispConformant
		}
		evs = append(evs, derived(it.ID, domain.EventInspecting, disp, in.InspectorMSP, in.Inspector, domain.RoleInspector, in.At, in.TxID))
	}
	rel, err := releaseOf(stub, it.ID)
	if err != nil {
		return nil, err
	}
	if rel != nil {
		evs = append(evs, derived(it.ID, domain.EventReleasing, "", rel.By, rel.ByUser, domain.RoleQA, rel.At, rel.TxID))
	}
	return evs, nil
}

// sortEvents orders events by time, keeping the given order among equals.
func sortEvents(evs []domain.Event) {
	slices.SortStableFunc(evs, func(a, b domain.Event) int { return domain.CompareTimes(a.At, b.At) })
}

// newest returns the last n events of a sorted list.
func newest(evs []domain.Event, n int) []domain.Event {
	if len(evs) > n {
		return evs[len(evs)-n:]
	}
	return evs
}

func derived(id string, typ domain.EventType, disp, msp, actor, role, at, txID string) domain.Event {
	return domain.Event{EventInput: domain.EventInput{Type: typ, ID: id, Disposition: disp}, BizStep: domain.BizStep(typ),
		ActorMSP: msp, ActorID: actor, ActorRole: role, At: at, TxID: txID}
}
