package epcis

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
)

const evHead = `"eventTime":"2026-11-27T08:00:00+08:00","eventTimeZoneOffset":"+08:00"`

func TestNewRecordRejectsByEPCISRules(t *testing.T) {
	tests := []struct {
		name, ev, want string
		code           domain.Code
	}{
		{"no type", `{` + evHead + `}`, "event type is required", domain.CodeInvalid},
		{"an unknown type", `{"type":"FooEvent",` + evHead + `}`, "unknown event type", domain.CodeInvalid},
		{"no eventTime", `{"type":"ObjectEvent","action":"ADD","eventTimeZoneOffset":"+08:00"}`, "eventTime is required", domain.CodeInvalid},
		{"a bad offset", `{"type":"ObjectEvent","action":"ADD","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"8"}`, "eventTimeZoneOffset", domain.CodeInvalid},
		{"an ObjectEvent without action", `{"type":"ObjectEvent",` + evHead + `}`, "needs an action", domain.CodeInvalid},
		{"a bad action", `{"type":"ObjectEvent","action":"MOVE",` + evHead + `}`, "action must be", domain.CodeInvalid},
		{"an aggregation ADD without parent", `{"type":"AggregationEvent","action":"ADD",` + evHead + `,"childEPCs":["urn:epc:id:sgtin:0614141.812345.1"]}`, "needs a parentID", domain.CodeInvalid},
		{"an association without parent", `{"type":"AssociationEvent","action":"OBSERVE",` + evHead + `}`, "AssociationEvent needs a parentID", domain.CodeInvalid},
		{"a transaction without business transaction", `{"type":"TransactionEvent","action":"ADD",` + evHead + `}`, "non-empty bizTransactionList", domain.CodeInvalid},
		{"a transformation with action", `{"type":"TransformationEvent","action":"ADD",` + evHead + `}`, "has no action", domain.CodeInvalid},
		{"a transformation without outputs", `{"type":"TransformationEvent",` + evHead + `,"inputEPCList":["urn:epc:id:sgtin:0614141.812345.1"]}`, "at least one input and one output", domain.CodeInvalid},
		{"a class in epcList", `{"type":"ObjectEvent","action":"ADD",` + evHead + `,"epcList":["urn:epc:class:lgtin:4012345.012345.998877"]}`, "use quantityList", domain.CodeInvalidIdentifier},
		{"an instance as epcClass", `{"type":"ObjectEvent","action":"ADD",` + evHead + `,"quantityList":[{"epcClass":"urn:epc:id:sgtin:0614141.812345.1"}]}`, "a class (epcClass) is expected", domain.CodeInvalidIdentifier},
		{"a bad check digit", `{"type":"ObjectEvent","action":"ADD",` + evHead + `,"epcList":["https://id.gs1.org/01/80614141123459/21/1"]}`, "check digit", domain.CodeInvalidIdentifier},
		{"a uom without quantity", `{"type":"ObjectEvent","action":"ADD",` + evHead + `,"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","uom":"KGM"}]}`, "needs a quantity", domain.CodeInvalid},
		{"a bare non-CBV bizStep", `{"type":"ObjectEvent","action":"ADD","bizStep":"frobbing",` + evHead + `}`, "neither a CBV word nor a URI", domain.CodeInvalid},
		{"a non-URI readPoint", `{"type":"ObjectEvent","action":"ADD","readPoint":{"id":"dock 4"},` + evHead + `}`, "readPoint.id", domain.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Options{}.NewRecord(json.RawMessage(tt.ev))
			if err == nil || !errors.Is(err, &domain.Error{Code: tt.code}) || !strings.Contains(err.Message, tt.want) {
				t.Fatalf("NewRecord = %v, want a %s refusal containing %q", err, tt.code, tt.want)
			}
		})
	}
}

func TestRecordAndQueryMatch(t *testing.T) {
	ev := `{"type":"AggregationEvent","action":"OBSERVE","bizStep":"urn:epcglobal:cbv:bizstep:receiving",` + evHead + `,
		"parentID":"urn:epc:id:sscc:0614141.1234567890","childEPCs":["urn:epc:id:sgtin:0614141.812345.6789"],
		"childQuantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":2}],
		"readPoint":{"id":"urn:epc:id:sgln:0614141.12345.400"}}`
	r, err := Options{}.NewRecord(json.RawMessage(ev))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.EventID, "ni:///sha-256;") || !strings.Contains(string(r.Event), `"eventID"`) {
		t.Fatalf("an event without eventID gets one: %s %s", r.EventID, r.Event)
	}
	tests := []struct {
		q    string
		want bool
	}{
		{"", true},
		{"MATCH_epc=https://id.gs1.org/01/80614141123458/21/6789", true},
		{"MATCH_epc=urn:epc:idpat:sgtin:0614141.812345.*", true},
		{"MATCH_epc=https://id.gs1.org/01/80614141123458", true},
		{"MATCH_epc=urn:epc:id:sgtin:0614141.812345.6780", false},
		{"MATCH_parentID=https://x.example/00/106141412345678908", true},
		{"MATCH_anyEPC=urn:epc:id:sscc:0614141.1234567890", true},
		{"MATCH_epcClass=https://id.gs1.org/01/04012345123456/10/998877", true},
		{"MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.1", false},
		{"eventType=AggregationEvent|ObjectEvent&EQ_bizStep=receiving", true},
		{"eventType=ObjectEvent", false},
		{"EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping", false},
		{"EQ_readPoint=https://id.gs1.org/414/0614141123452/254/400", true},
		{"GE_eventTime=2026-11-27T00:00:00Z&LT_eventTime=2026-11-28T00:00:00Z", true},
		{"LT_eventTime=2026-11-27T00:00:00Z", false},
		{"GE_recordTime=2026-12-01T00:00:00Z", true},
		{"LT_recordTime=2026-12-01T00:00:00Z", false},
		{"EQ_action=ADD", false},
	}
	for _, tt := range tests {
		q, ok := parseTestQuery(t, tt.q)
		if !ok {
			continue
		}
		if got := q.Matches(r, "2026-12-01T10:00:00Z"); got != tt.want {
			t.Errorf("%q matches = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryRejects(t *testing.T) {
	for _, q := range []string{
		"eventType=FooEvent", "GE_eventTime=yesterday", "perPage=0", "perPage=100000", "MATCH_epc=urn:epc:id:sgtin:1.2.3",
		"EQ_bizStep=frobbing", "foo=bar", "MATCH_epc=a&MATCH_epc=b", "EQ_action=MOVE", "MATCH_epc=urn:epc:class:lgtin:4012345.012345.998877",
	} {
		v, _ := url.ParseQuery(q)
		if _, err := (Options{}).ParseQuery(v); err == nil || err.Code != domain.CodeInvalid {
			t.Errorf("ParseQuery(%q) = %v, want INVALID", q, err)
		}
	}
}

func TestBizStepsListsCBVAndIDChainSteps(t *testing.T) {
	steps := BizSteps()
	if steps[0] != "accepting" || !has(steps, "shipping") || !has(steps, Namespace+"BizStep-releasing") || has(steps, "releasing") {
		t.Fatalf("bizSteps %v", steps)
	}
}

// parseTestQuery parses a URL query string with ParseQuery, reporting a
// refusal as a test error (ok false).
func parseTestQuery(t *testing.T, raw string) (Query, bool) {
	t.Helper()
	v, _ := url.ParseQuery(raw)
	q, err := Options{}.ParseQuery(v)
	if err != nil {
		t.Errorf("ParseQuery(%q): %v", raw, err)
		return q, false
	}
	return q, true
}
