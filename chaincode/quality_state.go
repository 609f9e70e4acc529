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
	ok, err := loadItemRecord(stub, k, &it)
	if err != nil {
		return it, k, err
	}
	if !ok {
		// a packed unit without a key of its own reads from its lot
		if u, found, err := loadPackedUnit(stub, p.String()); err != nil || found {
			return u, k, err
		}
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
	return item, k, requireOwner(caller, item.Owner, item.ID, verb)
}
