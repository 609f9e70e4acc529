package chaincode

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Anchors. Fabric governs the creation of a public key by the chaincode-level
// policy alone (MAJORITY Endorsement): a majority of orgs running their own
// chaincode could create any key that does not exist yet, e.g. a consent
// naming the maker as grantor. A record that backs a public claim therefore
// counts only when it is anchored: the transaction that created it also wrote
// a key of the same name into the responsible org's anchor collection
// (anchor_<MSP>, network/lib/chaincode.sh: anchor_collections_json). That
// collection's endorsement policy is "<MSP> AND a majority of the other
// orgs" and, unlike a state-based policy, governs the creation of keys too,
// so no transaction without the responsible org can write an anchor. Every
// read checks the anchor through GetPrivateDataHash (present on every peer,
// member or not, and not a private read for endorsement planning) and
// ignores unanchored records.
//
// The anchor's value is the hex SHA-256 of the record bytes as first written
// (append-only records must still match it) or, for mutable records whose
// key is protected by the owner's state-based policy from creation on, the
// creating transaction id (only existence is checked).

// AnchorCollectionPrefix + MSP ID is the name of an org's anchor collection.
const AnchorCollectionPrefix = "anchor_"

// AnchorCollection is the anchor collection of org.
func AnchorCollection(org string) string { return AnchorCollectionPrefix + org }

// digest is the hex SHA-256 of b.
func digest(b []byte) []byte {
	s := sha256.Sum256(b)
	return []byte(hex.EncodeToString(s[:]))
}

// anchorExists writes an existence anchor of key in org's collection (value:
// the transaction id). The collection's own policy protects it.
func anchorExists(stub shim.ChaincodeStubInterface, org, key string) error {
	if err := stub.PutPrivateData(AnchorCollection(org), key, []byte(stub.GetTxID())); err != nil {
		return fmt.Errorf("anchor %s: %w", org, err)
	}
	return nil
}

// anchorValue writes a content anchor of key (the digest of value) in org's
// collection and gives the anchor the state-based policy of class, so that
// an append-only record's anchor cannot be moved or deleted either.
func anchorValue(stub shim.ChaincodeStubInterface, cache policyCache, org, key string, value []byte, class keyClass) error {
	coll := AnchorCollection(org)
	if err := stub.PutPrivateData(coll, key, digest(value)); err != nil {
		return fmt.Errorf("anchor %s: %w", org, err)
	}
	p, err := policyFor(stub, cache, class, org)
	if err != nil {
		return err
	}
	if err := stub.SetPrivateDataValidationParameter(coll, key, p); err != nil {
		return fmt.Errorf("anchor policy %s: %w", org, err)
	}
	return nil
}

// hasAnchor reports whether org anchored key (any value).
func hasAnchor(stub shim.ChaincodeStubInterface, org, key string) (bool, error) {
	if org == "" {
		return false, nil
	}
	h, err := stub.GetPrivateDataHash(AnchorCollection(org), key)
	if err != nil {
		return false, fmt.Errorf("anchor of %s: %w", org, err)
	}
	return len(h) > 0, nil
}

// anchoredValue reports whether org anchored key with the digest of value.
func anchoredValue(stub shim.ChaincodeStubInterface, org, key string, value []byte) (bool, error) {
	if org == "" {
		return false, nil
	}
	h, err := stub.GetPrivateDataHash(AnchorCollection(org), key)
	if err != nil {
		return false, fmt.Errorf("anchor of %s: %w", org, err)
	}
	if len(h) == 0 {
		return false, nil
	}
	want := sha256.Sum256(digest(value))
	return bytes.Equal(h, want[:]), nil
}
