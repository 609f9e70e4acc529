package chaincode

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Registration anchors: one anchor per registration transaction, not one
// per item. A registration transaction that creates items writes
//
//   - the manifest, public key regbatch~<txid>: a header (format, owner,
//     transaction id) and the sorted ids of the items it created, one per
//     line; state-based policy append-only (every org), so no coalition
//     legitimate code needs can change or delete it;
//   - its content anchor, key regbatch~<txid> in the owner's collection
//     anchor_<owner>: the hex SHA-256 of the manifest, also append-only.
//     The collection's endorsement policy (owner AND a majority of the
//     others) governs its creation, so no transaction without the owner
//     writes it, and the owner alone cannot either.
//
// Each item record names its registration transaction (Item.TxID, never
// changed after registration). An item record under key k counts as
// registered by it.Owner only when the anchor regbatch~<it.TxID> in
// anchor_<it.Owner> exists, the public manifest hashes to it, the manifest
// names that owner and transaction, and the id of k — the key read, not
// the record's own ID field — is in it. A coalition without the owner can
// create a record under a key that does not exist yet (creation is governed
// by the chaincode-level policy only), but cannot anchor a manifest naming
// it, and every key an anchored manifest names exists already under the
// owner's own state-based policy. Items registered before batch anchors
// keep their per-item existence anchor (checked when the batch check
// fails), as do items registered alone.
//
// Cost of a read: the first item of a registration transaction that a
// chaincode invocation reads costs the anchor's private-data hash and the
// manifest (both enter the read set, on every endorser alike); further
// items of the same registration in the same invocation cost only their own
// key (memoStub, installed before every function). Parsed manifests are
// kept per chaincode server by anchor hash (manifestCache), reused only
// when the bytes read are the same, so a server never re-hashes or
// re-parses a manifest — but it always reads it once per invocation: what
// an endorser reads must not depend on its cache, or endorsements differ.

// manifestFormat is the first line of a registration manifest.
const manifestFormat = "idchain-regbatch/1"

// RegBatchKey is the key of a registration transaction's manifest (public)
// and of its anchor (in the owner's anchor collection).
func RegBatchKey(txID string) (string, error) { return key(objRegBatch, txID) }

// manifestBytes renders the manifest of the items (ids) owner registered
// in transaction txID.
func manifestBytes(owner, txID string, ids []string) ([]byte, error) {
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	var b bytes.Buffer
	b.Grow(len(manifestFormat) + len(owner) + len(txID) + 3 + len(s)*(len(s[0])+1))
	b.WriteString(manifestFormat + "\n" + owner + "\n" + txID)
	for _, id := range s {
		if strings.ContainsAny(id, "\n") {
			return nil, fmt.Errorf("manifest: id %q holds a line break", id)
		}
		b.WriteByte('\n')
		b.WriteString(id)
	}
	return b.Bytes(), nil
}

// anchorRegistration writes the manifest of the items (ids, all owned by
// owner) the current transaction created and its anchor in owner's
// collection. Nothing is written for no ids; a single item gets its
// per-item existence anchor instead (one private key, no manifest: what a
// manifest saves starts at two items).
func anchorRegistration(stub shim.ChaincodeStubInterface, pc policyCache, owner string, ids []string) error {
	switch len(ids) {
	case 0:
		return nil
	case 1:
		_, k, err := itemKeyOf(ids[0])
		if err != nil {
			return err
		}
		return anchorExists(stub, owner, k)
	}
	txID := stub.GetTxID()
	k, err := RegBatchKey(txID)
	if err != nil {
		return err
	}
	m, err := manifestBytes(owner, txID, ids)
	if err != nil {
		return err
	}
	if err := stub.PutState(k, m); err != nil {
		return fmt.Errorf("put manifest: %w", err)
	}
	if err := setKeyPolicy(stub, pc, k, classAppend, owner); err != nil {
		return err
	}
	return anchorValue(stub, pc, owner, k, m, classAppend)
}

// manifest is a verified registration manifest: its sorted ids.
type manifest struct{ ids []string }

func (m *manifest) has(id string) bool {
	_, ok := slices.BinarySearch(m.ids, id)
	return ok
}

// parseManifest checks the header of b against owner and txID and returns
// its ids (nil when the header does not match or the ids are not sorted).
func parseManifest(b []byte, owner, txID string) *manifest {
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 || lines[0] != manifestFormat || lines[1] != owner || lines[2] != txID {
		return nil
	}
	ids := lines[3:]
	if !slices.IsSorted(ids) {
		return nil
	}
	return &manifest{ids: ids}
}

// manifestCache holds manifests verified against their anchors (raw bytes
// and parsed ids), by anchor collection, key and anchor hash. Bounded:
// cleared when full.
var manifestCache = struct {
	sync.Mutex
	m map[string]cachedManifest
}{m: map[string]cachedManifest{}}

type cachedManifest struct {
	raw []byte
	m   *manifest
}

// memoStub is the stub of one chaincode invocation with a memo of the
// registration manifests it has read (installMemo), so that a function
// reading many items of one registration reads the manifest once.
type memoStub struct {
	shim.ChaincodeStubInterface
	manifests map[string]*manifest    // owner \x00 txid -> verified manifest (nil: none)
	prefixes  map[string]string       // prefix -> org holding its anchored assignment ("": none)
	lots      map[string]*domain.Item // lot id -> its registered record for packed units (nil: none)
	policies  policyCache             // state-based policies built this invocation
}

