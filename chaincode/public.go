package chaincode

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// maxQualityWalk bounds the parent chain searched for an inspection.
const maxQualityWalk = 8

// PublicContract answers consumers: verification and first scans.
type PublicContract struct {
	contractapi.Contract
}

// NewPublicContract returns the "public" contract.
func NewPublicContract() *PublicContract {
	c := new(PublicContract)
	c.Name = "public"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *PublicContract) GetEvaluateTransactions() []string { return []string{"Verify"} }

func (c *PublicContract) Verify(ctx ctxI, id string) (string, error) { return out(c.verify(ctx, id)) }
func (c *PublicContract) RecordFirstScans(ctx ctxI, scansJSON string) (string, error) {
	return out(c.recordFirstScans(ctx, scansJSON))
}

// FirstScan is one input of RecordFirstScans and the value of scan~<id>.
type FirstScan struct {
	ID   string `json:"id"`
	At   string `json:"at"` // RFC 3339, when the API saw the first scan
	By   string `json:"by,omitempty"`
	TxID string `json:"txId,omitempty"`
}

// verify builds the public view of an item. An id that is well formed but
// not registered is reported as not genuine (no error). Read time decides
// what the item takes from above it (domain/inherit.go): the recall that
// applies, the release of its lot when that covers it, the status of the
// case or pallet that moved it last, and the timeline's events of its lot
// and holders (the newest maxTimeline entries).
func (c *PublicContract) verify(ctx ctxI, id string) (*domain.Verification, error) {
	stub := ctx.GetStub()
	it, cu, err := viewCustody(stub, id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		p, _ := parseID(id)
		return &domain.Verification{ID: p.String(), Genuine: false}, nil
	}
	if err != nil {
		return nil, err
	}
	v := &domain.Verification{ID: it.ID, Genuine: true, Maker: it.Owner, Kind: it.Kind, Industry: it.Industry,
		Model: it.Model, GTIN: it.GTIN, Lot: it.Lot, Serial: it.Serial, CreatedAt: it.CreatedAt}
	if v.MakerEnterprise, err = makerOf(stub, it.ID); err != nil {
		return nil, err
	}
	if v.Recall, err = recallOf(stub, it); err != nil {
		return nil, err
	}
	v.Recalled = v.Recall != nil
	related, err := relatedOf(stub, it)
	if err != nil {
		return nil, err
	}
	rel, err := releaseFor(stub, it, related)
	if err != nil {
		return nil, err
	}
	if rel != nil {
		v.Released, v.ReleasedAt = true, rel.At
		if rel.ID != it.ID {
			v.ReleasedWith = rel.ID
		}
	}
	switch it.Status {
	case domain.StatusReleased, domain.StatusShipped, domain.StatusReceived:
		v.Released = true
	}
	var held domain.Status
	if h := domain.HeldCustody(cu, related.custody); h != nil {
		held = h.Status
	}
	v.Status = domain.PublicStatus(it.Status, v.Released, held, v.Recalled)
	if v.Quality, err = qualitySummary(ctx, it); err != nil {
		return nil, err
	}
	evs, err := historyOf(stub, it, v.Recall, related)
	if err != nil {
		return nil, err
	}
	for _, e := range newest(evs, maxTimeline) {
		t := domain.TimelineEntry{Type: e.Type, At: e.At, By: e.ActorMSP, Step: e.Step}
		if e.Via != "" {
			t.Subject, t.Via = e.ID, e.Via
		}
		v.Timeline = append(v.Timeline, t)
	}
	var fs FirstScan
	k, err := key(objScan, it.ID)
	if err != nil {
		return nil, err
	}
	// only a first scan the platform anchored (its service identity) counts
	cfg, err := loadConfigStub(stub)
	if err != nil {
		return nil, err
	}
	if found, err := getAnchored(stub, k, &fs, true, func() string { return cfg.Authority }); err != nil {
		return nil, err
	} else if found && fs.By == cfg.Authority {
		v.FirstScanAt = fs.At
	}
	return v, nil
}

