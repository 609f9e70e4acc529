package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// maxCycleWalk bounds the ancestor walk that keeps packing acyclic.
const maxCycleWalk = 64

// recordEvents records a batch of provenance events (operator or admin);
// each gets its own outcome (recorded, or rejected with an error). Items
// and custody records touched by several events are read once and written
// once, at the end.
func (c *TraceContract) recordEvents(ctx ctxI, eventsJSON string) (*domain.BatchResult, error) {
	who, err := requireRole(ctx, domain.Writers("trace:RecordEvents")...)
	if err != nil {
		return nil, err
	}
	inputs, err := decodeBatch[domain.EventInput]("events", eventsJSON)
	if err != nil {
		return nil, err
	}
	r, err := newRecorder(ctx.GetStub(), who)
	if err != nil {
		return nil, err
	}
	res := &domain.BatchResult{Results: make([]domain.ItemResult, len(inputs)), TxID: r.stub.GetTxID()}
	for i, in := range inputs {
		res.Results[i] = domain.ItemResult{ID: in.ID, Status: domain.ResultRecorded}
		norm, err := in.Normalize()
		if err == nil {
			res.Results[i].ID = norm.ID
			err = r.apply(i, norm)
		}
		if err != nil {
			if domain.CodeOf(err) == domain.CodeInternal {
				return nil, err
			}
			res.Results[i].Status, res.Results[i].Error = domain.ResultRejected, asDomainError(err)
		}
	}
	if err := r.flush(); err != nil {
		return nil, err
	}
	return res, emit(ctx, EvEventsRecorded, r.changed.IDs()...)
}

// recorder is the state of one RecordEvents transaction.
type recorder struct {
	stub      shim.ChaincodeStubInterface
	who       Caller
	at, keyTS string
	items     map[string]*domain.Item // nil: absent
	custody   map[string]*domain.Custody
	firstMove map[string]bool // ids without a custody record before this transaction
	dirty     []string        // item ids to write, first-touched order
	dirtyCust []string
	marked    map[string]bool
	policy    policyCache
	changed   IDSet
	recalls   *recalls                   // read-time recall resolution, made on first use
	releases  map[string]*domain.Release // lot releases read (nil: none)
}

func newRecorder(stub shim.ChaincodeStubInterface, who Caller) (*recorder, error) {
	at, keyTS, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	return &recorder{stub: stub, who: who, at: at, keyTS: keyTS, items: map[string]*domain.Item{},
		custody: map[string]*domain.Custody{}, firstMove: map[string]bool{}, marked: map[string]bool{}, policy: policyCache{},
		releases: map[string]*domain.Release{}}, nil
}

// item returns the (possibly already modified) item, NOT_FOUND when absent.
func (r *recorder) item(id string) (*domain.Item, error) {
	it, ok := r.items[id]
	if !ok {
		rec, _, err := loadItem(r.stub, id)
		switch {
		case err == nil:
			it = &rec
		case domain.CodeOf(err) != domain.CodeNotFound:
			return nil, err
		}
		r.items[id] = it
	}
	if it == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "%s is not registered", id)
	}
	return it, nil
}

// custodyOf returns the custody record of id, or nil before it first ships.
func (r *recorder) custodyOf(id string) (*domain.Custody, error) {
	cu, ok := r.custody[id]
	if !ok {
		it, err := r.item(id)
		if err != nil {
			return nil, err
		}
		rec, found, err := loadCustody(r.stub, id, it.Owner)
		if err != nil {
			return nil, err
		}
		if found {
			cu = &rec
		}
		r.custody[id], r.firstMove[id] = cu, !found
	}
	return cu, nil
}

// view is the item as readers see it (custody applied).
func (r *recorder) view(it *domain.Item) (domain.Item, *domain.Custody, error) {
	v := *it
	cu, err := r.custodyOf(it.ID)
	if err != nil {
		return v, nil, err
	}
	if cu != nil {
		applyCustody(&v, *cu)
	}
	return v, cu, nil
}

func (r *recorder) touch(it *domain.Item) {
	it.UpdatedAt = r.at
	if !r.marked["i"+it.ID] {
		r.marked["i"+it.ID] = true
		r.dirty = append(r.dirty, it.ID)
	}
}

func (r *recorder) setCustody(cu *domain.Custody) {
	r.custody[cu.ID] = cu
	if !r.marked["c"+cu.ID] {
		r.marked["c"+cu.ID] = true
		r.dirtyCust = append(r.dirtyCust, cu.ID)
	}
}

