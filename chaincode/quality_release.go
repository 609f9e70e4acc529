package chaincode

import (
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// release releases an item after the release gate: the latest inspection
// under the plan in force passed every required item — the item's own
// inspection, or for a kitchen/bath lot every unit child's. A lot release
// also releases its units. Refused with RELEASE_BLOCKED naming failed and
// missing items; CONFLICT when the item is recalled or not releasable.
func (c *QualityContract) release(ctx contractapi.TransactionContextInterface, id string) (*domain.Release, error) {
	caller, err := requireRole(ctx, domain.Writers("quality:Release")...)
	if err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	item, itemKey, err := loadOwnedItem(stub, caller, id, "release")
	if err != nil {
		return nil, err
	}
	recalls := newRecalls(stub, ledgerItems(stub))
	rc, err := recalls.of(item)
	if err != nil {
		return nil, err
	}
	if _, err := domain.NextStatus(item, rc != nil, domain.EventReleasing); err != nil {
		return nil, err
	}
	type target struct {
		item domain.Item
		key  string
	}
	targets := []target{{item, itemKey}}
	gate := newGate(stub)
	if domain.ReleaseRuleFor(item.Industry, item.Kind) == domain.ReleaseEveryUnit {
		units, keys, err := liveUnits(stub, recalls, item.ID)
		if err != nil {
			return nil, err
		}
		if len(units) == 0 {
			return nil, domain.Errorf(domain.CodeReleaseBlocked, "%s: lot has no units to release (recalled and decommissioned units do not count); every unit must pass its inspection", item.ID)
		}
		var blocks []domain.GateBlock
		for i, u := range units {
			b, err := gate.check(u)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, b)
			targets = append(targets, target{u, keys[i]})
		}
		if err := domain.ReleaseBlocked(blocks); err != nil {
			return nil, err
		}
	} else {
		b, err := gate.check(item)
		if err != nil {
			return nil, err
		}
		if err := domain.ReleaseBlocked([]domain.GateBlock{b}); err != nil {
			return nil, err
		}
	}

	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	var affected IDSet
	for _, t := range targets {
		next, err := domain.NextStatus(t.item, false, domain.EventReleasing)
		if err != nil {
			if t.item.ID != item.ID && t.item.Status == domain.StatusReleased {
				continue // a unit released on its own earlier
			}
			return nil, err
		}
		rel := domain.Release{ID: t.item.ID, At: at, By: caller.MSP, ByUser: caller.User, TxID: stub.GetTxID()}
		rk, err := ReleaseKey(t.item.ID)
		if err != nil {
			return nil, err
		}
		if err := putRecord(stub, gate.policies, rk, rel, classAppend, "", item.Owner); err != nil {
			return nil, err
		}
		t.item.Status, t.item.UpdatedAt = next, at
		if err := writeItem(stub, gate.policies, t.key, &t.item); err != nil {
			return nil, err
		}
		affected.Add(t.item.ID)
	}
	if domain.ReleaseRuleFor(item.Industry, item.Kind) == domain.ReleaseOwn && shownBelow(item.Kind, domain.EventReleasing) {
		// The release covers its units (domain.ReleaseCovers): their views show it.
		ids, err := dependents(stub, ledgerItems(stub), item.ID, maxEventIDs-affected.Len())
		if err != nil {
			return nil, err
		}
		affected.Add(ids...)
	}
	out := domain.Release{ID: item.ID, At: at, By: caller.MSP, ByUser: caller.User, TxID: stub.GetTxID()}
	return &out, emit(ctx, EvItemReleased, affected.IDs()...)
}

// gate applies the release check to items, caching plans by owner org,
// owning enterprise and model.
type gate struct {
	stub     shim.ChaincodeStubInterface
	plans    map[string]*domain.Plan // nil entry: no plan
	ents     entCache
	policies policyCache
}

func newGate(stub shim.ChaincodeStubInterface) *gate {
	return &gate{stub: stub, plans: map[string]*domain.Plan{}, ents: entCache{}, policies: policyCache{}}
}

func (g *gate) check(it domain.Item) (domain.GateBlock, error) {
	ent, err := enterpriseOfID(g.stub, g.ents, it.ID)
	if err != nil {
		return domain.GateBlock{}, err
	}
	pk := it.Owner + "\x00" + ent + "\x00" + it.Model
	p, ok := g.plans[pk]
	if !ok {
		if plan, err := loadPlan(g.stub, it.Owner, ent, it.Model); err == nil {
			p = &plan
		}
		g.plans[pk] = p
	}
	if p == nil {
		return domain.GateBlock{ID: it.ID, Reason: "no inspection plan for model " + it.Model}, nil
	}
	ins, err := inspectionsOf(g.stub, it.ID)
	if err != nil {
		return domain.GateBlock{}, err
	}
	return domain.ReleaseCheck(it.ID, *p, ins), nil
}

