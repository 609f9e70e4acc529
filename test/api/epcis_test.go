//go:build integration

package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// TestEPCISExportAndCapture records events for items, exports them as an
// EPCIS document that must validate against the GS1 EPCIS 2.0 JSON schema,
// then captures a document from an "MES" and finds its events in the
// provenance.
func TestEPCISExportAndCapture(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	p := newPrefix(t, e)
	run := randHex(3)
	lot, u1, u2, case1, case2 := p+"/LOT-1", p+"/U1", p+"/U2", p+"/CASE-1", p+"/CASE-2"
	l := kbLot(lot)
	l.GTIN, l.Lot = "06901234567892", "L"+run
	unit := kbUnit(u1, "S"+run, lot)
	unit.GTIN, unit.Lot = l.GTIN, l.Lot
	items := []domain.ItemInput{l, unit, kbUnit(u2, "T"+run, lot),
		{ID: case1, Kind: domain.KindCase, Industry: domain.IndustryKitchenBath},
		{ID: case2, Kind: domain.KindCase, Industry: domain.IndustryKitchenBath}}
	expect(t, "register", e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": items}), 201)
	expect(t, "events", e.call(t, "POST", "/v1/events", "maker-operator", map[string]any{"events": []domain.EventInput{
		{Type: domain.EventProcessStep, ID: u1, Step: "aoi", Equipment: "EQ-7", ReadPoint: "FS-LINE-3"},
		{Type: domain.EventPacking, ID: case1, Children: []string{u1}, ReadPoint: "FS-PACK-1"},
	}}), 201)

	r := e.call(t, "GET", "/v1/items/"+u1+"/epcis", "partner-operator", nil)
	expect(t, "export", r, 200)
	res, err := schema.Validate(gojsonschema.NewBytesLoader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for _, verr := range res.Errors() {
		t.Errorf("schema: %s", verr)
	}
	doc := decodeBody[epcis.Document](t, r)
	dl := "https://id.gs1.org/01/" + l.GTIN + "/21/S" + run
	var sawStep, sawPack bool
	for _, ev := range doc.Body.EventList {
		sawStep = sawStep || ev.Type == epcis.ObjectEvent && len(ev.EPCList) == 1 && ev.EPCList[0] == dl && ev.XStep == "aoi"
		sawPack = sawPack || ev.Type == epcis.AggregationEvent && strings.HasSuffix(ev.ParentID, "/CASE-1") &&
			len(ev.ChildEPCs) == 1 && ev.ChildEPCs[0] == dl
	}
	if !sawStep || !sawPack {
		t.Fatalf("export lacks the process step or the packing of %s as %s: %.1500s", u1, dl, r.body)
	}
	expect(t, "export of an unknown item", e.call(t, "GET", "/v1/items/"+p+"/NONE/epcis", "maker-qa", nil), 404, domain.CodeNotFound)

	// Capture: a process step on both units (one ObjectEvent), packing U2
	// into CASE-2, and an event naming an unregistered item.
	uri := func(id string) string { return epcis.DefaultIDBase + "/" + id }
	readPoint := "MES-" + run
	capture := map[string]any{
		"@context": []string{epcis.ContextURL}, "type": "EPCISDocument", "schemaVersion": "2.0",
		"creationDate": "2026-11-27T08:00:00Z",
		"epcisBody": map[string]any{"eventList": []map[string]any{
			{"type": "ObjectEvent", "eventTime": "2026-11-27T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
				"epcList": []string{uri(u1), uri(u2)}, "bizStep": epcis.Namespace + "BizStep-hipot", "readPoint": map[string]string{"id": readPoint}},
			{"type": "AggregationEvent", "eventTime": "2026-11-27T08:01:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "ADD",
				"parentID": uri(case2), "childEPCs": []string{uri(u2)}, "bizStep": "packing"},
			{"type": "ObjectEvent", "eventTime": "2026-11-27T08:02:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
				"epcList": []string{uri(p + "/GHOST")}, "bizStep": epcis.Namespace + "BizStep-hipot"},
		}},
	}
	expect(t, "capture by qa", e.call(t, "POST", "/v1/epcis/capture", "maker-qa", capture), 403, domain.CodeForbidden)
	expect(t, "capture of a non-document", e.call(t, "POST", "/v1/epcis/capture", "maker-operator", `{"type":"x"}`), 400, domain.CodeInvalid)
	r = e.call(t, "POST", "/v1/epcis/capture", "maker-operator", capture)
	expect(t, "capture", r, 207)
	var cr struct {
		Results []struct {
			Status string              `json:"status"`
			Error  *domain.Error       `json:"error"`
			Recs   []domain.ItemResult `json:"records"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.body, &cr); err != nil || len(cr.Results) != 3 {
		t.Fatalf("capture results: %v %.800s", err, r.body)
	}
	if cr.Results[0].Status != "recorded" || len(cr.Results[0].Recs) != 2 || cr.Results[1].Status != "recorded" ||
		cr.Results[2].Status != "rejected" || cr.Results[2].Error == nil || cr.Results[2].Error.Code != domain.CodeNotFound {
		t.Fatalf("capture results: %.800s", r.body)
	}
	for _, id := range []string{u1, u2} {
		prov := e.call(t, "GET", "/v1/items/"+id+"/provenance", "maker-qa", nil)
		expect(t, "provenance of "+id, prov, 200)
		if !strings.Contains(string(prov.body), readPoint) {
			t.Fatalf("provenance of %s lacks the captured step: %.800s", id, prov.body)
		}
	}
	prov := decodeBody[domain.Provenance](t, e.call(t, "GET", "/v1/items/"+case2+"/provenance", "maker-qa", nil))
	packed := false
	for _, ev := range prov.Events {
		packed = packed || ev.Type == domain.EventPacking && len(ev.Children) == 1 && ev.Children[0] == u2
	}
	if !packed {
		t.Fatalf("provenance of %s lacks the captured packing: %+v", case2, prov.Events)
	}
}
