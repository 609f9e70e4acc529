package epcis

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
)

// resolver maps Digital Links of the fixture back to 标识.
func resolver(items map[string]domain.Item) func(gtin14, lot, serial string) (string, bool) {
	return func(gtin14, lot, serial string) (string, bool) {
		for id, it := range items {
			if it.GTIN != "" && strings.TrimLeft(it.GTIN, "0") == strings.TrimLeft(gtin14, "0") &&
				(serial == "" || it.Serial == serial) && (lot == "" || it.Lot == lot) {
				return id, true
			}
		}
		return "", false
	}
}

func TestCaptureReadsItsOwnExport(t *testing.T) {
	events, items := fixture()
	for _, opt := range []Options{{}, {BareCBV: true, Zone: testZone}} {
		b := mustDocument(t, opt)
		opt.ResolveGTIN = resolver(items)
		got, err := ParseCapture(b, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(events) {
			t.Fatalf("%d results for %d events", len(got), len(events))
		}
		for i, c := range got {
			e := events[i]
			if _, known := shapes[e.Type]; !known {
				continue // idchain BizStep-{word} words read back as process steps
			}
			if !domain.Recordable(e.Type) {
				if c.Error == nil || c.Error.Code != domain.CodeInvalid {
					t.Errorf("event %d (%s): want INVALID, got %+v", i, e.Type, c.Error)
				}
				continue
			}
			if c.Error != nil {
				t.Errorf("event %d (%s): %v", i, e.Type, c.Error)
				continue
			}
			want := e.EventInput
			if want.Disposition == "" {
				want.Disposition = shapes[e.Type].disposition
			}
			if len(c.Inputs) != 1 || !reflect.DeepEqual(c.Inputs[0], want) {
				t.Errorf("event %d (%s):\n got %+v\nwant %+v", i, e.Type, c.Inputs, want)
			}
		}
	}
}

func TestCaptureFansOutObjectEvents(t *testing.T) {
	doc := captureDocument(`{"type":"ObjectEvent","eventTime":"2026-11-27T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
		"action":"OBSERVE","bizStep":"shipping","epcList":["https://id.idchain.example/88.118.8/A","https://id.idchain.example/88.118.8/B"],
		"destinationList":[{"type":"owning_party","destination":"https://id.idchain.example/org/PartnerMSP"}]}`)
	got, err := ParseCapture([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Error != nil || len(got[0].Inputs) != 2 {
		t.Fatalf("got %+v", got[0])
	}
	for i, id := range []string{"88.118.8/A", "88.118.8/B"} {
		in := got[0].Inputs[i]
		if in.ID != id || in.Type != domain.EventShipping || in.Destination != "PartnerMSP" {
			t.Errorf("input %d = %+v", i, in)
		}
	}
}

func captureDocument(events ...string) string {
	return `{"@context":["` + ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0",
		"creationDate":"2026-11-27T10:00:00+08:00","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

func TestCaptureRejectsEvents(t *testing.T) {
	const head = `"eventTime":"2026-11-27T10:00:00+08:00","eventTimeZoneOffset":"+08:00"`
	const unit = `"https://id.idchain.example/88.118.8/KB-1"`
	tests := []struct {
		name  string
		event string
		code  domain.Code
		text  string
	}{
		{"not an object", `[1]`, domain.CodeInvalid, "cannot unmarshal"},
		{"no event time", `{"type":"ObjectEvent","eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning","epcList":[` + unit + `]}`, domain.CodeInvalid, "eventTime is required"},
		{"a bad event time", `{"type":"ObjectEvent","eventTime":"27/11/2026","eventTimeZoneOffset":"+08:00","action":"ADD","bizStep":"commissioning","epcList":[` + unit + `]}`, domain.CodeInvalid, "RFC 3339"},
		{"a bad offset", `{"type":"ObjectEvent","eventTime":"2026-11-27T10:00:00Z","eventTimeZoneOffset":"8","action":"ADD","bizStep":"commissioning","epcList":[` + unit + `]}`, domain.CodeInvalid, "eventTimeZoneOffset"},
		{"an association event", `{"type":"AssociationEvent",` + head + `,"action":"ADD","parentID":` + unit + `}`, domain.CodeInvalid, "unsupported event type"},
		{"no bizStep", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","epcList":[` + unit + `]}`, domain.CodeInvalid, "needs a bizStep"},
		{"a CBV step idchain does not record", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","bizStep":"departing","epcList":[` + unit + `]}`, domain.CodeInvalid, "not one idchain records"},
		{"an unknown bizStep URI", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","bizStep":"https://example.com/step","epcList":[` + unit + `]}`, domain.CodeInvalid, "unknown bizStep"},
		{"commissioning with OBSERVE", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","bizStep":"commissioning","epcList":[` + unit + `]}`, domain.CodeInvalid, "needs action ADD"},
		{"a release", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","bizStep":"` + Namespace + `BizStep-releasing","epcList":[` + unit + `]}`, domain.CodeInvalid, "cannot be captured"},
		{"an empty epcList", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":[]}`, domain.CodeInvalid, "needs an epcList or a quantityList"},
		{"an EPC URN without a GS1 index", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":["urn:epc:id:sgtin:0614141.107346.2017"]}`, domain.CodeInvalidIdentifier, "cannot be resolved here"},
		{"a bad suffix", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":["https://id.idchain.example/88.118.8/a%20b"]}`, domain.CodeInvalidIdentifier, "suffix contains"},
		{"a Digital Link without resolver", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":["https://id.gs1.org/01/06901234567892/21/1"]}`, domain.CodeInvalidIdentifier, "cannot be resolved"},
		{"a Digital Link with a bad check digit", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":["https://id.gs1.org/01/06901234567891/21/1"]}`, domain.CodeInvalidIdentifier, "check digit"},
		{"an unknown disposition", `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","disposition":"fine","epcList":[` + unit + `]}`, domain.CodeInvalid, "unknown disposition"},
		{"a foreign destination", `{"type":"ObjectEvent",` + head + `,"action":"OBSERVE","bizStep":"shipping","epcList":[` + unit + `],"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:1.2"}]}`, domain.CodeInvalid, "organisation URI"},
		{"aggregation OBSERVE", `{"type":"AggregationEvent",` + head + `,"action":"OBSERVE","parentID":` + unit + `,"childEPCs":[` + unit + `]}`, domain.CodeInvalid, "ADD or DELETE"},
		{"aggregation without parent", `{"type":"AggregationEvent",` + head + `,"action":"ADD","childEPCs":[` + unit + `]}`, domain.CodeInvalid, "needs parentID"},
		{"aggregation ADD without children", `{"type":"AggregationEvent",` + head + `,"action":"ADD","parentID":` + unit + `}`, domain.CodeInvalid, "needs childEPCs"},
		{"transformation with action", `{"type":"TransformationEvent",` + head + `,"action":"ADD","inputEPCList":[` + unit + `],"outputEPCList":[` + unit + `]}`, domain.CodeInvalid, "no action"},
		{"transformation without inputs", `{"type":"TransformationEvent",` + head + `,"outputEPCList":[` + unit + `]}`, domain.CodeInvalid, "needs inputs and outputs"},
	}
	events := make([]string, len(tests))
	for i, tc := range tests {
		events[i] = tc.event
	}
	// One document with every bad event plus a good one: errors stay per event.
	good := `{"type":"ObjectEvent",` + head + `,"action":"ADD","bizStep":"commissioning","epcList":[` + unit + `]}`
	got, err := ParseCapture([]byte(captureDocument(append(events, good)...)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := got[i]
			if c.Error == nil {
				t.Fatalf("accepted: %+v", c.Inputs)
			}
			if !errors.Is(c.Error, &domain.Error{Code: tc.code}) || !strings.Contains(c.Error.Message, tc.text) {
				t.Errorf("got %v, want %s containing %q", c.Error, tc.code, tc.text)
			}
			if c.Index != i || !strings.HasPrefix(c.Error.Message, "event ") {
				t.Errorf("index %d, message %q", c.Index, c.Error.Message)
			}
		})
	}
	if last := got[len(tests)]; last.Error != nil || last.Inputs[0].ID != "88.118.8/KB-1" {
		t.Errorf("the good event next to bad ones: %+v", last)
	}
}

func TestCaptureRejectsDocuments(t *testing.T) {
	tests := []struct{ name, doc, text string }{
		{"not JSON", `{`, "not an EPCIS JSON document"},
		{"a query document without results", `{"@context":"x","type":"EPCISQueryDocument","schemaVersion":"2.0","epcisBody":{}}`, "resultsBody.eventList is missing"},
		{"another document type", `{"type":"EPCISMasterDataDocument"}`, "type must be"},
		{"no context", `{"type":"EPCISDocument","schemaVersion":"2.0","epcisBody":{"eventList":[]}}`, "@context"},
		{"EPCIS 1.2", `{"@context":"x","type":"EPCISDocument","schemaVersion":"1.2","epcisBody":{"eventList":[]}}`, "schemaVersion"},
		{"no body", `{"@context":"x","type":"EPCISDocument","schemaVersion":"2.0"}`, "epcisBody is missing"},
		{"a bad creationDate", `{"@context":"x","type":"EPCISDocument","schemaVersion":"2.0","creationDate":"now","epcisBody":{"eventList":[]}}`, "creationDate"},
		{"too many events", captureDocument(`{}`, `{}`, `{}`), "at most 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCapture([]byte(tc.doc), Options{MaxEvents: 2})
			if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("got %v, want INVALID containing %q", err, tc.text)
			}
		})
	}
}

func TestCapturedJSON(t *testing.T) {
	c := Captured{Index: 2, EventID: "urn:uuid:x", Error: domain.Errorf(domain.CodeInvalid, "event 2: bad")}
	b, _ := json.Marshal(c)
	if want := `{"index":2,"eventID":"urn:uuid:x","error":{"code":"INVALID","message":"event 2: bad"}}`; string(b) != want {
		t.Errorf("got %s", b)
	}
}

func FuzzParseCapture(f *testing.F) {
	f.Add([]byte(captureDocument(`{"type":"ObjectEvent","eventTime":"2026-11-27T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning","epcList":["https://id.idchain.example/88.1/x"]}`)))
	f.Add(mustDocument(f, Options{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCapture(data, Options{ResolveGTIN: func(string, string, string) (string, bool) { return "88.1/x", true }})
		if err != nil {
			return
		}
		for _, c := range got {
			if (c.Error == nil) == (len(c.Inputs) == 0) {
				t.Fatalf("event %d: error %v with %d inputs", c.Index, c.Error, len(c.Inputs))
			}
		}
	})
}
