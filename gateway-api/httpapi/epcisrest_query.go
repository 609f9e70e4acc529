package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

// epcisEvents answers GET /epcis/events: a SimpleEventQuery from the
// standard query parameters, answered with an EPCISQueryDocument of the
// events the caller may see. Captured EPCIS events come from
// epcis:QueryEvents page by page (nextPageToken, Link rel="next"); when
// the query names idchain items (MATCH_epc, MATCH_anyEPC, MATCH_epcClass…
// with their Digital Link or idchain URI), the first page also holds those
// items' ledger provenance as EPCIS events (registration as
// commissioning), for callers that may see them.
func (s *Service) epcisEvents(c *gin.Context) {
	s.answerQuery(c, c.Request.URL.Query())
}

// epcisEventsWith answers an /events sub-resource (GET
// /epcis/eventTypes/{type}/events, /epcs/{epc}/events with the EPC
// percent-encoded in the path — a Digital Link or an EPC URN —,
// /bizSteps/{bizStep}/events, /readPoints/{readPoint}/events, …): the
// events query with param set to the path parameter pathParam.
func (s *Service) epcisEventsWith(param, pathParam string) gin.HandlerFunc {
	return func(c *gin.Context) {
		v := c.Request.URL.Query()
		v.Set(param, c.Param(pathParam))
		s.answerQuery(c, v)
	}
}

// pageToken is what nextPageToken carries: the chaincode bookmark and a
// hash of the query it belongs to.
type pageToken struct {
	Bookmark string `json:"b"`
	Query    string `json:"q"`
}

// queryHash names a query without its paging parameters.
func queryHash(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "nextPageToken" && k != "perPage" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "=" + strings.Join(v[k], "\x00") + "\x01"))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func (s *Service) answerQuery(c *gin.Context, v url.Values) {
	opt := s.deps.EPCIS
	q, derr := opt.ParseQuery(v)
	if derr != nil {
		s.problem(c, derr, "QueryParameterException")
		return
	}
	scope := queryHash(v)
	bookmark, err := readToken(q.NextPageToken, scope)
	if err != nil {
		s.problem(c, err, "QueryParameterException")
		return
	}
	qb, _ := json.Marshal(q)
	page, err := evaluateAs[epcis.Page](s, c, ledger.FnEPCISQuery, string(qb), opt.IDBase, bookmark)
	if err != nil {
		s.problem(c, err, "QueryParameterException")
		return
	}
	var events []json.RawMessage
	if bookmark == "" {
		own, err := s.itemEvents(c, q)
		if err != nil {
			s.problem(c, err, "")
			return
		}
		events = own
	}
	for _, e := range page.Events {
		events = append(events, epcis.WithRecordTime(e.Event, e.RecordTime))
	}
	if page.Bookmark != "" {
		linkNext(c, scope, page.Bookmark)
	}
	s.writeQueryDocument(c, events)
}

// writeQueryDocument answers 200 with an EPCISQueryDocument of events.
func (s *Service) writeQueryDocument(c *gin.Context, events []json.RawMessage) {
	b, err := json.Marshal(epcis.NewQueryDocument(events, time.Now()))
	if err != nil {
		s.problem(c, err, "")
		return
	}
	c.Data(http.StatusOK, negotiateJSONLD(c), b)
}

// negotiateJSONLD answers application/json to a client that asks for it
// and application/ld+json otherwise.
func negotiateJSONLD(c *gin.Context) string {
	if c.NegotiateFormat(mimeJSONLD, gin.MIMEJSON) == gin.MIMEJSON {
		return gin.MIMEJSON
	}
	return mimeJSONLD
}

// maxQueryItems bounds the idchain items one query expands.
const maxQueryItems = 10

// itemEvents returns the ledger provenance, as EPCIS events matching q, of
// the idchain items the query's EPC parameters name and the caller may see
// (its org owns the item, an active consent of category events from the
// owner covers it, or it is a regulator).
func (s *Service) itemEvents(c *gin.Context, q epcis.Query) ([]json.RawMessage, error) {
	ids := s.queryItems(c, q)
	if len(ids) == 0 {
		return nil, nil
	}
	var consents []domain.Consent
	p, _ := Caller(c)
	var out []json.RawMessage
	opt := s.deps.EPCIS
	for i, id := range ids {
		if i == maxQueryItems {
			break
		}
		b, err := s.read(c, ledger.FnGetProvenance, id)
		if domain.CodeOf(err) == domain.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		var prov domain.Provenance
		if err := decode(ledger.FnGetProvenance, b, &prov); err != nil {
			return nil, err
		}
		if p.Role != RoleRegulator && prov.Item.Owner != p.MSPID {
			if consents == nil {
				if consents, err = s.consents(c, "received"); err != nil {
					return nil, err
				}
			}
			if !consentCovers(consents, prov.Item, p.MSPID) {
				continue
			}
		}
		evs := epcis.WithRegistration(prov.Item, prov.Events)
		doc, err := epcis.NewDocument(evs, s.epcisItems(c, domain.Provenance{Item: prov.Item, Events: evs}), opt)
		if err != nil {
			return nil, err
		}
		for i, ev := range doc.Body.EventList {
			raw, err := json.Marshal(ev)
			if err != nil {
				return nil, err
			}
			rec, derr := opt.NewRecord(raw)
			if derr != nil || !q.Matches(rec, evs[i].At) {
				continue
			}
			out = append(out, raw)
		}
	}
	return out, nil
}

// consentCovers reports an active events consent from the item's owner to
// org covering the item.
func consentCovers(cs []domain.Consent, it domain.Item, org string) bool {
	now := time.Now()
	for _, c := range cs {
		if c.Grantor == it.Owner && c.Allows(org, domain.CategoryEvents, it.ID, now) == nil {
			return true
		}
	}
	return false
}

// queryItems finds the idchain items a query's exact EPC parameters name:
// idchain URIs directly, GS1 keys through the ledger's GS1 index.
func (s *Service) queryItems(c *gin.Context, q epcis.Query) []string {
	var ids []string
	seen := map[string]bool{}
	opt := s.deps.EPCIS
	for _, list := range [][]string{q.MatchEPC, q.MatchAny, q.MatchParentID, q.MatchInput, q.MatchOutput, q.MatchClass, q.MatchAnyClass} {
		for _, u := range list {
			e, err := opt.ParseEPC(u)
			if err != nil {
				continue
			}
			id := ""
			switch e.Kind {
			case epcis.KindIDChain:
				id = e.ID
			case epcis.KindSGTIN, epcis.KindLGTIN:
				m, err := s.findGS1(c, identifier.GS1Data{GTIN: e.GS1.GTIN, Lot: e.GS1.Lot, Serial: e.GS1.Serial})
				if err == nil {
					id = m.ID
				}
			}
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// epcisEventTypes answers GET /epcis/eventTypes.
func (s *Service) epcisEventTypes(c *gin.Context) {
	c.JSON(http.StatusOK, collection(epcis.EventTypes))
}

// epcisBizSteps answers GET /epcis/bizSteps: the CBV business steps and
// idchain's own.
func (s *Service) epcisBizSteps(c *gin.Context) {
	c.JSON(http.StatusOK, collection(epcis.BizSteps()))
}

// collection is the EPCIS REST binding's Collection document.
func collection(members []string) gin.H {
	return gin.H{"@context": []any{epcis.ContextURL}, "type": "Collection", "member": members}
}