// liveUnits returns the unit children of a lot that a release concerns, in
// key order: units recalled on their own (or through a case holding them)
// and decommissioned units are neither gated nor released.
func liveUnits(stub shim.ChaincodeStubInterface, recalls *recalls, lot string) ([]domain.Item, []string, error) {
	units, keys, err := unitChildren(stub, lot)
	if err != nil {
		return nil, nil, err
	}
	var live []domain.Item
	var liveKeys []string
	for i, u := range units {
		if u.Status == domain.StatusDecommissioned {
			continue
		}
		rc, err := recalls.of(u)
		if err != nil {
			return nil, nil, err
		}
		if rc == nil {
			live, liveKeys = append(live, u), append(liveKeys, keys[i])
		}
	}
	return live, liveKeys, nil
}

// unitChildren returns the aggregation children of kind unit, in key order.
func unitChildren(stub shim.ChaincodeStubInterface, parent string) ([]domain.Item, []string, error) {
	var units []domain.Item
	var keys []string
	err := scanAll(stub, objRel, []string{parent}, func(k string, _ []byte) error {
		child, err := lastAttr(stub, k)
		if err != nil {
			return err
		}
		it, ik, err := loadItem(stub, child)
		if err != nil {
			return err
		}
		if it.Kind == domain.KindUnit {
			units = append(units, it)
			keys = append(keys, ik)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// then its packed units, each from its own key once written
	lot, err := packedLot(stub, parent)
	if err != nil || lot == nil {
		return units, keys, err
	}
	if len(units)+lot.Units > maxScan {
		return nil, nil, domain.Errorf(domain.CodeInvalid, "%s holds more than %d units; release them in smaller lots", parent, maxScan)
	}
	for n := 1; n <= lot.Units; n++ {
		it, ik, err := loadItem(stub, domain.PackedUnitID(parent, n))
		if err != nil {
			return nil, nil, err
		}
		units, keys = append(units, it), append(keys, ik)
	}
	return units, keys, nil
}

// recall records a recall of an item by the owner's qa or any regulator.
// The recall key carries no state-based policy, so the chaincode-level
// (majority) policy endorses it: an owner cannot block or undo a
// regulator's recall. Descendants read as recalled from this commit on
// (resolved at read time); the event lists every one of them.
func (c *QualityContract) recall(ctx contractapi.TransactionContextInterface, id, reason string) (*domain.Recall, error) {
	caller, err := requireRole(ctx, domain.Writers("quality:Recall")...)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > domain.MaxTextLen {
		return nil, domain.Errorf(domain.CodeInvalid, "a recall needs a reason of 1-%d bytes", domain.MaxTextLen)
	}
	stub := ctxStub(ctx)
	item, _, err := loadItem(stub, id)
	if err != nil {
		return nil, err
	}
	switch caller.Role {
	case domain.RoleQA:
		if err := requireOwner(caller, item.Owner, item.ID, "recall"); err != nil {
			return nil, err
		}
	case domain.RoleRegulator:
		cfg, err := loadConfig(ctx)
		if err != nil {
			return nil, err
		}
		if !isRegulator(caller, cfg) {
			return nil, domain.Errorf(domain.CodeForbidden, "%s is not a regulator org", caller.MSP)
		}
	}
	k, err := RecallKey(item.ID)
	if err != nil {
		return nil, err
	}
	var prev domain.Recall
	if ok, err := getJSON(stub, k, &prev); err != nil {
		return nil, err
	} else if ok {
		return nil, domain.Errorf(domain.CodeConflict, "%s was already recalled at %s by %s", item.ID, prev.At, prev.By)
	}
	if _, err := domain.NextStatus(item, false, domain.EventRecalling); err != nil {
		return nil, err
	}
	// No ceiling on the recall itself (it is resolved at read time): the
	// event lists the first descendants and says when there are more.
	desc, truncated, err := descendants(stub, ledgerItems(stub), item.ID, maxEventIDs-1)
	if err != nil {
		return nil, err
	}
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	r := domain.Recall{ID: item.ID, Reason: reason, At: at, By: caller.MSP, ByUser: caller.User, TxID: stub.GetTxID()}
	if err := putRecord(stub, nil, k, r, classAppend, "", caller.MSP); err != nil {
		return nil, err
	}
	return &r, emitPartial(ctx, EvItemRecalled, truncated, append([]string{item.ID}, desc...)...)
}