// installMemo gives the invocation of ctx a memoStub (run before every
// contract function with the time window check).
func installMemo(ctx contractapi.TransactionContextInterface) {
	tc, ok := ctx.(*contractapi.TransactionContext)
	if !ok {
		return
	}
	if _, done := tc.GetStub().(*memoStub); !done {
		tc.SetStub(&memoStub{ChaincodeStubInterface: tc.GetStub(), manifests: map[string]*manifest{}, prefixes: map[string]string{}, lots: map[string]*domain.Item{}, policies: policyCache{}})
	}
}

const manifestCacheMax = 512

// registrationManifest returns owner's verified manifest of transaction
// txID, or nil when owner anchored none or the public manifest does not
// match the anchor.
func registrationManifest(stub shim.ChaincodeStubInterface, owner, txID string) (*manifest, error) {
	ms, memo := stub.(*memoStub)
	if memo {
		if m, ok := ms.manifests[owner+"\x00"+txID]; ok {
			return m, nil
		}
	}
	m, err := readManifest(stub, owner, txID)
	if err == nil && memo {
		ms.manifests[owner+"\x00"+txID] = m
	}
	return m, err
}

// readManifest reads the anchor of owner's registration txID and its
// manifest and checks them (registrationManifest without the memo).
func readManifest(stub shim.ChaincodeStubInterface, owner, txID string) (*manifest, error) {
	k, err := RegBatchKey(txID)
	if err != nil {
		return nil, nil // not a transaction id: no manifest
	}
	coll := AnchorCollection(owner)
	h, err := stub.GetPrivateDataHash(coll, k)
	if err != nil {
		return nil, fmt.Errorf("anchor of %s: %w", owner, err)
	}
	if len(h) == 0 {
		return nil, nil
	}
	b, err := stub.GetState(k)
	if err != nil {
		return nil, fmt.Errorf("get manifest: %w", err)
	}
	if b == nil {
		return nil, nil
	}
	ck := coll + k + string(h)
	manifestCache.Lock()
	c, ok := manifestCache.m[ck]
	manifestCache.Unlock()
	if ok {
		if !bytes.Equal(c.raw, b) { // not the bytes the anchor commits to
			return nil, nil
		}
		return c.m, nil
	}
	if want := sha256.Sum256(digest(b)); !bytes.Equal(h, want[:]) {
		return nil, nil
	}
	m := parseManifest(b, owner, txID)
	if m == nil {
		return nil, nil
	}
	manifestCache.Lock()
	if len(manifestCache.m) >= manifestCacheMax {
		clear(manifestCache.m)
	}
	manifestCache.m[ck] = cachedManifest{raw: b, m: m}
	manifestCache.Unlock()
	return m, nil
}

// itemAnchored reports whether the item record it, read under key k,
// counts as registered by its owner: the owner holds the (authority-
// anchored) assignment of the key's prefix, and k's id is in the owner's
// anchored manifest of the record's registration transaction or (an item
// registered alone, or before batch anchors) k has the owner's per-item
// existence anchor. Without the prefix check a coalition could name one of
// its members as owner of an item under another org's prefix and anchor it
// in that member's collection (TestAttackCoalitionClaimsItemUnderAnotherPrefix).
func itemAnchored(stub shim.ChaincodeStubInterface, k string, it *domain.Item) (bool, error) {
	if it.Owner == "" {
		return false, nil
	}
	if ok, err := prefixHeldBy(stub, k, it.Owner); err != nil || !ok {
		return false, err
	}
	if it.TxID != "" {
		m, err := registrationManifest(stub, it.Owner, it.TxID)
		if err != nil {
			return false, err
		}
		if m != nil {
			id, err := itemIDOfKey(stub, k)
			if err != nil {
				return false, err
			}
			if m.has(id) {
				return true, nil
			}
		}
	}
	return hasAnchor(stub, it.Owner, k)
}

// prefixHeldBy reports whether org holds the anchored assignment of the
// prefix of item key k (memoised per invocation).
func prefixHeldBy(stub shim.ChaincodeStubInterface, k, org string) (bool, error) {
	_, attrs, err := stub.SplitCompositeKey(k)
	if err != nil || len(attrs) != 2 {
		return false, fmt.Errorf("not an item key %q: %v", k, err)
	}
	p := attrs[0]
	ms, memo := stub.(*memoStub)
	if memo {
		if holder, ok := ms.prefixes[p]; ok {
			return holder == org, nil
		}
	}
	rec, found, err := loadPrefix(stub, p)
	if err != nil {
		return false, err
	}
	holder := ""
	if found {
		holder = rec.Owner
	}
	if memo {
		ms.prefixes[p] = holder
	}
	return holder == org, nil
}

// itemIDOfKey is the id string (prefix/suffix) an item key stands for.
func itemIDOfKey(stub shim.ChaincodeStubInterface, k string) (string, error) {
	obj, attrs, err := stub.SplitCompositeKey(k)
	if err != nil || obj != objItem || len(attrs) != 2 {
		return "", fmt.Errorf("not an item key %q: %v", k, err)
	}
	return attrs[0] + "/" + attrs[1], nil
}

// loadItemRecord reads the item record under k into it when its owner registered
// it (itemAnchored); unanchored records read as absent.
func loadItemRecord(stub shim.ChaincodeStubInterface, k string, it *domain.Item) (bool, error) {
	found, err := getJSON(stub, k, it)
	if err != nil || !found {
		return false, err
	}
	return itemAnchored(stub, k, it)
}
