package chaincode

import (
	"slices"

	"github.com/idchain/idchain/domain"
)

// apply checks one event against the ledger and the caller, then records
// it. Every check comes before the first change, so a rejected event leaves
// no trace in the transaction.
func (r *recorder) apply(seq int, in domain.EventInput) error {
	it, err := r.item(in.ID)
	if err != nil {
		return err
	}
	v, cu, err := r.view(it)
	if err != nil {
		return err
	}
	if err := r.authorise(in, v, cu); err != nil {
		return err
	}
	recalled := false
	switch in.Type {
	case domain.EventShipping, domain.EventPacking, domain.EventTransforming:
		rc, err := r.recall(v)
		if err != nil {
			return err
		}
		recalled = rc != nil
	}
	step := domain.NextStatus
	if domain.WantsRelease(v, in.Type) {
		covered, err := r.covered(v)
		if err != nil {
			return err
		}
		if covered { // its lot's release counts as its own, as in Verify
			step = domain.NextStatusCovered
		}
	}
	next, err := step(v, recalled, in.Type)
	if err != nil {
		return err
	}
	switch in.Type {
	case domain.EventProcessStep:
		err = domain.CheckStep(it.Industry, in.Step)
	case domain.EventPacking:
		err = r.pack(seq, in)
	case domain.EventUnpacking:
		err = r.unpack(seq, in)
	case domain.EventTransforming:
		err = r.transform(seq, in, it)
	}
	if err != nil {
		return err
	}
	r.setStatus(in, it, v, cu, next)
	r.changed.Add(in.ID)
	if in.Type != domain.EventTransforming && shownBelow(it.Kind, in.Type) { // transforming: lineageChanged
		if err := r.dependentsChanged(in.ID); err != nil {
			return err
		}
	}
	return r.putEvent(seq, in.ID, r.event(in))
}

// authorise applies the who-may rules of each event type. Owner and
// holder are both an org AND an enterprise (caller.go): before its first
// shipping the owner holds an item; after, its custody record names the
// custodian org and enterprise, and while shipped the destination org and,
// when named, enterprise that alone may receive it.
func (r *recorder) authorise(in domain.EventInput, v domain.Item, cu *domain.Custody) error {
	me := r.who.MSP
	what := "record " + string(in.Type) + " for " + v.ID
	owner := requireOwner(r.who, v.Owner, v.ID, "record "+string(in.Type)+" for")
	holder := func() error {
		if cu == nil {
			return owner
		}
		return requireHolder(r.who, cu.Custodian, cu.CustodianEnterprise, what)
	}
	var err error
	switch in.Type {
	case domain.EventCommissioning, domain.EventPacking, domain.EventUnpacking, domain.EventTransforming:
		err = owner
	case domain.EventProcessStep, domain.EventDecommissioning:
		if err = owner; err != nil && cu != nil {
			err = holder()
		}
	case domain.EventShipping:
		if cu != nil && cu.Status == domain.StatusShipped {
			return domain.Errorf(domain.CodeForbidden, "%s may not %s: it is in transit to %s", actorName(me, r.who.Enterprise), what, actorName(cu.Destination, cu.DestinationEnterprise))
		}
		if err = holder(); err != nil {
			return err
		}
		if in.Destination == me && (in.DestinationEnterprise == "" || in.DestinationEnterprise == r.who.Enterprise) {
			return domain.Errorf(domain.CodeInvalid, "%s: shipping to oneself (within an org, name another enterprise as destinationEnterprise)", in.ID)
		}
		return requireDestination(r.stub, in.Destination, in.DestinationEnterprise)
	case domain.EventReceiving:
		if cu == nil || cu.Status != domain.StatusShipped {
			return domain.Errorf(domain.CodeForbidden, "%s may not %s: it is not in transit", actorName(me, r.who.Enterprise), what)
		}
		err = requireRecipient(r.who, cu.Destination, cu.DestinationEnterprise, "receive "+v.ID)
	default:
		err = domain.Errorf(domain.CodeForbidden, "%s may not %s", me, what)
	}
	return err
}

