package chaincode

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// EPCIS event store: EPCIS 2.0 events captured through the REST binding
// (POST /epcis/capture) that are kept as EPCIS events, whatever objects
// they name (GS1 keys of any company, EPC URNs, idchain URIs).
//
//	epcisev  [hash]                  epcis.Stored; hash = hex SHA-256 of the eventID
//	epcisby  [ownerMSP, ts, hash]    0x00 – an org's captures by record time
//	epcisall [ts, hash]              owner MSP – every capture by record time (regulators)
//	epcisepc [epc, ts, hash]         owner MSP – every EPC/class an event names (MATCH_*)
const (
	objEPCISEvent = "epcisev"
	objEPCISBy    = "epcisby"
	objEPCISAll   = "epcisall"
	objEPCISEPC   = "epcisepc"
)

// Limits of the EPCIS store.
const (
	maxEPCISScan = 2000 // index entries one query call reads
	maxEPCISPage = 500
)

// EPCISContract is the "epcis" contract.
type EPCISContract struct {
	contractapi.Contract
}

func init() {
	addContract(func() contractapi.ContractInterface {
		c := new(EPCISContract)
		c.Name = "epcis"
		return c
	})
}

// GetEvaluateTransactions marks the read-only functions.
func (c *EPCISContract) GetEvaluateTransactions() []string {
	return []string{"QueryEvents", "GetEvent", "GetCaptureJob", "ListCaptureJobs"}
}

// Capture records EPCIS events (a JSON array of event objects) as part of
// a capture job (optionsJSON: CaptureOptions). Every event is checked again
// here by the epcis package's rules (the gateway is not trusted).
func (c *EPCISContract) Capture(ctx ctxI, eventsJSON, optionsJSON string) (string, error) {
	return out(captureEPCIS(ctx, eventsJSON, optionsJSON))
}

// GetCaptureJob returns a capture job of the caller's org.
func (c *EPCISContract) GetCaptureJob(ctx ctxI, jobID string) (string, error) {
	return out(getCaptureJob(ctx, jobID))
}

// QueryEvents answers a SimpleEventQuery (epcis.Query as JSON) with the
// events the caller may see, from bookmark on.
func (c *EPCISContract) QueryEvents(ctx ctxI, queryJSON, idBase, bookmark string) (string, error) {
	return out(queryEPCIS(ctx, queryJSON, idBase, bookmark))
}

// GetEvent returns one event by eventID, if the caller may see it.
func (c *EPCISContract) GetEvent(ctx ctxI, eventID string) (string, error) {
	return out(getEPCIS(ctx, eventID))
}

func epcisHash(eventID string) string {
	sum := sha256.Sum256([]byte(eventID))
	return hex.EncodeToString(sum[:])
}

// indexEPCIS writes the index keys of a stored event.
func indexEPCIS(stub shim.ChaincodeStubInterface, pc policyCache, s epcis.Stored, ts, h string) error {
	put := func(value []byte, objectType string, attrs ...string) error {
		k, err := key(objectType, attrs...)
		if err != nil {
			return err
		}
		if err := stub.PutState(k, value); err != nil {
			return fmt.Errorf("put %s: %w", objectType, err)
		}
		return setKeyPolicy(stub, pc, k, classAppend, s.Owner)
	}
	owner := []byte(s.Owner)
	for _, p := range s.Parties {
		if err := put([]byte{0}, objEPCISBy, p, ts, h); err != nil {
			return err
		}
	}
	if err := put(owner, objEPCISAll, ts, h); err != nil {
		return err
	}
	for _, e := range append(s.AnyEPCs(), s.AnyClasses()...) {
		if err := put(owner, objEPCISEPC, e, ts, h); err != nil {
			return err
		}
	}
	return nil
}

// maxEPCISItems bounds the GS1 index reads of one captured event.
const maxEPCISItems = 50

// eventParties finds the idchain items an event names and the orgs that
// see it: the capturing org and the owners of those items (sorted).
func eventParties(stub shim.ChaincodeStubInterface, opt epcis.Options, rec epcis.Record, owner string) (items, parties []string, err error) {
	var ids IDSet
	owners := map[string]string{} // id -> owner of an item already read through the GS1 index
	for i, u := range append(rec.AnyEPCs(), rec.AnyClasses()...) {
		if i == maxEPCISItems {
			break
		}
		e, derr := opt.ParseEPC(u)
		if derr != nil {
			continue // a URI of another scheme names no idchain item
		}
		id := ""
		var it domain.Item
		switch e.Kind {
		case epcis.KindIDChain:
			id = e.ID
		case epcis.KindSGTIN:
			id, it, err = indexedHolder(stub, objGS1, e.GS1.GTIN, e.GS1.Serial)
		case epcis.KindLGTIN:
			id, it, err = indexedHolder(stub, objGS1Lot, e.GS1.GTIN, e.GS1.Lot)
		}
		if err != nil {
			return nil, nil, err
		}
		if id != "" {
			ids.Add(id)
			if e.Kind != epcis.KindIDChain {
				owners[id] = it.Owner
			}
		}
	}
	orgs := map[string]bool{owner: true}
	for _, id := range ids.IDs() {
		o, read := owners[id]
		if !read {
			it, _, err := loadItem(stub, id)
			if err != nil {
				continue // not registered (yet): the id stays, no owner
			}
			o = it.Owner
		}
		orgs[o] = true
		items = append(items, id)
	}
	for o := range orgs {
		parties = append(parties, o)
	}
	sort.Strings(parties)
	sort.Strings(items)
	return items, parties, nil
}

// epcisViewer says whose events the caller sees: events its org is a
// party to, events of items an active "events" consent grants it, or all
// for a regulator.
type epcisViewer struct {
	msp      string
	all      bool
	consents []domain.Consent // active, category events, received
}