// qualitySummary is the verdict of the latest inspection of the item or,
// failing that, of its nearest inspected container (lot, batch, panel).
func qualitySummary(ctx ctxI, it domain.Item) (*domain.QualitySummary, error) {
	stub := ctx.GetStub()
	cur := it
	for range maxQualityWalk {
		ins, err := inspectionsOf(stub, cur.ID)
		if err != nil {
			return nil, err
		}
		if n := len(ins); n > 0 {
			return &domain.QualitySummary{Passed: ins[n-1].Passed, InspectedAt: ins[n-1].At}, nil
		}
		if cur.Parent == "" {
			return nil, nil
		}
		if cur, _, err = loadItem(stub, cur.Parent); err != nil {
			return nil, nil
		}
	}
	return nil, nil
}

// recordFirstScans stores the first scan time of registered items; only
// the platform's service identity (requirePlatformService). A scan time must
// lie within TxWindow of the transaction time, which lies within TxWindow of
// the peer's clock. Items already scanned are unchanged; unknown ids are
// rejected. The record is append-only and anchored by the platform.
func (c *PublicContract) recordFirstScans(ctx ctxI, scansJSON string) (*domain.BatchResult, error) {
	who, err := requirePlatformService(ctx)
	if err != nil {
		return nil, err
	}
	scans, err := decodeBatch[FirstScan]("scans", scansJSON)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	res := &domain.BatchResult{Results: make([]domain.ItemResult, len(scans)), TxID: stub.GetTxID()}
	var changed IDSet
	done, pc := map[string]bool{}, policyCache{}
	for i, s := range scans {
		r, err := c.firstScan(ctx, s, who, pc, done)
		if err != nil {
			if domain.CodeOf(err) == domain.CodeInternal {
				return nil, err
			}
			r = domain.ItemResult{ID: s.ID, Status: domain.ResultRejected, Error: asDomainError(err)}
		}
		if r.Status == domain.ResultCreated {
			changed.Add(r.ID)
		}
		res.Results[i] = r
	}
	return res, emit(ctx, EvFirstScans, changed.IDs()...)
}

func (c *PublicContract) firstScan(ctx ctxI, s FirstScan, who Caller, pc policyCache, done map[string]bool) (domain.ItemResult, error) {
	stub := ctx.GetStub()
	p, _, err := itemKeyOf(s.ID)
	if err != nil {
		return domain.ItemResult{}, err
	}
	id := p.String()
	at, err := time.Parse(time.RFC3339Nano, s.At)
	if err != nil {
		return domain.ItemResult{}, domain.Errorf(domain.CodeInvalid, "%s: at must be RFC 3339", id)
	}
	now, err := txTime(stub)
	if err != nil {
		return domain.ItemResult{}, err
	}
	if d := now.Sub(at); d > TxWindow || d < -TxWindow {
		return domain.ItemResult{}, domain.Errorf(domain.CodeInvalid, "%s: scan time %s is outside ±%s of the transaction time", id, s.At, TxWindow)
	}
	sk, err := key(objScan, id)
	if err != nil {
		return domain.ItemResult{}, err
	}
	if done[id] {
		return domain.ItemResult{ID: id, Status: domain.ResultUnchanged}, nil
	}
	// registered as every read sees it: anchored, or a packed unit of an
	// anchored lot (NOT_FOUND otherwise)
	if _, _, err := loadItem(stub, id); err != nil {
		return domain.ItemResult{}, err
	}
	scanned, err := stub.GetState(sk)
	if err != nil {
		return domain.ItemResult{}, fmt.Errorf("get state: %w", err)
	}
	done[id] = true
	if scanned != nil {
		return domain.ItemResult{ID: id, Status: domain.ResultUnchanged}, nil
	}
	rec := FirstScan{ID: id, At: at.UTC().Format(time.RFC3339Nano), By: who.MSP, TxID: stub.GetTxID()}
	b, err := json.Marshal(rec)
	if err != nil {
		return domain.ItemResult{}, err
	}
	if err := stub.PutState(sk, b); err != nil {
		return domain.ItemResult{}, err
	}
	if err := setKeyPolicy(stub, pc, sk, classAppend, ""); err != nil {
		return domain.ItemResult{}, err
	}
	if err := anchorValue(stub, pc, who.MSP, sk, b, classAppend); err != nil {
		return domain.ItemResult{}, err
	}
	return domain.ItemResult{ID: id, Status: domain.ResultCreated}, nil
}