// setStatus stores the new status where the caller may write it: custody
// moves live in the custody record, everything else on the item. The
// custody record names the org and the enterprise of the caller.
func (r *recorder) setStatus(in domain.EventInput, it *domain.Item, v domain.Item, cu *domain.Custody, next domain.Status) {
	switch in.Type {
	case domain.EventShipping:
		r.setCustody(&domain.Custody{ID: it.ID, Custodian: r.who.MSP, CustodianEnterprise: r.who.Enterprise,
			Status: domain.StatusShipped, Destination: in.Destination, DestinationEnterprise: in.DestinationEnterprise,
			Region: in.Region, At: r.at, TxID: r.stub.GetTxID()})
	case domain.EventReceiving:
		r.setCustody(&domain.Custody{ID: it.ID, Custodian: r.who.MSP, CustodianEnterprise: r.who.Enterprise,
			Status: domain.StatusReceived, Region: cu.Region, At: r.at, TxID: r.stub.GetTxID()})
	default:
		if next == v.Status {
			return
		}
		// a holder who is not the owner (another org, or another
		// enterprise of the owner's org) writes the custody record only
		if cu != nil && requireOwner(r.who, it.Owner, it.ID, "record for") != nil {
			c := *cu
			c.Status, c.At, c.TxID = next, r.at, r.stub.GetTxID()
			r.setCustody(&c)
			return
		}
		it.Status = next
		r.touch(it)
	}
}

// pack puts children under in.ID (children the caller owns, not yet in
// another parent).
func (r *recorder) pack(seq int, in domain.EventInput) error {
	kids := make([]*domain.Item, len(in.Children))
	for i, id := range in.Children {
		c, err := r.item(id)
		if err != nil {
			return err
		}
		if c.Owner != r.who.MSP {
			return domain.Errorf(domain.CodeForbidden, "child %s belongs to %s", id, c.Owner)
		}
		if err := requireOwner(r.who, c.Owner, c.ID, "pack"); err != nil {
			return err
		}
		if c.Container != "" && c.Container != in.ID {
			return domain.Errorf(domain.CodeConflict, "%s is packed in %s: unpack it first", id, c.Container)
		}
		if err := r.notAncestor(id, in.ID); err != nil {
			return err
		}
		if err := r.notRecalled(c); err != nil {
			return err
		}
		kids[i] = c
	}
	return r.relink(seq, in, kids, in.ID)
}

// notRecalled refuses to pack or transform an item a recall applies to.
func (r *recorder) notRecalled(it *domain.Item) error {
	rc, err := r.recall(*it)
	if err != nil || rc == nil {
		return err
	}
	return domain.Errorf(domain.CodeConflict, "%s is recalled (recall of %s at %s)", it.ID, rc.ID, rc.At)
}

// unpack takes children out of in.ID.
func (r *recorder) unpack(seq int, in domain.EventInput) error {
	kids := make([]*domain.Item, len(in.Children))
	for i, id := range in.Children {
		c, err := r.item(id)
		if err != nil {
			return err
		}
		if c.Container != in.ID {
			return domain.Errorf(domain.CodeConflict, "%s is not packed in %s", id, in.ID)
		}
		kids[i] = c
	}
	return r.relink(seq, in, kids, "")
}

// relink sets the container of kids (packing: in.ID; unpacking: none),
// keeps the forward keys in step and records the event under each child.
func (r *recorder) relink(seq int, in domain.EventInput, kids []*domain.Item, container string) error {
	for _, c := range kids {
		k, err := RelKey(in.ID, c.ID)
		if err != nil {
			return err
		}
		switch {
		case container != "":
			err = r.stub.PutState(k, marker)
		case c.Parent != in.ID: // the key also stands for the registered parent
			err = r.stub.DelState(k)
		}
		if err != nil {
			return err
		}
		if c.Container != "" && c.Container != container {
			// historical containment: a recall of the container recorded
			// before now still reaches c (recalls.viaPast)
			c.PastContainers = append(c.PastContainers, domain.Stay{ID: c.Container, Until: r.at})
		}
		c.Container = container
		r.touch(c)
		child := r.event(in)
		child.Children = []string{c.ID}
		if err := r.putEvent(seq, c.ID, child); err != nil {
			return err
		}
		if err := r.lineageChanged(c.ID); err != nil {
			return err
		}
	}
	return r.holdersChanged(in.ID)
}

// transform adds inputs to the output item in.ID.
func (r *recorder) transform(seq int, in domain.EventInput, out *domain.Item) error {
	var added []domain.Input
	for _, x := range in.Inputs {
		it, err := r.item(x.ID)
		if err != nil {
			return err
		}
		if err := r.notRecalled(it); err != nil {
			return err
		}
		if !slices.ContainsFunc(out.Inputs, func(y domain.Input) bool { return y.ID == x.ID }) {
			added = append(added, x)
		}
	}
	for _, x := range added {
		if err := putRel(r.stub, objRelIn, x.ID, out.ID); err != nil {
			return err
		}
		ev := r.event(in)
		ev.Inputs = []domain.Input{x}
		if err := r.putEvent(seq, x.ID, ev); err != nil {
			return err
		}
		r.changed.Add(x.ID)
	}
	if len(added) > 0 {
		out.Inputs = append(slices.Clone(out.Inputs), added...)
		r.touch(out)
	}
	return r.lineageChanged(out.ID)
}
