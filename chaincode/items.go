package chaincode

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Page size bounds of list queries.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// getItem returns the record of an item with its custody applied (status
// and custodian after shipping). Recall is resolved by public:Verify and
// trace:GetProvenance.
func (c *RegistryContract) getItem(ctx contractapi.TransactionContextInterface, id string) (*domain.Item, error) {
	it, err := viewItem(ctx.GetStub(), id)
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// viewItem reads an item (NOT_FOUND when absent) and overlays its custody.
func viewItem(stub shim.ChaincodeStubInterface, id string) (domain.Item, error) {
	it, _, err := viewCustody(stub, id)
	return it, err
}

// viewCustody is viewItem that also returns the custody record (nil before
// the item first shipped).
func viewCustody(stub shim.ChaincodeStubInterface, id string) (domain.Item, *domain.Custody, error) {
	it, _, err := loadItem(stub, id)
	if err != nil {
		return it, nil, err
	}
	cu, found, err := loadCustody(stub, it.ID, it.Owner)
	if err != nil || !found {
		return it, nil, err
	}
	applyCustody(&it, cu)
	return it, &cu, nil
}

// applyCustody overlays a custody record on an item record.
func applyCustody(it *domain.Item, cu domain.Custody) {
	it.Custodian, it.CustodianEnterprise = cu.Custodian, cu.CustodianEnterprise
	if it.Status != domain.StatusDecommissioned {
		it.Status = cu.Status
	}
	if domain.CompareTimes(cu.At, it.UpdatedAt) > 0 {
		it.UpdatedAt = cu.At
	}
}

// loadCustody reads the custody record of id, an item of owner. A record
// counts only when owner anchored its creation (the first move of an item
// is its owner's, recorder.flush): a custody key that a coalition without
// the owner created first is ignored, so it can neither take an item out
// of its owner's hands nor hand it to someone else. From its creation on
// the key carries the next holder's state-based policy.
func loadCustody(stub shim.ChaincodeStubInterface, id, owner string) (domain.Custody, bool, error) {
	var cu domain.Custody
	k, err := CustodyKey(id)
	if err != nil {
		return cu, false, err
	}
	found, err := getJSON(stub, k, &cu)
	if err != nil || !found {
		return cu, false, err
	}
	anchored, err := hasAnchor(stub, owner, k)
	if err != nil || !anchored {
		return domain.Custody{}, false, err
	}
	return cu, true, nil
}

// listItems lists the items of an owner, optionally only one model and/or
// lot, a page at a time. It scans pageSize records per call over the
// owner's prefixes in order, so a filtered page may hold fewer records;
// continue while the returned bookmark is not empty.
func (c *RegistryContract) listItems(ctx contractapi.TransactionContextInterface, owner, model, lot, pageSize, bookmark string) (*domain.Page[domain.Item], error) {
	if owner == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "owner is required")
	}
	size, err := pageSizeOf(pageSize)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	prefixes, err := prefixesOf(stub, owner)
	if err != nil {
		return nil, err
	}
	idx, inner, err := decodeBookmark(bookmark, len(prefixes))
	if err != nil {
		return nil, err
	}
	page := &domain.Page[domain.Item]{Records: []domain.Item{}}
	if idx >= len(prefixes) {
		return page, nil
	}
	next, err := eachKV(stub, objItem, []string{prefixes[idx]}, size, inner, func(k string, v []byte) error {
		var it domain.Item
		if err := unmarshalRecord(v, &it); err != nil {
			return err
		}
		if ok, err := itemAnchored(stub, k, &it); err != nil || !ok {
			return err // an item its owner did not anchor is not listed
		}
		if (model == "" || it.Model == model) && (lot == "" || it.Lot == lot) {
			page.Records = append(page.Records, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case next != "":
		page.Bookmark = encodeBookmark(idx, next)
	case idx+1 < len(prefixes):
		page.Bookmark = encodeBookmark(idx+1, "")
	}
	return page, nil
}

func pageSizeOf(s string) (int, error) {
	if s == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, domain.Errorf(domain.CodeInvalid, "pageSize must be 1-%d", maxPageSize)
	}
	return n, nil
}

// Bookmarks of multi-range lists: base64url("<range index>:<fabric bookmark>").
func encodeBookmark(idx int, inner string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(idx) + ":" + inner))
}

func decodeBookmark(s string, n int) (int, string, error) {
	if s == "" {
		return 0, "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if i, inner, ok := strings.Cut(string(raw), ":"); ok {
			if idx, err := strconv.Atoi(i); err == nil && idx >= 0 && idx <= n {
				return idx, inner, nil
			}
		}
	}
	return 0, "", domain.Errorf(domain.CodeInvalid, "bad bookmark")
}
