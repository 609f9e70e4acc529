package chaincode

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// regulatorPurpose is the purpose recorded for regulator standing access
// when none is given.
const regulatorPurpose = "regulatory supervision"

// recordAccess records, in a submitted transaction, that the caller's org
// reads category of subject: under consentID (active at the tx time and
// covering category and subject) or, with an empty consentID, under a
// regulator's standing access. The record holds no private data; the read
// itself is ReadShared with the returned id.
func (c *SharingContract) recordAccess(ctx contractapi.TransactionContextInterface, subject, category, consentID, purpose string) (*domain.AccessRecord, error) {
	caller, err := requireRole(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := parseCategory(category)
	if err != nil {
		return nil, err
	}
	purpose = strings.TrimSpace(purpose)
	if len(purpose) > domain.MaxTextLen {
		return nil, domain.Errorf(domain.CodeInvalid, "purpose is longer than %d bytes", domain.MaxTextLen)
	}
	stub := ctxStub(ctx)
	item, _, err := loadItem(stub, subject)
	if err != nil {
		return nil, err
	}
	now, err := txTime(stub)
	if err != nil {
		return nil, err
	}
	if consentID == "" {
		if err := standingAccess(ctx, caller, cat); err != nil {
			return nil, err
		}
		if purpose == "" {
			purpose = regulatorPurpose
		}
	} else {
		cs, _, err := loadConsent(stub, consentID)
		if err != nil {
			return nil, err
		}
		if err := consentAllows(cs, item, consentAccessor(caller, cs.Grantee), cat, now); err != nil {
			return nil, err
		}
		if err := consentAllows(cs, item, consentAccessor(caller, cs.Grantee), cat, peerNow(stub).UTC()); err != nil {
			return nil, err // the peer's clock too: a timestamp inside the window cannot stretch a consent
		}
		if purpose == "" {
			purpose = cs.Purpose
		}
		if purpose != cs.Purpose {
			return nil, domain.Errorf(domain.CodeForbidden, "consent %s is for purpose %q only", cs.ID, cs.Purpose)
		}
	}
	if item.DetailHashes[string(cat)] == "" {
		return nil, domain.Errorf(domain.CodeNotFound, "%s has no %s detail", item.ID, cat)
	}
	at, ts, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	rec := domain.AccessRecord{
		ID: stub.GetTxID(), Accessor: caller.MSP, User: caller.User, Category: cat, Subject: item.ID,
		Owner: item.Owner, Consent: consentID, Purpose: purpose, At: at, TxID: stub.GetTxID(),
	}
	k, err := key(objAccess, rec.Owner, rec.Subject, ts, rec.TxID)
	if err != nil {
		return nil, err
	}
	// append-only (every org to change or delete), anchored by the accessor
	pc := policyCache{}
	if err := putRecord(stub, pc, k, rec, classAppend, "", rec.Accessor); err != nil {
		return nil, err
	}
	for _, idx := range [][]string{{objAccessID, rec.TxID}, {objAccessOrg, rec.Owner, rec.Accessor, ts, rec.TxID}} {
		ik, err := key(idx[0], idx[1:]...)
		if err != nil {
			return nil, err
		}
		if err := stub.PutState(ik, []byte(k)); err != nil {
			return nil, err
		}
		if err := setKeyPolicy(stub, pc, ik, classAppend, ""); err != nil {
			return nil, err
		}
	}
	return &rec, emit(ctx, EvAccessRecorded, item.ID)
}

// consentAllows checks a consent for a read of item by accessor at t; the
// consent must come from the item's owner.
func consentAllows(cs domain.Consent, item domain.Item, accessor string, cat domain.Category, t time.Time) error {
	if cs.Grantor != item.Owner {
		return domain.Errorf(domain.CodeForbidden, "consent %s is from %s, not from the owner of %s", cs.ID, cs.Grantor, item.ID)
	}
	return cs.Allows(accessor, cat, item.ID, t)
}

// standingAccess checks a regulator's standing read access to a category.
func standingAccess(ctx contractapi.TransactionContextInterface, caller Caller, cat domain.Category) error {
	cfg, err := loadConfig(ctx)
	if err != nil {
		return err
	}
	if !isRegulator(caller, cfg) {
		return domain.Errorf(domain.CodeForbidden, "%s needs a consent to read shared detail", caller.MSP)
	}
	if !cfg.regulatorMayRead(cat) {
		return domain.Errorf(domain.CodeForbidden, "regulators have no standing access to %s", cat)
	}
	return nil
}

// regulatorMayRead: the configured categories, or by default every
// category except formulas.
func (c Config) regulatorMayRead(cat domain.Category) bool {
	if len(c.RegulatorCategories) == 0 {
		return cat != domain.CategoryFormula
	}
	for _, k := range c.RegulatorCategories {
		if k == cat {
			return true
		}
	}
	return false
}

// readShared returns private detail to the org that recorded accessID. Run
// it as an evaluate on the owner's peer (only that peer holds the implicit
// collection). The access record must be committed, fresh and the
// caller's, and its consent still active; the bytes' hash must equal the
// public hash.
func (c *SharingContract) readShared(ctx contractapi.TransactionContextInterface, accessID string) (*domain.SharedDetail, error) {
	caller, err := requireRole(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	rec, err := loadAccess(stub, accessID)
	if err != nil {
		return nil, err
	}
	if rec.Accessor != caller.MSP || rec.User != caller.User {
		return nil, domain.Errorf(domain.CodeForbidden, "access %s was recorded by another user", rec.ID)
	}
	// Freshness and consent expiry against the peer's clock, not the
	// client-chosen proposal timestamp.
	now := peerNow(stub).UTC()
	if err := rec.CheckFresh(now); err != nil {
		return nil, err
	}
	item, _, err := loadItem(stub, rec.Subject)
	if err != nil {
		return nil, err
	}
	if rec.Consent == "" {
		err = standingAccess(ctx, caller, rec.Category)
	} else {
		var cs domain.Consent
		if cs, _, err = loadConsent(stub, rec.Consent); err == nil {
			err = consentAllows(cs, item, consentAccessor(caller, cs.Grantee), rec.Category, now)
		}
	}
	if err != nil {
		return nil, err
	}
	want := item.DetailHashes[string(rec.Category)]
	k, err := DetailKey(rec.Category, item.ID)
	if err != nil {
		return nil, err
	}
	data, err := stub.GetPrivateData(ImplicitCollection(item.Owner), k)
	if err != nil || len(data) == 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "%s detail of %s is not on this peer (ask a peer of %s)", rec.Category, item.ID, item.Owner)
	}
	sk, err := SaltKey(rec.Category, item.ID)
	if err != nil {
		return nil, err
	}
	salt, err := stub.GetPrivateData(ImplicitCollection(item.Owner), sk)
	if err != nil {
		return nil, domain.Errorf(domain.CodeUnavailable, "salt of %s detail of %s unreadable", rec.Category, item.ID)
	}
	if got := domain.DetailHash(salt, data); got != want {
		return nil, domain.Errorf(domain.CodeConflict, "stored %s detail of %s does not match its public hash", rec.Category, item.ID)
	}
	return &domain.SharedDetail{Category: rec.Category, Data: data, Hash: want, Salt: hex.EncodeToString(salt),
		Consent: rec.Consent, Access: rec.ID}, nil
}

