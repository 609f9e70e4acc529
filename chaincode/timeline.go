package chaincode

import (
	"slices"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// CBV dispositions of the derived quality events.
const (
	dispConformant    = "conformant"
	dispNonConformant = "non_conformant"
	dispRecalled      = "recalled"
)

// historyOf returns the public history of an item, oldest first: its
// recorded events (evt~ keys) merged with events derived at read time from
// the quality records — its inspections (insp~), its release (release~) and
// rc, the recall that applies to it (its own or an ancestor's/content's).
//
// Derived rather than written as evt~ keys: no extra key per inspection,
// release or recall (a kitchen lot release would write one per unit), and
// an inherited recall shows on every descendant without one key per
// descendant, units registered after the recall included.
func historyOf(stub shim.ChaincodeStubInterface, it domain.Item, rc *domain.Recall) ([]domain.Event, error) {
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
	if rc != nil {
		evs = append(evs, derived(it.ID, domain.EventRecalling, dispRecalled, rc.By, rc.ByUser, "", rc.At, rc.TxID))
	}
	slices.SortStableFunc(evs, func(a, b domain.Event) int { return timeOf(a.At).Compare(timeOf(b.At)) })
	return evs, nil
}

func derived(id string, typ domain.EventType, disp, msp, actor, role, at, txID string) domain.Event {
	return domain.Event{EventInput: domain.EventInput{Type: typ, ID: id, Disposition: disp}, BizStep: domain.BizStep(typ),
		ActorMSP: msp, ActorID: actor, ActorRole: role, At: at, TxID: txID}
}

// timeOf parses a record time (RFC 3339); unparsable times sort first.
func timeOf(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
