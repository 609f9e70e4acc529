//go:build integration

package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/epcis"
)

// TestEPCISRESTHashIDsQueryParametersAndNamedQueries captures three events
// without eventID on the real network: each is named by its CBV 2.0 event
// hash (computed here independently from the document), the detail query
// parameters (WD_readPoint, quantities, error declarations) select the
// right ones, and a named query saved in Redis runs through
// /epcis/queries/{name}/events for its org only.
func TestEPCISRESTHashIDsQueryParametersAndNamedQueries(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	run := randHex(4)
	epc := "urn:epc:id:sgtin:0614141.812345.H" + run
	now := time.Now().UTC().Format(time.RFC3339)
	corrective := "urn:uuid:7c3e1f40-0000-4000-8000-0000" + run + "00"
	base := `"type":"ObjectEvent","action":"OBSERVE","eventTime":"` + now + `","eventTimeZoneOffset":"+08:00","epcList":["` + epc + `"],`
	events := map[string]string{
		// A sub-location (SGLN extension) of GLN 0614141008889, with a quantity and an extension field.
		"A": `{` + base + `"bizStep":"receiving","readPoint":{"id":"urn:epc:id:sgln:0614141.00888.D` + run + `"},
			"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.L` + run + `","quantity":37.5,"uom":"KGM"}],"ex:batch":"` + run + `"}`,
		// The GLN itself, with an error declaration.
		"B": `{` + base + `"bizStep":"inspecting","readPoint":{"id":"urn:epc:id:sgln:0614141.00888.0"},
			"errorDeclaration":{"declarationTime":"2026-11-30T10:00:00Z","reason":"incorrect_data","correctiveEventIDs":["` + corrective + `"]}}`,
		// Elsewhere, a small quantity.
		"C": `{` + base + `"bizStep":"shipping","readPoint":{"id":"https://example.com/dock/` + run + `"},
			"quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.L` + run + `","quantity":3}]}`,
	}
	context := `["` + epcis.ContextURL + `",{"ex":"https://ns.example.com/epcis/"}]`
	want := map[string]string{} // hash id → event name
	var list []string
	for _, n := range []string{"A", "B", "C"} {
		id, err := epcis.Options{}.EventHashID(json.RawMessage(events[n]), json.RawMessage(context))
		if err != nil || !strings.HasPrefix(id, "ni:///sha-256;") || !strings.HasSuffix(id, "?ver=CBV2.0") {
			t.Fatalf("hash of %s: %q %v", n, id, err)
		}
		want[id] = n
		list = append(list, events[n])
	}
	doc := `{"@context":` + context + `,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"` + now + `","epcisBody":{"eventList":[` + strings.Join(list, ",") + `]}}`
	r := e.call(t, "POST", "/epcis/capture", "partner-operator", doc, "Content-Type", "application/ld+json")
	expect(t, "capture", r, http.StatusAccepted)
	job := decodeBody[captureJob](t, r)
	if len(job.Outcomes) != 3 {
		t.Fatalf("job %+v", job)
	}
	for _, o := range job.Outcomes {
		if _, ok := want[o.EventID]; !ok || o.Status == "rejected" {
			t.Fatalf("event %d: eventID %s (%s), want one of the CBV hashes %v", o.Index, o.EventID, o.Status, want)
		}
	}
	name := func(id string) string { return want[id] }
	idOf := map[string]string{}
	for id, n := range want {
		idOf[n] = id
	}
	// The event is found under its hash id.
	eventually(t, 20*time.Second, func() string {
		r := e.call(t, "GET", "/epcis/events/"+url.PathEscape(idOf["A"]), "partner-operator", nil)
		if r.status != 200 || !strings.Contains(string(r.body), idOf["A"]) {
			return "GET /epcis/events/{hash}: " + string(r.body)
		}
		return ""
	})

	match := "/epcis/events?perPage=50&MATCH_epc=" + url.QueryEscape(epc) + "&"
	for _, tc := range []struct{ q, want string }{
		{"", "ABC"},
		{"WD_readPoint=" + url.QueryEscape("urn:epc:id:sgln:0614141.00888.0"), "AB"},
		{"WD_readPoint=" + url.QueryEscape("https://id.gs1.org/414/0614141008889"), "AB"},
		{"WD_readPoint=" + url.QueryEscape("urn:epc:id:sgln:0614141.00888.D"+run), "A"},
		{"EQ_readPoint=" + url.QueryEscape("urn:epc:id:sgln:0614141.00888.0"), "B"},
		{"GE_quantity=37.5", "A"},
		{"GT_quantity=37.5", ""},
		{"LT_quantity=10", "C"},
		{"EQ_quantity=3", "C"},
		{"GE_quantity=1&LE_quantity=100", "AC"},
		{"EXISTS_errorDeclaration=true", "B"},
		{"EQ_errorReason=incorrect_data", "B"},
		{"EQ_errorReason=did_not_occur", ""},
		{"EQ_correctiveEventID=" + url.QueryEscape(corrective), "B"},
		{"LT_errorDeclarationTime=2026-11-30T10:00:01Z", "B"},
		{"GE_errorDeclarationTime=2026-11-30T10:00:01Z", ""},
	} {
		r := e.call(t, "GET", match+tc.q, "partner-operator", nil)
		var got []string
		for _, ev := range checkQueryDoc(t, schema, r, 0) {
			got = append(got, name(ev.EventID))
		}
		sort.Strings(got)
		if strings.Join(got, "") != tc.want {
			t.Errorf("%s: events %v, want %s", tc.q, got, tc.want)
		}
	}
	r = e.call(t, "GET", match+"GE_quantity=lots", "partner-operator", nil)
	if r.status != 400 || !strings.Contains(string(r.body), "QueryParameterException") {
		t.Errorf("a bad quantity: %d %s", r.status, r.body)
	}

	// A named query: saved for PartnerMSP, run by another partner user.
	qn := "wd-" + run
	def := map[string]any{"name": qn, "query": map[string]any{"MATCH_epc": []string{epc}, "WD_readPoint": []string{"urn:epc:id:sgln:0614141.00888.0"}}}
	r = e.call(t, "POST", "/epcis/queries", "partner-operator", def)
	expect(t, "create named query", r, http.StatusCreated)
	if r.header.Get("Location") != "/epcis/queries/"+qn {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	expect(t, "create it again", e.call(t, "POST", "/epcis/queries", "partner-operator", def), http.StatusConflict)
	var defs []struct {
		Name string `json:"name"`
	}
	r = e.call(t, "GET", "/epcis/queries?perPage=500", "partner-qa", nil)
	expect(t, "list", r, 200)
	if err := json.Unmarshal(r.body, &defs); err != nil || !strings.Contains(string(r.body), `"name":"`+qn+`"`) {
		t.Fatalf("list: %s", r.body)
	}
	var got []string
	for _, ev := range checkQueryDoc(t, schema, e.call(t, "GET", "/epcis/queries/"+qn+"/events", "partner-qa", nil), 2) {
		got = append(got, name(ev.EventID))
	}
	sort.Strings(got)
	if strings.Join(got, "") != "AB" {
		t.Errorf("named query events %v, want A and B", got)
	}
	// Another org has no such query; its list does not show it.
	expect(t, "another org reads it", e.call(t, "GET", "/epcis/queries/"+qn, "maker-operator", nil), http.StatusNotFound)
	expect(t, "another org runs it", e.call(t, "GET", "/epcis/queries/"+qn+"/events", "maker-operator", nil), http.StatusNotFound)
	if r := e.call(t, "GET", "/epcis/queries?perPage=500", "maker-operator", nil); strings.Contains(string(r.body), qn) {
		t.Errorf("another org lists %s", qn)
	}
	expect(t, "delete by another user", e.call(t, "DELETE", "/epcis/queries/"+qn, "partner-qa", nil), http.StatusForbidden)
	expect(t, "delete", e.call(t, "DELETE", "/epcis/queries/"+qn, "partner-operator", nil), http.StatusNoContent)
	expect(t, "deleted", e.call(t, "GET", "/epcis/queries/"+qn+"/events", "partner-operator", nil), http.StatusNotFound)
}
