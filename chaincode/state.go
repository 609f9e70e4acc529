package chaincode

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// keyTimeLayout is fixed-width so that keys sort by time.
const keyTimeLayout = "2006-01-02T15:04:05.000000000Z"

// txTime returns the transaction timestamp (the only clock chaincode may use).
func txTime(stub shim.ChaincodeStubInterface) (time.Time, error) {
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return time.Time{}, fmt.Errorf("tx timestamp: %w", err)
	}
	return ts.AsTime().UTC(), nil
}

// stamp returns the tx time as RFC 3339 (for records) and fixed-width (for
// keys).
func stamp(stub shim.ChaincodeStubInterface) (at, keyTS string, err error) {
	t, err := txTime(stub)
	if err != nil {
		return "", "", err
	}
	return t.Format(time.RFC3339Nano), t.Format(keyTimeLayout), nil
}

// getJSON reads key into v and reports whether it exists.
func getJSON(stub shim.ChaincodeStubInterface, key string, v any) (bool, error) {
	b, err := stub.GetState(key)
	if err != nil {
		return false, fmt.Errorf("get state: %w", err)
	}
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("corrupt record %q: %w", key, err)
	}
	return true, nil
}

// putJSON writes v under key.
func putJSON(stub shim.ChaincodeStubInterface, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %q: %w", key, err)
	}
	if err := stub.PutState(key, b); err != nil {
		return fmt.Errorf("put state: %w", err)
	}
	return nil
}

// marker is the value of index keys (Fabric treats an empty value as delete).
var marker = []byte{0}

// parseJSONArg decodes a JSON argument, mapping failures to INVALID.
func parseJSONArg(name, arg string, v any) error {
	if err := json.Unmarshal([]byte(arg), v); err != nil {
		return domain.Errorf(domain.CodeInvalid, "%s: %v", name, err)
	}
	return nil
}

// decodeBatch decodes a JSON array argument of 1..MaxBatch entries.
func decodeBatch[T any](name, arg string) ([]T, error) {
	var v []T
	if err := parseJSONArg(name, arg, &v); err != nil {
		return nil, err
	}
	if len(v) == 0 || len(v) > MaxBatch {
		return nil, domain.Errorf(domain.CodeInvalid, "a batch holds 1-%d %s, got %d", MaxBatch, name, len(v))
	}
	return v, nil
}

// State scanning. Every range read of the chaincode is one of three
// helpers, each with one overflow behaviour:
//
//   - eachKV (here): paginated, for evaluates (lists): at most limit entries,
//     the bookmark continues; never silently cut.
//   - scanAll (quality_state.go): unpaginated (usable in transactions that
//     write), at most maxScan entries; one more is INVALID, so a result is
//     never silently cut.
//   - eachKey (lineage.go): unpaginated, stops after max keys; the graph walk
//     reads max+1 keys and reports the cut as `truncated`.
//
// eachKV calls fn for every entry of a partial-composite-key scan of at most
// limit entries (limit > 0). It returns the bookmark to continue from.
func eachKV(stub shim.ChaincodeStubInterface, objectType string, attrs []string, limit int, bookmark string,
	fn func(key string, value []byte) error) (string, error) {
	it, md, err := stub.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, int32(limit), bookmark)
	if err != nil {
		return "", fmt.Errorf("range %s: %w", objectType, err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return "", fmt.Errorf("range %s: %w", objectType, err)
		}
		if err := fn(kv.Key, kv.Value); err != nil {
			return "", err
		}
	}
	if md == nil {
		return "", nil
	}
	return md.Bookmark, nil
}

// lastAttr returns the last attribute of a composite key.
func lastAttr(stub shim.ChaincodeStubInterface, k string) (string, error) {
	_, attrs, err := stub.SplitCompositeKey(k)
	if err != nil || len(attrs) == 0 {
		return "", fmt.Errorf("split key %q: %v", k, err)
	}
	return attrs[len(attrs)-1], nil
}

// ctxStub shortens ctx.GetStub().
func ctxStub(ctx contractapi.TransactionContextInterface) shim.ChaincodeStubInterface {
	return ctx.GetStub()
}

// putRecord writes v under key with the state-based policy of class for org
// and anchors it in anchorOrg's collection: content-anchored for
// append-only records (the anchor carries the same policy), existence-
// anchored otherwise (the key's own policy protects later changes).
func putRecord(stub shim.ChaincodeStubInterface, pc policyCache, key string, v any, class keyClass, org, anchorOrg string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %q: %w", key, err)
	}
	if err := stub.PutState(key, b); err != nil {
		return fmt.Errorf("put state: %w", err)
	}
	if err := setKeyPolicy(stub, pc, key, class, org); err != nil {
		return err
	}
	if class == classAppend {
		return anchorValue(stub, pc, anchorOrg, key, b, class)
	}
	return anchorExists(stub, anchorOrg, key)
}

// getAnchored reads key into v when its bytes are anchored by the org that
// anchorOrg names for the decoded record (anchorOrg sees the decoded v);
// content reports whether the anchor must match the bytes (append-only
// records). Unanchored records read as absent.
func getAnchored(stub shim.ChaincodeStubInterface, key string, v any, content bool, anchorOrg func() string) (bool, error) {
	b, err := stub.GetState(key)
	if err != nil {
		return false, fmt.Errorf("get state: %w", err)
	}
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("corrupt record %q: %w", key, err)
	}
	return isAnchored(stub, key, b, content, anchorOrg())
}

// isAnchored checks the anchor of a record read by a scan.
func isAnchored(stub shim.ChaincodeStubInterface, key string, b []byte, content bool, org string) (bool, error) {
	if content {
		return anchoredValue(stub, org, key, b)
	}
	return hasAnchor(stub, org, key)
}