func (v epcisViewer) sees(s epcis.Stored) bool {
	if v.all || slices.Contains(s.Parties, v.msp) {
		return true
	}
	for _, c := range v.consents {
		if !slices.Contains(s.Parties, c.Grantor) {
			continue
		}
		for _, id := range s.Items {
			if c.Covers(domain.CategoryEvents, id) {
				return true
			}
		}
	}
	return false
}

// maxEPCISConsents bounds the consents one query reads.
const maxEPCISConsents = 100

func viewerOf(ctx ctxI) (epcisViewer, error) {
	caller, err := requireRole(ctx)
	if err != nil {
		return epcisViewer{}, err
	}
	cfg, err := loadConfig(ctx)
	if err != nil {
		return epcisViewer{}, err
	}
	v := epcisViewer{msp: caller.MSP, all: cfg.IsRegulator(caller.MSP) && caller.Has(domain.RoleRegulator)}
	if v.all {
		return v, nil
	}
	stub := ctx.GetStub()
	now, err := txTime(stub)
	if err != nil {
		return v, err
	}
	var ids []string
	if err := scanAll(stub, objConsentTo, []string{caller.MSP}, func(k string, _ []byte) error {
		if len(ids) < maxEPCISConsents {
			id, err := lastAttr(stub, k)
			ids = append(ids, id)
			return err
		}
		return nil
	}); err != nil {
		return v, err
	}
	for _, id := range ids {
		cs, _, err := loadConsent(stub, id)
		if domain.CodeOf(err) == domain.CodeNotFound {
			// An index entry without its anchored consent (one a coalition
			// planted, docs/threat-model.md) grants nothing and must not
			// break the grantee's reads either.
			continue
		}
		if err != nil {
			return v, err
		}
		if cs.Grantee == caller.MSP && cs.ActiveAt(now) && slices.Contains(cs.Categories, domain.CategoryEvents) {
			v.consents = append(v.consents, cs)
		}
	}
	return v, nil
}

func queryEPCIS(ctx ctxI, queryJSON, idBase, bookmark string) (epcis.Page, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return epcis.Page{}, err
	}
	var q epcis.Query
	if err := parseJSONArg("query", queryJSON, &q); err != nil {
		return epcis.Page{}, err
	}
	per := q.PerPage
	if per <= 0 || per > maxEPCISPage {
		per = epcis.DefaultPerPage
	}
	// The narrowest index that serves the query: one exact EPC, the
	// caller's own captures, or (regulators) every capture.
	objectType, attrs := objEPCISAll, []string{}
	if !v.all && len(v.consents) == 0 {
		objectType, attrs = objEPCISBy, []string{v.msp}
	}
	if e := exactEPC(q); e != "" {
		objectType, attrs = objEPCISEPC, []string{e}
	}
	stub := ctx.GetStub()
	if bookmark != "" {
		prefix, err := stub.CreateCompositeKey(objectType, attrs)
		if err != nil || !strings.HasPrefix(bookmark, prefix) {
			return epcis.Page{}, domain.Errorf(domain.CodeInvalid, "the page token does not belong to this query")
		}
	}
	page := epcis.Page{Events: []epcis.Stored{}}
	seen := map[string]bool{}
	next, err := eachKV(stub, objectType, attrs, maxEPCISScan, bookmark, func(k string, _ []byte) error {
		if len(page.Events) >= per {
			return errPageFull
		}
		h, err := lastAttr(stub, k)
		if err != nil || seen[h] {
			return err
		}
		seen[h] = true // an event is listed once, whatever stray index keys say
		ek, err := key(objEPCISEvent, h)
		if err != nil {
			return err
		}
		var s epcis.Stored
		ok, err := getAnchored(stub, ek, &s, true, func() string { return s.Owner })
		if err != nil || !ok || !v.sees(s) || !q.Matches(s.Record, s.RecordTime) {
			return err
		}
		page.Events = append(page.Events, s)
		page.Bookmark = k
		return nil
	})
	switch {
	case err == errPageFull:
		// page.Bookmark is the last key returned: continue after it.
		page.Bookmark = afterKey(page.Bookmark)
	case err != nil:
		return epcis.Page{}, err
	default:
		page.Bookmark = next
	}
	return page, nil
}

// errPageFull stops a scan once a page is full.
var errPageFull = domain.Errorf(domain.CodeInvalid, "page full")

// afterKey is the smallest key after k (a range-scan bookmark is the key
// to start at).
func afterKey(k string) string { return k + "\x00" }

// exactEPC returns the one exact EPC a query names in MATCH_epc or
// MATCH_anyEPC (or MATCH_epcClass), "" when there is none or several.
func exactEPC(q epcis.Query) string {
	for _, l := range [][]string{q.MatchAny, q.MatchEPC, q.MatchParentID, q.MatchInput, q.MatchOutput, q.MatchClass, q.MatchAnyClass} {
		if len(l) == 1 && len(l[0]) > 4 && l[0][len(l[0])-4:] != "/21/" {
			return l[0]
		}
	}
	return ""
}

func getEPCIS(ctx ctxI, eventID string) (epcis.Stored, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return epcis.Stored{}, err
	}
	k, err := key(objEPCISEvent, epcisHash(eventID))
	if err != nil {
		return epcis.Stored{}, err
	}
	var s epcis.Stored
	ok, err := getAnchored(ctx.GetStub(), k, &s, true, func() string { return s.Owner })
	if err != nil {
		return epcis.Stored{}, err
	}
	if !ok || !v.sees(s) {
		return epcis.Stored{}, domain.Errorf(domain.CodeNotFound, "no event %s", eventID)
	}
	return s, nil
}
