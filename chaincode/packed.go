package chaincode

import (
	"bytes"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// Packed units (domain/packed.go): a lot registered with Units = n holds
// units "<lot>~1" … "<lot>~n" without a key each. A packed unit reads from
// its lot's record, which is anchored and protected by its owner like any
// item; the unit's own item key, once written (materialised), takes over.
//
// Trust: the unit's existence and content follow from the lot record, so
// a coalition without the owner can neither add units (the lot record and
// its anchor need the owner) nor remove them. A unit key planted by a
// coalition is unanchored and ignored (reads fall back to the lot); the
// owner's first write of a unit's own key gives it the owner's policy and
// the owner's existence anchor in the same transaction (writeItem), so the
// materialised record counts exactly like a registered one.

// loadPackedUnit reads the packed unit id from its lot's record; found is
// false when id names no packed unit of a registered lot.
func loadPackedUnit(stub shim.ChaincodeStubInterface, id string) (domain.Item, bool, error) {
	lotID, n, ok := domain.SplitPackedUnit(id)
	if !ok {
		return domain.Item{}, false, nil
	}
	lot, err := packedLot(stub, lotID)
	if err != nil || lot == nil || n > lot.Units {
		return domain.Item{}, false, err
	}
	return domain.PackedUnit(*lot, n), true, nil
}

// packedLot is the registered record of lotID (nil when absent), read once
// per invocation.
func packedLot(stub shim.ChaincodeStubInterface, lotID string) (*domain.Item, error) {
	ms, memo := stub.(*memoStub)
	if memo {
		if lot, ok := ms.lots[lotID]; ok {
			return lot, nil
		}
	}
	var lot *domain.Item
	if _, k, err := itemKeyOf(lotID); err == nil {
		var rec domain.Item
		found, err := loadItemRecord(stub, k, &rec)
		if err != nil {
			return nil, err
		}
		if found && rec.Units > 0 {
			lot = &rec
		}
	}
	if memo {
		ms.lots[lotID] = lot
	}
	return lot, nil
}

// writeItem writes an item record under its key k. The first write of a
// packed unit's own key also gives the key the owner's state-based policy
// and anchors its existence in the owner's collection (the anchor
// collection's policy needs the owner, so no coalition can do this).
//
// A unit's key is one nobody has written until then, so a coalition
// without the owner may have created it already (reads ignore it: it has
// no anchor). Without a state-based policy, or with the owner's, the
// owner's write takes it over. With a policy of the coalition's own the
// write could never be validated (the gateway would find no endorsers for
// it and the caller would be told to retry): it is refused here, with what
// happened (docs/threat-model.md, "What is not guaranteed").
//
// pc is the transaction's policy cache (nil: the invocation's), so that writing many
// units builds the owner's policy, and reads the configuration, once.
func writeItem(stub shim.ChaincodeStubInterface, pc policyCache, k string, it *domain.Item) error {
	packed := it.Packed
	if pc == nil {
		pc = invocationPolicies(stub)
	}
	if packed {
		if err := ownerCanTakeOver(stub, pc, k, it.Owner); err != nil {
			return err
		}
	}
	it.Packed = false
	if err := putJSON(stub, k, it); err != nil {
		return err
	}
	if !packed {
		return nil
	}
	if err := setKeyPolicy(stub, pc, k, classOwned, it.Owner); err != nil {
		return err
	}
	return anchorExists(stub, it.Owner, k)
}

// ownerCanTakeOver refuses (CONFLICT) the first write of a packed unit's
// key k when the key already carries a state-based policy other than the
// owner's: someone else created it with a policy of its own.
func ownerCanTakeOver(stub shim.ChaincodeStubInterface, pc policyCache, k, owner string) error {
	ep, err := stub.GetStateValidationParameter(k)
	if err != nil {
		return fmt.Errorf("get validation parameter: %w", err)
	}
	if len(ep) == 0 {
		return nil
	}
	want, err := policyFor(stub, pc, classOwned, owner)
	if err != nil || bytes.Equal(ep, want) {
		return err
	}
	id, _ := itemIDOfKey(stub, k)
	return domain.Errorf(domain.CodeConflict,
		"%s: its ledger key was created by other organisations with an endorsement policy of their own, so %s cannot record a change of this unit (the unit still reads from its lot)", id, owner)
}

// packedChildren lists the packed units of it (at most max), in order.
func packedChildren(it *domain.Item, max int) []domain.TraceNode {
	if it == nil || it.Packed || it.Units <= 0 {
		return nil
	}
	n := min(it.Units, max)
	out := make([]domain.TraceNode, n)
	for i := range n {
		out[i] = domain.TraceNode{ID: domain.PackedUnitID(it.ID, i+1), Via: viaChild}
	}
	return out
}

// invocationPolicies is the invocation's policy cache (memoStub), so that
// materialising many units (a lot's release) reads the org list once.
func invocationPolicies(stub shim.ChaincodeStubInterface) policyCache {
	if ms, ok := stub.(*memoStub); ok {
		return ms.policies
	}
	return policyCache{}
}
