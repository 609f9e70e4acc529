package chaincode

import (
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// The GS1 index names the 标识 of a GS1 key, so that a GS1 Digital Link
// (/01/{gtin}[/10/{lot}][/21/{serial}]) resolves with one key read instead
// of a scan of items. RegisterItems writes at most one index key per item:
//
//	gs1    [gtin14, serial]  id of the serialized item (GS1: a serial is unique per GTIN)
//	gs1lot [gtin14, lot]     id of the lot-level item (lot, batch, material lot) without serial
//
// Values are the id as text. A second item claiming a taken key is
// CONFLICT. The keys carry no state-based policy: they are written once,
// with the item, under the chaincode's majority policy.

// gs1KeyOf returns the GS1 index key of a normalised input, or "" when the
// item has none (no GTIN; no serial and not a lot-level item with a lot).
func gs1KeyOf(in domain.ItemInput) (string, error) {
	switch {
	case in.GTIN == "":
		return "", nil
	case in.Serial != "":
		return key(objGS1, in.GTIN, in.Serial)
	case in.Lot != "" && domain.IsLotLevel(in.Kind):
		return key(objGS1Lot, in.GTIN, in.Lot)
	}
	return "", nil
}

// findByGTIN resolves a GS1 key (evaluate, any member): with a serial the
// serialized item (the lot, when given, must be the item's), with a lot
// alone the lot-level item, with the GTIN alone one item carrying it as
// the product-level answer (a lot-level item first, else a serialized one:
// the first key of a bounded scan). NOT_FOUND when nothing matches.
func (c *RegistryContract) findByGTIN(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (*domain.GS1Match, error) {
	g, err := identifier.NormalizeGTIN(gtin)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalidIdentifier, "gtin %q: %s", gtin, identifierMessage(err))
	}
	stub := ctx.GetStub()
	cfg, err := loadConfigStub(stub)
	if err != nil {
		return nil, err
	}
	notFound := domain.Errorf(domain.CodeNotFound, "no item carries GTIN %s%s%s", g, optional(" lot ", lot), optional(" serial ", serial))
	// genuine: the indexed item is registered (anchored) and its GTIN lies
	// under a GCP its owner holds (a squatter's item is not an answer).
	genuine := func(id string) (*domain.Item, error) {
		it, _, err := loadItem(stub, id)
		if domain.CodeOf(err) == domain.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if it.GTIN != g {
			return nil, nil
		}
		h, err := gtinHolder(stub, cfg, g)
		if err != nil {
			return nil, err
		}
		ent, err := enterpriseOfID(stub, nil, id)
		if err != nil || !holds(h, it.Owner, ent) {
			return nil, err
		}
		return &it, nil
	}
	switch {
	case serial != "":
		id, err := indexed(stub, objGS1, g, serial)
		if err == nil && id == "" && lot != "" {
			// a packed unit: serial n of the packed lot GTIN + lot
			id, err = packedUnitOfLot(stub, g, lot, serial)
		}
		if err != nil || id == "" {
			return nil, orNotFound(err, notFound)
		}
		it, err := genuine(id)
		if err != nil || it == nil || !carriesGS1Key(*it, objGS1, g, serial) || (lot != "" && it.Lot != lot) {
			return nil, orNotFound(err, notFound)
		}
		return &domain.GS1Match{ID: id, Level: domain.GS1LevelItem}, nil
	case lot != "":
		id, err := indexed(stub, objGS1Lot, g, lot)
		if err != nil || id == "" {
			return nil, orNotFound(err, notFound)
		}
		if it, err := genuine(id); err != nil || it == nil || !carriesGS1Key(*it, objGS1Lot, g, lot) {
			return nil, orNotFound(err, notFound)
		}
		return &domain.GS1Match{ID: id, Level: domain.GS1LevelLot}, nil
	}
	// product level: the first genuine item of a bounded scan
	for _, obj := range []string{objGS1Lot, objGS1} {
		id := ""
		if _, err := eachKV(stub, obj, []string{g}, maxProductScan, "", func(_ string, v []byte) error {
			if id != "" {
				return nil
			}
			it, err := genuine(string(v))
			if it != nil {
				id = it.ID
			}
			return err
		}); err != nil {
			return nil, err
		}
		if id != "" {
			return &domain.GS1Match{ID: id, Level: domain.GS1LevelProduct}, nil
		}
	}
	return nil, notFound
}

// maxProductScan bounds the index keys a product-level lookup examines.
const maxProductScan = 20

// indexed reads one GS1 index key ("" when absent).
func indexed(stub shim.ChaincodeStubInterface, obj string, attrs ...string) (string, error) {
	k, err := key(obj, attrs...)
	if err != nil {
		return "", err
	}
	v, err := stub.GetState(k)
	if err != nil {
		return "", fmt.Errorf("get state: %w", err)
	}
	return string(v), nil
}

// indexedHolder follows a GS1 index entry (gs1 [gtin, serial] or gs1lot
// [gtin, lot]) to the registered item it names: the entry's id and the
// item as read, "" unless that item carries exactly that GS1 key. An
// index key gets the owner's state-based policy only when registration
// writes it: before that a majority without the owner can plant an entry
// pointing at another of the owner's items, which must not answer for it.
func indexedHolder(stub shim.ChaincodeStubInterface, obj, gtin, x string) (string, domain.Item, error) {
	id, err := indexed(stub, obj, gtin, x)
	if err != nil || id == "" {
		return "", domain.Item{}, err
	}
	it, _, err := loadItem(stub, id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return "", domain.Item{}, nil
	}
	if err != nil {
		return "", domain.Item{}, err
	}
	if !carriesGS1Key(it, obj, gtin, x) {
		return "", domain.Item{}, nil
	}
	return id, it, nil
}

// carriesGS1Key reports whether it is the item a GS1 index key names.
func carriesGS1Key(it domain.Item, obj, gtin, x string) bool {
	if it.GTIN != gtin {
		return false
	}
	if obj == objGS1Lot {
		return it.Lot == x
	}
	return it.Serial == x
}

func orNotFound(err, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}

func optional(label, v string) string {
	if v == "" {
		return ""
	}
	return label + v
}

// packedUnitOfLot is the id of packed unit serial of the lot-level item
// indexed under GTIN + lot ("" when there is none): packed units carry no
// index key of their own, their Digital Link names the lot
// (/01/{gtin}/10/{lot}/21/{n}). The caller checks the unit as any answer.
func packedUnitOfLot(stub shim.ChaincodeStubInterface, gtin14, lot, serial string) (string, error) {
	lotID, err := indexed(stub, objGS1Lot, gtin14, lot)
	if err != nil || lotID == "" {
		return "", err
	}
	unit := lotID + domain.PackedSep + serial
	if _, _, ok := domain.SplitPackedUnit(unit); !ok {
		return "", nil
	}
	return unit, nil
}
