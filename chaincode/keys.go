package chaincode

import (
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Key schema: the object types of every composite key of the ledger, in
// one place. Values are JSON of the named domain type unless noted. Policy
// is the state-based endorsement policy class (sbe.go: owned = owner AND a
// majority of the others, append = every org, config = RegulatorMSP AND a
// majority, assign = authority AND a majority; "–" none: the chaincode-level
// MAJORITY policy); anchor is the org whose collection anchor_<MSP> must
// hold the key for reads to count the record (anchor.go; "–" none).
//
//	type       attributes                      value                 policy        anchor
//	config     []                              Config                config        RegulatorMSP (content)
//	prefix     [prefix]                        domain.Prefix         assign        authority
//	pfxown     [ownerMSP, prefix]              0x00                  –             –
//	gcp        [gcp]                           domain.GCP            assign        authority
//	gcpown     [ownerMSP, gcp]                 0x00                  assign        –
//	item       [prefix, suffix]                domain.Item           owned(owner)  owner, through the regbatch manifest of Item.TxID naming the key
//	regbatch   [txid]                          manifest (regbatch.go) append      owner (content): one per registration transaction
//	rel        [parent, child]                 0x00 forward aggregation (deleted on unpacking unless the registered parent)  –  –
//	relin      [input, output]                 0x00 forward transformation  –  –
//	cust       [id]                            domain.Custody        owned(next holder)  –
//	evt        [id, ts, txid, seq]             domain.Event          –             –
//	recall     [id]                            domain.Recall         append        recalling org (content)
//	release    [id]                            domain.Release        append        item owner (content)
//	insp       [id, ts, txid]                  domain.Inspection     append        item owner (content)
//	plan       [ownerMSP, model]               domain.Plan           owned(owner)  owner  (org's own plan)
//	entplan    [ownerMSP, enterprise, model]   domain.Plan           owned(owner)  owner  (plan of an enterprise hosted by ownerMSP; used for items of the enterprise's prefixes)
//	scan       [id]                            FirstScan             append        authority (content)
//	gs1        [gtin14, serial]                id as text            owned(registering owner) once registration writes it  – (holder must be genuine and carry this key)
//	gs1lot     [gtin14, lot]                   id as text            owned(registering owner) once registration writes it  – (holder must be genuine and carry this key)
//	consent    [id]                            domain.Consent        owned(grantor)  grantor
//	consentby  [grantor, id]                   0x00                  –             –
//	consentto  [grantee, id]                   0x00                  –             –
//	access     [owner, subject, ts, txid]      domain.AccessRecord   append        accessor (content)
//	accessid   [txid]                          access key            append        –
//	accessorg  [owner, accessor, ts, txid]     access key            append        –
//	touch      [key]                           raw bytes (system:Touch)  –         –
//
// Private keys: detail [category, id] (bytes) and dsalt [category, id]
// (its salt) in _implicit_org_<owner>; anchors under the public key's name
// in anchor_<MSP>.
const (
	objConfig     = "config"
	objPrefix     = "prefix"
	objPfxOwn     = "pfxown"
	objGCP        = "gcp"
	objGCPOwn     = "gcpown"
	objItem       = "item"
	objRel        = "rel"
	objRelIn      = "relin"
	objCustody    = "cust"
	objEvent      = "evt"
	objRecall     = "recall"
	objRelease    = "release"
	objInsp       = "insp"
	objPlan       = "plan"
	objEntPlan    = "entplan"
	objScan       = "scan"
	objGS1        = "gs1"
	objGS1Lot     = "gs1lot"
	objConsent    = "consent"
	objConsentBy  = "consentby"
	objConsentTo  = "consentto"
	objAccess     = "access"
	objAccessID   = "accessid"
	objAccessOrg  = "accessorg"
	objTouch      = "touch"
	objDetail     = "detail"
	objDetailSalt = "dsalt"
	objRegBatch   = "regbatch"
)

func key(objectType string, attrs ...string) (string, error) {
	k, err := shim.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", domain.Errorf(domain.CodeInvalid, "key %s: %v", objectType, err)
	}
	return k, nil
}

// parseID parses and normalises an identifier, mapping identifier errors to
// INVALID_IDENTIFIER.
func parseID(s string) (identifier.ID, error) {
	id, err := identifier.Parse(s)
	if err != nil {
		return identifier.ID{}, domain.Errorf(domain.CodeInvalidIdentifier, "%q: %v", s, identifierMessage(err))
	}
	return id, nil
}

// parsePrefix validates and normalises an enterprise prefix.
func parsePrefix(s string) (string, error) {
	p, err := identifier.ParsePrefix(s)
	if err != nil {
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "prefix %q: %v", s, identifierMessage(err))
	}
	return p, nil
}

func identifierMessage(err error) string {
	if e, ok := err.(*identifier.Error); ok {
		return e.Message()
	}
	return err.Error()
}

// ItemKey is the key of an item record: item~prefix~suffix (one key per id;
// the split lets an owner's items be listed by prefix).
func ItemKey(id identifier.ID) (string, error) { return key(objItem, id.Prefix, id.Suffix) }

// itemKeyOf parses id and returns its item key.
func itemKeyOf(id string) (identifier.ID, string, error) {
	p, err := parseID(id)
	if err != nil {
		return p, "", err
	}
	k, err := ItemKey(p)
	return p, k, err
}

// PrefixKey is the key of a prefix assignment.
func PrefixKey(prefix string) (string, error) { return key(objPrefix, prefix) }

// RelKey is the forward aggregation key parent → child.
func RelKey(parent, child string) (string, error) { return key(objRel, parent, child) }

// RelInKey is the forward transformation key input → output.
func RelInKey(input, output string) (string, error) { return key(objRelIn, input, output) }

// EventKey is the key of one recorded event of id; seq orders the events of
// one transaction.
func EventKey(id, ts, txID string, seq int) (string, error) {
	return key(objEvent, id, ts, txID, fmt.Sprintf("%05d", seq))
}

// RecallKey is the key of the recall of id (value domain.Recall).
func RecallKey(id string) (string, error) { return key(objRecall, id) }

// ReleaseKey is the key of the release of id (value domain.Release).
func ReleaseKey(id string) (string, error) { return key(objRelease, id) }

// InspectionKey is the key of one inspection of id (value domain.Inspection).
func InspectionKey(id, ts, txID string) (string, error) { return key(objInsp, id, ts, txID) }

// CustodyKey is the key of the custody record of id.
func CustodyKey(id string) (string, error) { return key(objCustody, id) }

// GCPKey is the key of a GS1 company prefix's assignment.
func GCPKey(gcp string) (string, error) { return key(objGCP, gcp) }
