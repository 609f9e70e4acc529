package chaincode

import (
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Object types of the composite keys. Every key of the ledger is one of
// these; values are JSON of the named domain type unless noted.
//
//	config   []                          Config
//	prefix   [prefix]                    domain.Prefix (SBE: authority)
//	pfxown   [ownerMSP, prefix]          0x00 – prefixes of an org
//	item     [prefix, suffix]            domain.Item, the one record of an id (SBE: owner)
//	rel      [parent, child]             0x00 – forward aggregation (child names its parent)
//	relin    [input, output]             0x00 – forward transformation (output names its inputs)
//	cust     [id]                        Custody, set on shipping (SBE: the custodian to be)
//	evt      [id, ts, txid, seq]         domain.Event; ts fixed-width UTC (sorts by time), seq = index in the tx
//	recall   [id]                        domain.Recall (written by quality:Recall)
//	release  [id]                        domain.Release (quality:Release)
//	insp     [id, ts, txid]              domain.Inspection (quality:RecordInspection)
//	scan     [id]                        first scan time (public:RecordFirstScans)
//	gs1      [gtin14, serial]            id as text – GS1 index of serialized items (gs1.go)
//	gs1lot   [gtin14, lot]               id as text – GS1 index of lot-level items
//	touch    [key]                       raw bytes (system:Touch)
const (
	objConfig  = "config"
	objPrefix  = "prefix"
	objPfxOwn  = "pfxown"
	objItem    = "item"
	objRel     = "rel"
	objRelIn   = "relin"
	objCustody = "cust"
	objEvent   = "evt"
	objRecall  = "recall"
	objRelease = "release"
	objInsp    = "insp"
	objScan    = "scan"
	objGS1     = "gs1"
	objGS1Lot  = "gs1lot"
	objTouch   = "touch"
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
