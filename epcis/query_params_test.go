package epcis

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/idchain/idchain/domain"
)

// Events for the parameters matched on the event object: quantities in
// two lists, an error declaration with reason and corrective event, and
// locations at GLN and sub-location (SGLN extension) level.
const (
	qpWithQuantities = `{"type":"TransformationEvent","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"+08:00",
		"inputQuantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200,"uom":"KGM"}],
		"outputQuantityList":[{"epcClass":"urn:epc:idpat:sgtin:4012345.012345.*","quantity":12.5}],
		"readPoint":{"id":"urn:epc:id:sgln:0614141.12345.400"},"bizLocation":{"id":"https://id.gs1.org/414/0614141123452"}}`
	qpWithError = `{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"+08:00",
		"epcList":["urn:epc:id:sgtin:0614141.812345.6789"],"readPoint":{"id":"https://id.gs1.org/414/0614141123452"},
		"errorDeclaration":{"declarationTime":"2026-11-29T10:00:00+08:00","reason":"incorrect_data",
		"correctiveEventIDs":["urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"]}}`
	qpPlain = `{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"+08:00",
		"epcList":["urn:epc:id:sgtin:0614141.812345.6789"],"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.1"}],
		"readPoint":{"id":"https://example.com/dock/1"}}`
)

func qpRecord(t *testing.T, ev string) Record {
	t.Helper()
	r, err := Options{}.NewRecord(json.RawMessage(ev))
	if err != nil {
		t.Fatalf("NewRecord: %v", err)
	}
	return r
}

// TestQueryParametersOnEventDetail: one row per parameter (and bounds),
// with the expected answer for each of the three events.
func TestQueryParametersOnEventDetail(t *testing.T) {
	recs := map[string]Record{"quantities": qpRecord(t, qpWithQuantities), "error": qpRecord(t, qpWithError), "plain": qpRecord(t, qpPlain)}
	tests := []struct {
		q    string
		want map[string]bool // the events that match
	}{
		// WD_: a location matches itself; a GLN contains its SGLN sub-locations.
		{"WD_readPoint=urn:epc:id:sgln:0614141.12345.400", map[string]bool{"quantities": true}},
		{"WD_readPoint=urn:epc:id:sgln:0614141.12345.0", map[string]bool{"quantities": true, "error": true}},
		{"WD_readPoint=https://id.gs1.org/414/0614141123452", map[string]bool{"quantities": true, "error": true}},
		{"WD_readPoint=https://id.gs1.org/414/0614141123452/254/401", nil},
		{"WD_readPoint=https://example.com/dock/1", map[string]bool{"plain": true}},
		{"WD_readPoint=https://example.com/dock", nil}, // no hierarchy among other URIs
		{"WD_bizLocation=urn:epc:id:sgln:0614141.12345.0", map[string]bool{"quantities": true}},
		{"WD_bizLocation=urn:epc:id:sgln:0614141.12345.400", nil},
		// Quantities: some quantityElement with a quantity satisfies all.
		{"EQ_quantity=200", map[string]bool{"quantities": true}},
		{"EQ_quantity=12.50", map[string]bool{"quantities": true}},
		{"EQ_quantity=13", nil},
		{"GT_quantity=200", nil},
		{"GT_quantity=199.9", map[string]bool{"quantities": true}},
		{"GE_quantity=200", map[string]bool{"quantities": true}},
		{"LT_quantity=12.5", nil},
		{"LT_quantity=13", map[string]bool{"quantities": true}},
		{"LE_quantity=12.5", map[string]bool{"quantities": true}},
		{"GT_quantity=13&LT_quantity=199", nil}, // neither 12.5 nor 200 lies between
		{"GE_quantity=0", map[string]bool{"quantities": true}},
		// Error declarations.
		{"EXISTS_errorDeclaration=true", map[string]bool{"error": true}},
		{"EXISTS_errorDeclaration=", map[string]bool{"error": true}},
		{"EXISTS_errorDeclaration=false", map[string]bool{"quantities": true, "error": true, "plain": true}},
		{"GE_errorDeclarationTime=2026-11-29T02:00:00Z", map[string]bool{"error": true}},
		{"GE_errorDeclarationTime=2026-11-29T02:00:01Z", nil},
		{"LT_errorDeclarationTime=2026-11-29T02:00:01Z", map[string]bool{"error": true}},
		{"LT_errorDeclarationTime=2026-11-29T02:00:00Z", nil},
		{"EQ_errorReason=incorrect_data", map[string]bool{"error": true}},
		{"EQ_errorReason=https://ref.gs1.org/cbv/ER-incorrect_data", map[string]bool{"error": true}},
		{"EQ_errorReason=urn:epcglobal:cbv:er:did_not_occur|urn:epcglobal:cbv:er:incorrect_data", map[string]bool{"error": true}},
		{"EQ_errorReason=did_not_occur", nil},
		{"EQ_correctiveEventID=urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8", map[string]bool{"error": true}},
		{"EQ_correctiveEventID=urn:uuid:00000000-0000-4000-8000-000000000000", nil},
		// Combined with the indexed parameters.
		{"EQ_errorReason=incorrect_data&eventType=TransformationEvent", nil},
		{"GE_quantity=100&eventType=TransformationEvent", map[string]bool{"quantities": true}},
	}
	for _, tt := range tests {
		q, ok := parseTestQuery(t, tt.q)
		if !ok {
			continue
		}
		for name, r := range recs {
			if got := q.Matches(r, "2026-12-01T10:00:00Z"); got != tt.want[name] {
				t.Errorf("%q on %s event: matches = %v, want %v", tt.q, name, got, tt.want[name])
			}
		}
	}
}

func TestQueryParametersRefuseBadValues(t *testing.T) {
	for _, q := range []string{
		"EQ_quantity=many", "GT_quantity=", "LE_quantity=NaN", "GE_quantity=Inf", "EXISTS_errorDeclaration=yes",
		"GE_errorDeclarationTime=today", "LT_errorDeclarationTime=2026-11-29", "EQ_errorReason=wrong", "EQ_correctiveEventID=abc",
		"WD_readPoint=dock-1", "WD_bizLocation=urn:epc:id:sgln:1.2.3", "EQ_quantity=1&EQ_quantity=2",
	} {
		v, _ := url.ParseQuery(q)
		if _, err := (Options{}).ParseQuery(v); err == nil || err.Code != domain.CodeInvalid {
			t.Errorf("ParseQuery(%q) = %v, want INVALID", q, err)
		}
	}
}