// loadAccess reads an access record by its id (NOT_FOUND when absent).
func loadAccess(stub shim.ChaincodeStubInterface, id string) (domain.AccessRecord, error) {
	var rec domain.AccessRecord
	if id == "" {
		return rec, domain.Errorf(domain.CodeInvalid, "access id is empty")
	}
	ik, err := key(objAccessID, id)
	if err != nil {
		return rec, err
	}
	primary, err := stub.GetState(ik)
	if err != nil {
		return rec, err
	}
	if primary == nil {
		return rec, domain.Errorf(domain.CodeNotFound, "no committed access record %s; record the access first", id)
	}
	// only an access record its accessor anchored counts
	ok, err := getAnchored(stub, string(primary), &rec, true, func() string { return rec.Accessor })
	if err == nil && !ok {
		err = domain.Errorf(domain.CodeNotFound, "no committed access record %s", id)
	}
	return rec, err
}

// listAccess lists access records, newest last: of one subject (its owner or
// a regulator), else of the caller org's data (narrowed to an accessor org
// when org is given), or for a regulator of every owner. from/to (RFC 3339,
// inclusive/exclusive) filter by time. A page holds pageSize records unless
// the range ends or maxScan records were examined without filling it.
func (c *SharingContract) listAccess(ctx contractapi.TransactionContextInterface, subject, org, from, to, pageSize, bookmark string) (*domain.Page[domain.AccessRecord], error) {
	caller, err := requireRole(ctx)
	if err != nil {
		return nil, err
	}
	size, err := pageSizeOf(pageSize)
	if err != nil {
		return nil, err
	}
	filter, err := timeFilter(from, to)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(ctx)
	if err != nil {
		return nil, err
	}
	regulator := isRegulator(caller, cfg)
	stub := ctxStub(ctx)
	obj, attrs, indirect := objAccess, []string{caller.MSP}, false
	switch {
	case subject != "":
		item, _, err := loadItem(stub, subject)
		if err != nil {
			return nil, err
		}
		if item.Owner != caller.MSP && !regulator {
			return nil, domain.Errorf(domain.CodeForbidden, "only %s and regulators list access to %s", item.Owner, item.ID)
		}
		attrs = []string{item.Owner, item.ID}
	case regulator:
		attrs = nil
	case !caller.Has(domain.RoleQA, domain.RoleAdmin):
		return nil, domain.Errorf(domain.CodeForbidden, "only the owner's qa/admin and regulators list access records")
	case org != "":
		obj, attrs, indirect = objAccessOrg, []string{caller.MSP, org}, true
	}
	page := &domain.Page[domain.AccessRecord]{Records: []domain.AccessRecord{}}
	// Fill the page: fetch only as many records as are still missing, so the
	// bookmark resumes right after the last record examined; stop after
	// maxScan records examined per call (the bookmark then continues).
	for scanned := 0; scanned < maxScan; {
		want := min(size-len(page.Records), maxScan-scanned)
		n := 0
		bookmark, err = eachKV(stub, obj, attrs, want, bookmark, func(_ string, v []byte) error {
			n++
			var rec domain.AccessRecord
			if indirect {
				if _, err := getJSON(stub, string(v), &rec); err != nil {
					return err
				}
			} else if err := unmarshalRecord(v, &rec); err != nil {
				return err
			}
			if (org == "" || rec.Accessor == org) && filter(rec.At) {
				page.Records = append(page.Records, rec)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		scanned += n
		if bookmark == "" || n < want || len(page.Records) == size {
			break
		}
	}
	page.Bookmark = bookmark
	return page, nil
}

// timeFilter returns a predicate for from ≤ at < to (either may be empty).
func timeFilter(from, to string) (func(at string) bool, error) {
	var lo, hi time.Time
	var err error
	if from != "" {
		if lo, err = time.Parse(time.RFC3339Nano, from); err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "from %q is not an RFC 3339 time", from)
		}
	}
	if to != "" {
		if hi, err = time.Parse(time.RFC3339Nano, to); err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "to %q is not an RFC 3339 time", to)
		}
	}
	return func(at string) bool {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return false
		}
		return (from == "" || !t.Before(lo)) && (to == "" || t.Before(hi))
	}, nil
}

// purgeDetail erases a private detail from the owner's implicit collection
// (PurgePrivateData: also from the peers' private history). The public hash
// and the access records remain. Owner qa/admin, on the owner's peer.
func (c *SharingContract) purgeDetail(ctx contractapi.TransactionContextInterface, subject, category string) (*struct{}, error) {
	item, cat, err := ownedDetail(ctx, subject, category, "purge detail of", domain.Writers("sharing:PurgeDetail")...)
	if err != nil {
		return nil, err
	}
	k, err := DetailKey(cat, item.ID)
	if err != nil {
		return nil, err
	}
	sk, err := SaltKey(cat, item.ID)
	if err != nil {
		return nil, err
	}
	for _, pk := range []string{k, sk} { // the detail and its salt
		if err := ctxStub(ctx).PurgePrivateData(ImplicitCollection(item.Owner), pk); err != nil {
			return nil, domain.Errorf(domain.CodeUnavailable, "purge refused by the peer")
		}
	}
	return &struct{}{}, emit(ctx, EvDetailPurged, item.ID)
}
