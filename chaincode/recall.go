package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// recalls resolves at read time which recall applies to an item, so a
// recall is never stale and needs no write on items under the owner's
// endorsement policy. A recall applies to an item when it is recorded for
//   - the item itself or any ancestor (parents, containers, inputs: units
//     of a recalled lot, batches made from a recalled material lot and
//     their units, everything packed in a recalled case), or
//   - for a case or pallet, anything it holds (a case holding units of a
//     recalled lot, the pallet holding that case).
//
// Records and items are read once per resolver (one per transaction).
type recalls struct {
	stub  shim.ChaincodeStubInterface
	items itemSource
	own   map[string]*domain.Recall // recall~id lookups, nil: none
	above map[string]*domain.Recall // resolved ancestor lookups
	cfg   *Config                   // read on first use
}

func newRecalls(stub shim.ChaincodeStubInterface, src itemSource) *recalls {
	return &recalls{stub: stub, items: cachedItems(src), own: map[string]*domain.Recall{}, above: map[string]*domain.Recall{}}
}

// of returns the recall that applies to it, or nil.
func (r *recalls) of(it domain.Item) (*domain.Recall, error) {
	rc, err := r.inherited(it.ID)
	if rc != nil || err != nil || !domain.HoldsGoods(it.Kind) {
		return rc, err
	}
	l := lineage{stub: r.stub, items: r.items, dir: down, depth: maxTraceDepth, limit: maxTraceLimit}
	_, err = l.walk(it.ID, func(n domain.TraceNode) (bool, error) {
		rc, err = r.inherited(n.ID)
		return rc != nil, err
	})
	return rc, err
}

// inherited is the recall of id or of its nearest ancestor (breadth first).
func (r *recalls) inherited(id string) (*domain.Recall, error) {
	if rc, ok := r.above[id]; ok {
		return rc, nil
	}
	r.above[id] = nil // in progress: a cycle through past containers ends here
	rc, err := r.record(id)
	if rc == nil && err == nil {
		rc, err = r.viaPast(id)
	}
	if rc == nil && err == nil {
		l := lineage{stub: r.stub, items: r.items, dir: up, depth: maxTraceDepth, limit: defaultTraceLimit}
		_, err = l.walk(id, func(n domain.TraceNode) (bool, error) {
			if a, ok := r.above[n.ID]; ok {
				rc = a
			} else if rc, err = r.record(n.ID); rc == nil && err == nil {
				rc, err = r.viaPast(n.ID)
			}
			return rc != nil, err
		})
	}
	if err != nil {
		return nil, err
	}
	r.above[id] = rc
	return rc, nil
}

// record reads the recall recorded for id itself.
func (r *recalls) record(id string) (*domain.Recall, error) {
	if rc, ok := r.own[id]; ok {
		return rc, nil
	}
	k, err := RecallKey(id)
	if err != nil {
		return nil, err
	}
	var rc domain.Recall
	found, err := getAnchored(r.stub, k, &rc, true, func() string { return rc.By })
	if err != nil {
		return nil, err
	}
	var out *domain.Recall
	if found {
		// anchored by the org it names, which must be the owner or a
		// regulator org
		ok, err := r.mayRecall(id, rc.By)
		if err != nil {
			return nil, err
		}
		if ok {
			out = &rc
		}
	}
	r.own[id] = out
	return out, nil
}

// recallOf returns the recall that applies to item, read from the ledger.
func recallOf(stub shim.ChaincodeStubInterface, item domain.Item) (*domain.Recall, error) {
	return newRecalls(stub, ledgerItems(stub)).of(item)
}

// mayRecall reports whether org may recall id: its owner or a regulator org.
func (r *recalls) mayRecall(id, org string) (bool, error) {
	if r.cfg == nil {
		cfg, err := loadConfigStub(r.stub)
		if err != nil {
			return false, err
		}
		r.cfg = &cfg
	}
	if r.cfg.IsRegulator(org) {
		return true, nil
	}
	it, err := r.items(id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return it.Owner == org, nil
}

// viaPast is the recall that reaches id through a container it has left: a
// recall of that container (or of what held it) recorded before id left.
func (r *recalls) viaPast(id string) (*domain.Recall, error) {
	it, err := r.items(id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, s := range it.PastContainers {
		rc, err := r.inherited(s.ID)
		if err != nil {
			return nil, err
		}
		if rc != nil && domain.CompareTimes(rc.At, s.Until) < 0 {
			return rc, nil
		}
	}
	return nil, nil
}
