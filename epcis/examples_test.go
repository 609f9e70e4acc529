package epcis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/gs1schema"
)

// gs1Examples returns GS1's 47 EPCIS 2.0 example documents by file name.
func gs1Examples(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/gs1-examples/*.jsonld")
	if err != nil || len(files) != 47 {
		tb.Fatalf("want GS1's 47 example documents in testdata/gs1-examples, got %d (%v)", len(files), err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// TestGS1ExamplesAreAccepted runs every GS1 example document through
// capture parsing: every event of every document is accepted and gets a
// record whose ids are canonical.
func TestGS1ExamplesAreAccepted(t *testing.T) {
	docs := gs1Examples(t)
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	events := 0
	for _, n := range names {
		out, err := ParseEPCISDocument(docs[n], Options{})
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		for _, o := range out {
			if o.Error != nil {
				t.Errorf("%s: event %d refused: %v", n, o.Index, o.Error)
				continue
			}
			events++
			if o.Record.EventID == "" || len(o.Record.Event) == 0 {
				t.Errorf("%s: event %d has no eventID or body", n, o.Index)
			}
		}
	}
	t.Logf("%d documents, %d events accepted", len(names), events)
}

// TestGS1ExamplesQueryDocumentValidates captures every GS1 example, puts
// every accepted event into one EPCISQueryDocument as GET /epcis/events
// answers, and validates it against GS1's EPCIS 2.0 JSON schema.
func TestGS1ExamplesQueryDocumentValidates(t *testing.T) {
	var events []json.RawMessage
	for _, b := range gs1Examples(t) {
		out, err := ParseEPCISDocument(b, Options{})
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
	if len(events) != 56 {
		t.Errorf("%d events, want GS1's 56", len(events))
	}
}

// mustSchema loads GS1's EPCIS 2.0 JSON schema (testdata, see export_test.go).
func mustSchema(tb testing.TB) *gojsonschema.Schema {
	tb.Helper()
	s, err := gs1schema.Load("testdata/EPCIS-JSON-Schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