// flush writes every modified item and custody record once.
func (r *recorder) flush() error {
	for _, id := range r.dirty {
		_, k, err := itemKeyOf(id)
		if err != nil {
			return err
		}
		if err := writeItem(r.stub, r.policy, k, r.items[id]); err != nil {
			return err
		}
	}
	for _, id := range r.dirtyCust {
		cu := r.custody[id]
		k, err := CustodyKey(id)
		if err != nil {
			return err
		}
		if err := putJSON(r.stub, k, cu); err != nil {
			return err
		}
		if r.firstMove[id] {
			// the first move: its owner anchors the record
			it, err := r.item(id)
			if err != nil {
				return err
			}
			if err := anchorExists(r.stub, it.Owner, k); err != nil {
				return err
			}
		}
		// The next holder alone may change custody: the destination while
		// shipped, the custodian once received.
		next := cu.Custodian
		if cu.Status == domain.StatusShipped {
			next = cu.Destination
		}
		if err := setKeyPolicy(r.stub, r.policy, k, classOwned, next); err != nil {
			return err
		}
	}
	return nil
}

// putEvent writes one event record under subject.
func (r *recorder) putEvent(seq int, subject string, ev domain.Event) error {
	k, err := EventKey(subject, r.keyTS, r.stub.GetTxID(), seq)
	if err != nil {
		return err
	}
	return putJSON(r.stub, k, ev)
}

func (r *recorder) event(in domain.EventInput) domain.Event {
	if in.Disposition == "" {
		in.Disposition = domain.DefaultDisposition(in.Type)
	}
	return domain.Event{EventInput: in, BizStep: domain.BizStep(in.Type), ActorMSP: r.who.MSP,
		ActorID: r.who.ID, ActorRole: r.who.Role, At: r.at, TxID: r.stub.GetTxID()}
}

// lineageChanged adds id and every item affected by a change of its
// lineage (its descendants and the cases/pallets holding any of them, as
// this transaction leaves them) to the event's ids.
func (r *recorder) lineageChanged(id string) error {
	r.changed.Add(id)
	desc, _, err := descendants(r.stub, r.item, id, maxEventIDs)
	if err != nil {
		return err
	}
	r.changed.Add(desc...)
	return nil
}

// dependentsChanged adds the items whose views show id's event (its
// contents, what was made in it) as far as the event's id limit allows.
func (r *recorder) dependentsChanged(id string) error {
	ids, err := dependents(r.stub, r.item, id, maxEventIDs-r.changed.Len())
	r.changed.Add(ids...)
	return err
}

// holdersChanged adds id and the cases/pallets holding it: what they hold
// changed.
func (r *recorder) holdersChanged(id string) error {
	r.changed.Add(id)
	l := lineage{stub: r.stub, items: r.item, dir: holders, depth: maxTraceDepth, limit: maxCycleWalk}
	ids, _, err := l.ids(id)
	r.changed.Add(ids...)
	return err
}

// notAncestor refuses to pack child into container when child is above it
// (through parents, containers or inputs).
func (r *recorder) notAncestor(child, container string) error {
	l := lineage{stub: r.stub, items: r.item, dir: up, depth: maxCycleWalk, limit: maxCycleWalk}
	cycle := false
	truncated, err := l.walk(container, func(n domain.TraceNode) (bool, error) {
		cycle = n.ID == child
		return cycle, nil
	})
	switch {
	case err != nil:
		return err
	case cycle:
		return domain.Errorf(domain.CodeInvalid, "packing %s into %s would make a cycle", child, container)
	case truncated:
		return domain.Errorf(domain.CodeInvalid, "more than %d items above %s", maxCycleWalk, container)
	}
	return nil
}

// recall returns the recall that applies to it as this transaction sees it.
func (r *recorder) recall(it domain.Item) (*domain.Recall, error) {
	if r.recalls == nil {
		r.recalls = newRecalls(r.stub, r.item)
	}
	return r.recalls.of(it)
}

// covered reports whether the release of its registered lot counts as the
// release of it (domain.ReleaseCovers), as Verify reads it. The lot's
// release is read once per transaction.
func (r *recorder) covered(it domain.Item) (bool, error) {
	if it.Parent == "" {
		return false, nil
	}
	p, err := r.item(it.Parent)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rel, err := coveringRelease(r.stub, *p, it, r.lotRelease)
	return rel != nil, err
}

func (r *recorder) lotRelease(id string) (*domain.Release, error) {
	rel, ok := r.releases[id]
	if !ok {
		var err error
		if rel, err = releaseOf(r.stub, id); err != nil {
			return nil, err
		}
		r.releases[id] = rel
	}
	return rel, nil
}
