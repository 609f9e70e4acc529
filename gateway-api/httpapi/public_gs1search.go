package httpapi

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

// fnFindByGTIN is the GTIN lookup requested from the chaincode (see the
// note in docs/chaincode-api.md); until it exists the resolver falls back
// to listing each organisation's items.
const fnFindByGTIN = "registry:FindByGTIN"

// Bounds of the fallback search: pages of ListItems per organisation.
const (
	gs1PageSize = 1000
	gs1MaxPages = 20
)

// searchGS1 asks the ledger for the item of a GS1 key.
func (s *Service) searchGS1(c *gin.Context, d identifier.GS1Data) (domain.Item, error) {
	st := s.deps.Public.state
	if now := s.deps.Public.Now(); now.UnixNano() >= st.noFindUntil.Load() {
		call := ledger.Call{User: s.deps.ServiceUser, Fn: fnFindByGTIN, Args: []string{d.GTIN, d.Lot, d.Serial}}
		b, err := s.deps.Reads.Evaluate(c.Request.Context(), call)
		if err == nil {
			var page domain.Page[domain.Item]
			if err := decode(fnFindByGTIN, b, &page); err != nil {
				return domain.Item{}, err
			}
			return s.pickGS1(c, d, page.Records)
		}
		if domain.CodeOf(err) == domain.CodeNotFound {
			return domain.Item{}, err
		}
		s.logger(c).Info("registry:FindByGTIN unavailable; listing items instead", "err", err.Error())
		st.noFindUntil.Store(now.Add(10 * time.Minute).UnixNano())
	}
	// FindByGTIN is missing or failing: list each organisation's items.
	var cands []domain.Item
	for _, org := range s.deps.Public.Orgs {
		bookmark := ""
		for range gs1MaxPages {
			call := ledger.Call{User: s.deps.ServiceUser, Fn: ledger.FnListItems,
				Args: []string{org, "", d.Lot, strconv.Itoa(gs1PageSize), bookmark}}
			b, err := s.deps.Reads.Evaluate(c.Request.Context(), call)
			if err != nil {
				return domain.Item{}, err
			}
			var page domain.Page[domain.Item]
			if err := decode(ledger.FnListItems, b, &page); err != nil {
				return domain.Item{}, err
			}
			for _, it := range page.Records {
				if it.GTIN == d.GTIN && (d.Serial == "" || it.Serial == d.Serial) {
					cands = append(cands, it)
				}
			}
			if d.Serial != "" && len(cands) > 0 || page.Bookmark == "" {
				break
			}
			bookmark = page.Bookmark
		}
		if d.Serial != "" && len(cands) > 0 {
			break
		}
	}
	return s.pickGS1(c, d, cands)
}

// pickGS1 chooses among items carrying the GTIN: the unit with the serial;
// for a lot, the lot-level item (lot, batch) or the registered parent of a
// unit of that lot; for a GTIN alone, any.
func (s *Service) pickGS1(c *gin.Context, d identifier.GS1Data, cands []domain.Item) (domain.Item, error) {
	nf := domain.Errorf(domain.CodeNotFound, "no item carries GTIN %s", d.GTIN)
	var unitOfLot *domain.Item
	for i, it := range cands {
		if it.GTIN != d.GTIN || d.Lot != "" && it.Lot != d.Lot {
			continue
		}
		switch {
		case d.Serial != "":
			if it.Serial == d.Serial {
				return it, nil
			}
		case d.Lot == "":
			return it, nil
		case it.Kind != domain.KindUnit && it.Kind != domain.KindBoard:
			return it, nil
		case unitOfLot == nil:
			unitOfLot = &cands[i]
		}
	}
	if unitOfLot == nil {
		return domain.Item{}, nf
	}
	if unitOfLot.Parent != "" {
		if p, err := s.item(c, unitOfLot.Parent); err == nil {
			return p, nil
		}
	}
	return *unitOfLot, nil
}
