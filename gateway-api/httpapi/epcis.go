package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

// mimeJSONLD is the content type of EPCIS 2.0 JSON-LD documents.
const mimeJSONLD = "application/ld+json"

// maxEPCISLookups bounds the item reads one export makes to write GS1
// Digital Link URIs; further ids are written as idchain URIs.
const maxEPCISLookups = 500

// itemEPCIS answers GET /v1/items/{prefix}/{suffix}/epcis: the item's
// provenance events as an EPCIS 2.0 EPCISDocument.
func (s *Service) itemEPCIS(c *gin.Context) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	b, err := s.read(c, ledger.FnGetProvenance, id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	var prov domain.Provenance
	if err := decode(ledger.FnGetProvenance, b, &prov); err != nil {
		s.Fail(c, err)
		return
	}
	// The registration is the item's commissioning event when its history
	// records none (a registered item never exports an empty list).
	prov.Events = epcis.WithRegistration(prov.Item, prov.Events)
	doc, err := epcis.NewDocument(prov.Events, s.epcisItems(c, prov), s.deps.EPCIS)
	if err != nil {
		s.Fail(c, err)
		return
	}
	out, err := epcis.Marshal(doc)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, mimeJSONLD, out)
}

// epcisItems reads the items the events name (cached), so that those with
// a GTIN are written as GS1 Digital Link URIs. An id that cannot be read is
// left out and written as an idchain URI.
func (s *Service) epcisItems(c *gin.Context, prov domain.Provenance) map[string]domain.Item {
	items := map[string]domain.Item{prov.Item.ID: prov.Item}
	add := func(id string) {
		if _, seen := items[id]; seen || id == "" || len(items) >= maxEPCISLookups {
			return
		}
		it, err := s.item(c, id)
		if err != nil {
			it = domain.Item{ID: id} // remembered as seen, no GTIN
		}
		items[id] = it
	}
	for _, e := range prov.Events {
		add(e.ID)
		for _, ch := range e.Children {
			add(ch)
		}
		for _, in := range e.Inputs {
			add(in.ID)
		}
	}
	return items
}

// CaptureResult is the outcome of one event of a capture document: the
// idchain events it became (one per subject) and their results.
type CaptureResult struct {
	Index   int                 `json:"index"` // position in epcisBody.eventList
	EventID string              `json:"eventID,omitempty"`
	Status  string              `json:"status"` // recorded | rejected
	Error   *domain.Error       `json:"error,omitempty"`
	Records []domain.ItemResult `json:"records,omitempty"` // per subject, when submitted
}

// CaptureResponse answers POST /v1/epcis/capture.
type CaptureResponse struct {
	Results []CaptureResult `json:"results"`
	TxIDs   []string        `json:"txIds,omitempty"`
}

// captureEPCIS answers POST /v1/epcis/capture: an EPCIS 2.0 JSON document
// from an MES is validated and its events recorded (trace:RecordEvents, in
// order, ≤ maxTxEvents per transaction). An event is recorded when every
// subject it names was; 201/207/422 as for items.
func (s *Service) captureEPCIS(c *gin.Context) {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = domain.Errorf(CodeTooLarge, "request body is larger than %d bytes", mbe.Limit)
		}
		s.Fail(c, err)
		return
	}
	opt := s.deps.EPCIS
	opt.MaxEvents = MaxBatch
	var lookupErr error
	opt.ResolveGTIN = func(gtin14, lot, serial string) (string, bool) {
		if lot == "" && serial == "" {
			return "", false // a GTIN alone names a product class, not an object
		}
		m, err := s.findGS1(c, identifier.GS1Data{GTIN: gtin14, Lot: lot, Serial: serial})
		if err != nil && domain.CodeOf(err) != domain.CodeNotFound && lookupErr == nil {
			lookupErr = err
		}
		return m.ID, err == nil
	}
	captured, err := epcis.ParseCapture(data, opt)
	if err == nil {
		err = lookupErr
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	if len(captured) == 0 {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "epcisBody.eventList is empty"))
		return
	}
	var inputs []domain.EventInput
	for _, ev := range captured {
		inputs = append(inputs, ev.Inputs...)
	}
	if len(inputs) > MaxBatch {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "the document's events name %d subjects, at most %d per request", len(inputs), MaxBatch))
		return
	}
	res, err := s.recordEventBatches(c, inputs)
	if err != nil {
		s.Fail(c, err)
		return
	}
	out := CaptureResponse{Results: make([]CaptureResult, len(captured)), TxIDs: res.txIDs}
	next, rejected := 0, 0
	for i, ev := range captured {
		r := CaptureResult{Index: ev.Index, EventID: ev.EventID, Status: domain.ResultRecorded, Error: ev.Error}
		if ev.Error == nil {
			r.Records = res.Results[next : next+len(ev.Inputs)]
			next += len(ev.Inputs)
			for _, rec := range r.Records {
				if rec.Status == domain.ResultRejected && r.Error == nil {
					r.Error = rec.Error
				}
			}
		}
		if r.Error != nil {
			r.Status = domain.ResultRejected
			rejected++
		}
		out.Results[i] = r
	}
	c.JSON(batchOutcome(rejected, len(out.Results)), out)
}
