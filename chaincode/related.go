package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// maxRelatives bounds the production lots and the holders an item's view
// reads (each).
const maxRelatives = 8

// related is what the public view of an item takes from the items above it
// at read time (domain/inherit.go): its production lots — the registered
// parent chain while it is a lot, batch or panel (unit→batch, board→panel)
// — and the cases/pallets holding it (container or case/pallet parent,
// transitively), each nearest first and at most maxRelatives.
type related struct {
	parents  []domain.Item
	covering *domain.Release // the release of parents[0] when it covers the item
	holders  []string
	custody  []domain.Custody // of the holders that have moved, holder order
}

func relatedOf(stub shim.ChaincodeStubInterface, it domain.Item) (related, error) {
	var r related
	for cur := it; cur.Parent != "" && len(r.parents) < maxRelatives; {
		p, _, err := loadItem(stub, cur.Parent)
		if domain.CodeOf(err) == domain.CodeNotFound {
			break
		}
		if err != nil {
			return r, err
		}
		if !domain.ProductionLot(p.Kind) {
			break
		}
		r.parents = append(r.parents, p)
		cur = p
	}
	if len(r.parents) > 0 {
		lotRelease := func(id string) (*domain.Release, error) { return releaseOf(stub, id) }
		var err error
		if r.covering, err = coveringRelease(stub, r.parents[0], it, lotRelease); err != nil {
			return r, err
		}
	}
	items := cachedItems(ledgerItems(stub))
	l := lineage{stub: stub, items: items, dir: holders, depth: maxRelatives, limit: maxRelatives}
	ids, _, err := l.ids(it.ID)
	if err != nil {
		return r, err
	}
	r.holders = ids
	for _, id := range ids {
		h, err := items(id)
		if err != nil {
			return r, err
		}
		cu, found, err := loadCustody(stub, id, h.Owner)
		if err != nil {
			return r, err
		}
		if found {
			r.custody = append(r.custody, cu)
		}
	}
	return r, nil
}

// coveringRelease returns the release of parent, the registered lot of it,
// when it counts as the release of it (domain.ReleaseCovers), else nil.
// lotRelease reads a lot's release record; the inspections of it are read
// only when the lot has one. Point reads and one bounded range that is not
// paginated: Verify and the recorder's shipping (a submit) share it.
func coveringRelease(stub shim.ChaincodeStubInterface, parent, it domain.Item, lotRelease func(id string) (*domain.Release, error)) (*domain.Release, error) {
	if !domain.ReleaseCovers(parent, it, nil) {
		return nil, nil
	}
	rel, err := lotRelease(parent.ID)
	if rel == nil || err != nil {
		return nil, err
	}
	ins, err := inspectionsOf(stub, it.ID)
	if err != nil || !domain.ReleaseCovers(parent, it, ins) {
		return nil, err
	}
	return rel, nil
}

// releaseFor returns the release that applies to it: its own, else that of
// its lot when the lot's release covers it (domain.ReleaseCovers), or nil.
func releaseFor(stub shim.ChaincodeStubInterface, it domain.Item, rel related) (*domain.Release, error) {
	own, err := releaseOf(stub, it.ID)
	if own != nil || err != nil {
		return own, err
	}
	return rel.covering, nil
}

// inheritedEvents returns the events of an item's relatives that its
// history shows (domain.InheritedEvent; a lot's release only where it
// covers the item), oldest first, the newest maxInherited, each with Via
// set. An event of a transaction and type already shown (in shown,
// the item's own, or taken from a nearer relative) is left out:
// a lot release that also released the unit, a case shipped with its
// contents in one transaction.
func inheritedEvents(stub shim.ChaincodeStubInterface, rel related, shown []domain.Event) ([]domain.Event, error) {
	seen := map[string]bool{}
	for _, e := range shown {
		seen[string(e.Type)+"\x00"+e.TxID] = true
	}
	var out []domain.Event
	take := func(id, via string, evs []domain.Event) {
		n := len(out)
		for _, e := range evs {
			if e.ID != id || !domain.InheritedEvent(via, e.Type) || seen[string(e.Type)+"\x00"+e.TxID] {
				continue
			}
			if e.Type == domain.EventReleasing && (rel.covering == nil || rel.covering.ID != id) {
				continue
			}
			e.Via = via
			out = append(out, e)
		}
		for _, e := range out[n:] { // several of one relative's events may share a transaction
			seen[string(e.Type)+"\x00"+e.TxID] = true
		}
	}
	for _, p := range rel.parents {
		evs, err := recordedAndQuality(stub, p)
		if err != nil {
			return nil, err
		}
		take(p.ID, domain.ViaParent, evs)
	}
	for _, h := range rel.holders {
		evs, err := eventsOf(stub, h)
		if err != nil {
			return nil, err
		}
		take(h, domain.ViaContainer, evs)
	}
	sortEvents(out)
	return newest(out, maxInherited), nil
}

// shownBelow reports whether an event of type t recorded for an item of
// kind k shows in the views of the items below it (what a case holds, what
// was made in a lot), so that the transaction's chaincode event lists them.
func shownBelow(k domain.Kind, t domain.EventType) bool {
	return domain.HoldsGoods(k) && domain.InheritedEvent(domain.ViaContainer, t) ||
		domain.ProductionLot(k) && domain.InheritedEvent(domain.ViaParent, t)
}

// dependents lists at most room items below id (forward lineage: its
// contents, or what was made in or from it): the items whose views show
// id's events or release, for the transaction's chaincode event. Views
// beyond room refresh when the API cache's entries expire.
func dependents(stub shim.ChaincodeStubInterface, src itemSource, id string, room int) ([]string, error) {
	if room <= 0 {
		return nil, nil
	}
	l := lineage{stub: stub, items: cachedItems(src), dir: down, depth: maxTraceDepth, limit: room}
	ids, _, err := l.ids(id)
	return ids, err
}
