package chaincode

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// Read helpers of the quality and sharing contracts. Range reads here are
// not paginated (Fabric refuses paginated queries in transactions that
// write) and stop after maxScan entries.

// loadItem reads the item record of id (NOT_FOUND when absent) and returns
// it with its key. The id is parsed and normalised first.
func loadItem(stub shim.ChaincodeStubInterface, id string) (domain.Item, string, error) {
	p, k, err := itemKeyOf(id)
	if err != nil {
		return domain.Item{}, "", err
	}
	var it domain.Item
	ok, err := getJSON(stub, k, &it)
	if err != nil {
		return it, k, err
	}
	if !ok {
		return it, k, domain.Errorf(domain.CodeNotFound, "%s is not registered", p)
	}
	return it, k, nil
}

// scanAll calls fn for each entry of a partial composite key range, at most
// maxScan entries (INVALID beyond that, so the result is never silently cut).
func scanAll(stub shim.ChaincodeStubInterface, objectType string, attrs []string, fn func(key string, value []byte) error) error {
	it, err := stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return fmt.Errorf("range %s: %w", objectType, err)
	}
	defer it.Close()
	for n := 0; it.HasNext(); n++ {
		if n == maxScan {
			return domain.Errorf(domain.CodeInvalid, "more than %d %s records", maxScan, objectType)
		}
		kv, err := it.Next()
		if err != nil {
			return fmt.Errorf("range %s: %w", objectType, err)
		}
		if err := fn(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// childrenOf lists the forward neighbours of id: aggregation children
// (rel) then transformation outputs (relin), each in key order.
func childrenOf(stub shim.ChaincodeStubInterface, id string) ([]string, error) {
	var out []string
	for _, obj := range []string{objRel, objRelIn} {
		err := scanAll(stub, obj, []string{id}, func(k string, _ []byte) error {
			c, err := lastAttr(stub, k)
			if err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// descendants walks the forward trace of id breadth-first and returns every
// descendant once, in visiting order, at most limit of them (truncated
// reports a cut).
func descendants(stub shim.ChaincodeStubInterface, id string, limit int) (out []string, truncated bool, err error) {
	seen := map[string]bool{id: true}
	queue := []string{id}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		kids, err := childrenOf(stub, cur)
		if err != nil {
			return nil, false, err
		}
		for _, k := range kids {
			if seen[k] {
				continue
			}
			if len(out) == limit {
				return out, true, nil
			}
			seen[k] = true
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out, false, nil
}

// recallOf returns the recall that applies to item: its own or the nearest
// ancestor's (parent chain and transformation inputs), or nil.
func recallOf(stub shim.ChaincodeStubInterface, item domain.Item) (*domain.Recall, error) {
	seen := map[string]bool{}
	queue := []domain.Item{item}
	for len(queue) > 0 && len(seen) < maxScan {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur.ID] {
			continue
		}
		seen[cur.ID] = true
		k, err := RecallKey(cur.ID)
		if err != nil {
			return nil, err
		}
		var r domain.Recall
		ok, err := getJSON(stub, k, &r)
		if err != nil {
			return nil, err
		}
		if ok {
			return &r, nil
		}
		up := make([]string, 0, 1+len(cur.Inputs))
		if cur.Parent != "" {
			up = append(up, cur.Parent)
		}
		for _, in := range cur.Inputs {
			up = append(up, in.ID)
		}
		for _, a := range up {
			if seen[a] {
				continue
			}
			ai, _, err := loadItem(stub, a)
			if domain.CodeOf(err) == domain.CodeNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			queue = append(queue, ai)
		}
	}
	return nil, nil
}

// unmarshalRecord decodes a stored JSON record.
func unmarshalRecord(v []byte, dst any) error {
	if err := json.Unmarshal(v, dst); err != nil {
		return fmt.Errorf("corrupt record: %w", err)
	}
	return nil
}

// loadOwnedItem is loadItem plus: the caller's org owns the item (FORBIDDEN
// otherwise; verb names the refused action).
func loadOwnedItem(stub shim.ChaincodeStubInterface, caller Caller, id, verb string) (domain.Item, string, error) {
	item, k, err := loadItem(stub, id)
	if err != nil {
		return item, k, err
	}
	if item.Owner != caller.MSP {
		return item, k, domain.Errorf(domain.CodeForbidden, "%s may not %s %s of %s", caller.MSP, verb, item.ID, item.Owner)
	}
	return item, k, nil
}
