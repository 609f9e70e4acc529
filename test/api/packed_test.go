//go:build integration

package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Packed lots (domain/packed.go, chaincode/packed.go) through the REST API
// on the real network: a lot registered with units = n holds units
// "<lot>~1" … "<lot>~n" in its one record.

const packedUnits = 500

// kbGTIN is the kitchen demo's GTIN, under a GS1 company prefix of the
// maker's (cmd/idchain-demo).
func kbGTIN(t *testing.T) string {
	t.Helper()
	c, err := identifier.CheckDigit("0690123456789")
	if err != nil {
		t.Fatal(err)
	}
	return "0690123456789" + string(c)
}

func packedLotInput(id, gtin, lotNo string, units int) domain.ItemInput {
	in := kbLot(id)
	in.GTIN, in.Lot, in.Units = gtin, lotNo, units
	return in
}

// registerOne posts one item and returns the reply and its one result.
func registerOne(t *testing.T, e apiEnv, in any) (reply, *domain.ItemResult) {
	t.Helper()
	r := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []any{in}})
	if r.status >= 300 && r.status != 422 && r.status != 207 {
		return r, nil
	}
	res := decodeBody[domain.BatchResult](t, r)
	if len(res.Results) != 1 {
		t.Fatalf("%d results for one item: %s", len(res.Results), r.body)
	}
	return r, &res.Results[0]
}

// pageOf is the public verify page's HTML for id.
func pageOf(t *testing.T, e apiEnv, id string) (int, string) {
	t.Helper()
	r := e.call(t, "GET", "/v/"+id, "", nil, "Accept", "text/html")
	return r.status, string(r.body)
}

func TestPackedLotRegistersReadsAndRefuses(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	gtin, lotNo := kbGTIN(t), "PL"+strings.ToUpper(randHex(5))
	lot := p + "/PLOT"
	unit := func(n int) string { return domain.PackedUnitID(lot, n) }

	r, res := registerOne(t, e, packedLotInput(lot, gtin, lotNo, packedUnits))
	if r.status != 201 || res == nil || res.Status != domain.ResultCreated {
		t.Fatalf("register a lot of %d units: %d %s", packedUnits, r.status, r.body)
	}
	regTx := r.tx
	got := decodeBody[domain.Item](t, e.call(t, "GET", "/v1/items/"+lot, "partner-qa", nil))
	if got.Units != packedUnits || got.Packed {
		t.Fatalf("the lot reads units=%d packed=%v: %+v", got.Units, got.Packed, got)
	}

	// Every unit reads from the lot: kind unit, parent the lot, the lot's
	// owner, GTIN and lot number, serial n, the lot's registration.
	for _, n := range []int{1, 2, packedUnits / 2, packedUnits} {
		r := e.call(t, "GET", "/v1/items/"+unit(n), "partner-qa", nil)
		expect(t, "unit "+unit(n), r, 200)
		u := decodeBody[domain.Item](t, r)
		if u.ID != unit(n) || !u.Packed || u.Kind != domain.KindUnit || u.Parent != lot || u.Owner != "MakerMSP" ||
			u.Serial != fmt.Sprint(n) || u.GTIN != gtin || u.Lot != lotNo || u.Status != domain.StatusRegistered || u.TxID != regTx {
			t.Fatalf("unit %d: %s", n, r.body)
		}
	}
	// Ids that name no unit of the lot answer 404 NOT_FOUND (machine-readable).
	for _, s := range []string{fmt.Sprint(packedUnits + 1), "0", "01", "-1", "x"} {
		expect(t, "unit ~"+s, e.call(t, "GET", "/v1/items/"+lot+"~"+s, "partner-qa", nil), 404, domain.CodeNotFound)
	}
	nf := e.call(t, "GET", "/v1/verify/"+unit(packedUnits+1), "", nil)
	expect(t, "verify beyond the lot", nf, 404, domain.CodeNotFound)
	if !strings.Contains(string(nf.body), `"genuine":false`) {
		t.Fatalf("verify beyond the lot: %s", nf.body)
	}

	// Bad units: 4xx with a code, nothing written.
	onUnit := kbUnit(p+"/PU-ON-UNIT", "S1", "")
	onUnit.Units = 3
	negative := packedLotInput(p+"/PL-NEG", "", "", -1)
	tooMany := packedLotInput(p+"/PL-MAX", "", "", domain.MaxPackedUnits+1)
	for _, tc := range []struct {
		what string
		in   any
		id   string
		code domain.Code
	}{
		{"units on a unit", onUnit, onUnit.ID, domain.CodeInvalid},
		{"negative units", negative, negative.ID, domain.CodeInvalid},
		{"units above the maximum", tooMany, tooMany.ID, domain.CodeInvalid},
		{"a unit id registered on its own", kbUnit(unit(packedUnits+1), fmt.Sprint(packedUnits+1), lot), unit(packedUnits + 1), domain.CodeInvalidIdentifier},
		{"the lot grown to more units", packedLotInput(lot, gtin, lotNo, packedUnits+100), "", domain.CodeConflict},
	} {
		r, res := registerOne(t, e, tc.in)
		if r.status != 422 || res == nil || res.Error == nil || res.Error.Code != tc.code || res.Error.Message == "" {
			t.Fatalf("%s: %d %s, want 422 with %s", tc.what, r.status, r.body, tc.code)
		}
		if tc.id != "" {
			expect(t, tc.what+": nothing written", e.call(t, "GET", "/v1/items/"+tc.id, "maker-qa", nil), 404, domain.CodeNotFound)
		}
	}
	expect(t, "units not a number", e.call(t, "POST", "/v1/items", "maker-operator",
		`{"items":[{"id":"`+p+`/PL-STR","kind":"lot","industry":"kitchen_bath","model":"JZT-IT","units":"many"}]}`), 400, domain.CodeInvalid)
	expect(t, "units not a number: nothing written", e.call(t, "GET", "/v1/items/"+p+"/PL-STR", "maker-qa", nil), 404, domain.CodeNotFound)
	// One bad item of two: per-item results, the good one written.
	good := packedLotInput(p+"/PL-GOOD", "", "", 2)
	r = e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []any{negative, good}})
	expect(t, "one bad of two", r, 207)
	if br := decodeBody[domain.BatchResult](t, r); br.Results[0].Error == nil || br.Results[0].Error.Code != domain.CodeInvalid || br.Results[1].Status != domain.ResultCreated {
		t.Fatalf("per-item results: %s", r.body)
	}
	expect(t, "the good lot's unit", e.call(t, "GET", "/v1/items/"+good.ID+"~2", "maker-qa", nil), 200)
	expect(t, "the bad lot's unit", e.call(t, "GET", "/v1/items/"+negative.ID+"~1", "maker-qa", nil), 404, domain.CodeNotFound)
	if got := decodeBody[domain.Item](t, e.call(t, "GET", "/v1/items/"+lot, "maker-qa", nil)); got.Units != packedUnits {
		t.Fatalf("the lot holds %d units after the refused growth", got.Units)
	}
	expect(t, "still no unit beyond the lot", e.call(t, "GET", "/v1/items/"+unit(packedUnits+1), "maker-qa", nil), 404, domain.CodeNotFound)

	// The public verify answer and page: genuine, with its maker.
	v := decodeBody[domain.Verification](t, e.call(t, "GET", "/v1/verify/"+unit(7), "", nil))
	if !v.Genuine || v.Maker == "" || v.Serial != "7" || v.Kind != domain.KindUnit || v.Recalled {
		t.Fatalf("verify of a packed unit: %+v", v)
	}
	lotV := decodeBody[domain.Verification](t, e.call(t, "GET", "/v1/verify/"+lot, "", nil))
	if v.Maker != lotV.Maker {
		t.Fatalf("the unit's maker %q is not the lot's %q", v.Maker, lotV.Maker)
	}
	st, page := pageOf(t, e, unit(7))
	if st != 200 || !strings.Contains(page, "✔ 正品") || !strings.Contains(page, v.Maker) || !strings.Contains(page, unit(7)) {
		t.Fatalf("verify page of a packed unit: %d %.600s", st, page)
	}
	if st, page := pageOf(t, e, unit(packedUnits+1)); st != 404 || strings.Contains(page, "✔ 正品") {
		t.Fatalf("verify page beyond the lot: %d %.300s", st, page)
	}
	// The unit's own label: GTIN + lot + serial (its serials repeat from
	// lot to lot, so the lot is part of its GS1 key).
	dl := "/01/" + gtin + "/10/" + url.PathEscape(lotNo) + "/21/7"
	dv := decodeBody[domain.Verification](t, e.call(t, "GET", dl, "", nil, "Accept", "application/json"))
	if dv.ID != unit(7) || !dv.Genuine {
		t.Fatalf("Digital Link %s: %+v", dl, dv)
	}
	if r := e.call(t, "GET", "/01/"+gtin+"/10/"+url.PathEscape(lotNo)+"/21/"+fmt.Sprint(packedUnits+1), "", nil, "Accept", "application/json"); strings.Contains(string(r.body), `"genuine":true`) {
		t.Fatalf("Digital Link beyond the lot: %d %s", r.status, r.body)
	}
}

func TestPackedUnitMaterialisesRecallsAndTraces(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	lot := p + "/PLOT"
	unit := func(n int) string { return domain.PackedUnitID(lot, n) }
	r, res := registerOne(t, e, packedLotInput(lot, "", "", packedUnits))
	if r.status != 201 || res == nil || res.Status != domain.ResultCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	verify := func(id string) domain.Verification {
		t.Helper()
		r := e.call(t, "GET", "/v1/verify/"+id, "", nil)
		expect(t, "verify "+id, r, 200)
		return decodeBody[domain.Verification](t, r)
	}
	item := func(id string) domain.Item {
		t.Helper()
		r := e.call(t, "GET", "/v1/items/"+id, "maker-qa", nil)
		expect(t, "item "+id, r, 200)
		return decodeBody[domain.Item](t, r)
	}
	// Warm every cache the changes below must drop (twice: the second
	// answer comes from the caches).
	for range 2 {
		for _, n := range []int{3, 4, packedUnits} {
			verify(unit(n))
			item(unit(n))
		}
	}

	// Trace forward from the lot lists its units, in order, bounded.
	tr := decodeBody[domain.Trace](t, e.call(t, "GET", "/v1/trace/forward/"+lot, "regulator", nil))
	if len(tr.Nodes) != packedUnits || tr.Truncated {
		t.Fatalf("trace forward: %d nodes, truncated %v", len(tr.Nodes), tr.Truncated)
	}
	for i, n := range tr.Nodes {
		if n.ID != unit(i+1) || n.Via != "child" || n.Depth != 1 {
			t.Fatalf("trace forward node %d: %+v", i, n)
		}
	}
	tr = decodeBody[domain.Trace](t, e.call(t, "GET", "/v1/trace/forward/"+lot+"?limit=5", "regulator", nil))
	if len(tr.Nodes) != 5 || !tr.Truncated {
		t.Fatalf("trace forward limit 5: %d nodes, truncated %v", len(tr.Nodes), tr.Truncated)
	}
	back := decodeBody[domain.Trace](t, e.call(t, "GET", "/v1/trace/backward/"+unit(4), "regulator", nil))
	if len(back.Nodes) != 1 || back.Nodes[0].ID != lot || back.Nodes[0].Via != "parent" {
		t.Fatalf("trace backward from a unit: %+v", back.Nodes)
	}

	// An event on one unit materialises it; its neighbour stays packed.
	ev := map[string]any{"events": []domain.EventInput{{Type: domain.EventDecommissioning, ID: unit(3)}}}
	expect(t, "events by the partner", e.call(t, "POST", "/v1/events", "partner-operator", ev), 422)
	if u := item(unit(3)); !u.Packed || u.Status != domain.StatusRegistered {
		t.Fatalf("the partner's refused event changed unit 3: %+v", u)
	}
	r = e.call(t, "POST", "/v1/events", "maker-operator", ev)
	expect(t, "decommission unit 3", r, 201)
	d := eventually(t, 10*time.Second, func() string {
		u, v := item(unit(3)), verify(unit(3))
		if u.Packed || u.Status != domain.StatusDecommissioned || u.Parent != lot || u.Owner != "MakerMSP" {
			return fmt.Sprintf("unit 3 after its decommissioning: %+v", u)
		}
		if !v.Genuine || v.Status != domain.StatusDecommissioned {
			return fmt.Sprintf("verify of unit 3 after its decommissioning: %+v", v)
		}
		return ""
	})
	t.Logf("materialised unit visible on its cached item and verify %s after the event's response", d)
	for _, n := range []int{2, 4} {
		if u := item(unit(n)); !u.Packed || u.Status != domain.StatusRegistered {
			t.Fatalf("neighbour %d changed with unit 3: %+v", n, u)
		}
		if v := verify(unit(n)); !v.Genuine || v.Status != domain.StatusRegistered {
			t.Fatalf("neighbour %d's verify changed with unit 3: %+v", n, v)
		}
	}
	if l := item(lot); l.Units != packedUnits || l.Status != domain.StatusRegistered {
		t.Fatalf("the lot changed with its unit: %+v", l)
	}

	// A recall of the lot reaches its packed units, the materialised one
	// and the last, on their cached verify answers and pages: the recall's
	// event drops them (the backstop TTL is minutes, the bound here 10 s).
	expect(t, "recall by the partner", e.call(t, "POST", "/v1/items/"+lot+"/recall", "partner-qa", `{"reason":"x"}`), 403)
	start := time.Now()
	r = e.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator", `{"reason":"packed lot recall 整批召回"}`)
	expect(t, "recall the lot", r, 200)
	took := time.Since(start)
	d = eventually(t, 10*time.Second, func() string {
		for _, n := range []int{3, 4, packedUnits} {
			if v := verify(unit(n)); !v.Recalled || v.Recall == nil || v.Recall.ID != lot {
				return fmt.Sprintf("unit %d after the lot's recall: %+v", n, v)
			}
		}
		return ""
	})
	t.Logf("lot recall visible on three units' cached verify %s after the recall's response (the request took %s)", d, took)
	if st, page := pageOf(t, e, unit(4)); st != 200 || !strings.Contains(page, "已召回") || strings.Contains(page, "✔ 正品") {
		t.Fatalf("verify page of a unit of the recalled lot: %d %.600s", st, page)
	}
	// A unit the maker never had still is none.
	expect(t, "verify beyond the recalled lot", e.call(t, "GET", "/v1/verify/"+unit(packedUnits+1), "", nil), 404, domain.CodeNotFound)
}

// A chaincode event lists at most 20,000 ids (chaincode maxEventIDs), a lot
// holds up to domain.MaxPackedUnits: a lot event shown below (a process
// step) lists the lot and its first units only. Every unit's cached views
// must still follow the lot (the cache keeps a unit's entries with its
// lot's generation), not wait for the backstop TTL (minutes).
func TestPackedUnitBeyondTheEventsListFollowsItsLot(t *testing.T) {
	e := mustEnv(t)
	p := newPrefix(t, e)
	lot := p + "/PBIG"
	const units = 25_000
	r := e.call(t, "POST", "/v1/items", "maker-operator", map[string]any{"items": []domain.ItemInput{
		{ID: lot, Kind: domain.KindLot, Industry: domain.IndustryGeneric, Model: "GEN-PACKED", Units: units},
	}})
	expect(t, "register a lot of 25,000 units", r, 201)
	// The unit's provenance (cached in Redis and in process, a keyed read:
	// no scan is counted, so nothing but the lot's event drops it) lists
	// the lot's process steps.
	steps := func(id string) string {
		t.Helper()
		r := e.call(t, "GET", "/v1/items/"+id+"/provenance", "maker-qa", nil)
		expect(t, "provenance "+id, r, 200)
		var got []string
		for _, ev := range decodeBody[domain.Provenance](t, r).Events {
			if ev.Step != "" {
				got = append(got, ev.Step)
			}
		}
		return strings.Join(got, ",")
	}
	far, near := domain.PackedUnitID(lot, units), domain.PackedUnitID(lot, 1)
	for range 2 { // fill the caches
		if s := steps(far) + steps(near); s != "" {
			t.Fatalf("fresh units show steps %q", s)
		}
	}
	downBefore := cacheDownLookups(t, e)
	start := time.Now()
	r = e.call(t, "POST", "/v1/events", "maker-operator", map[string]any{"events": []domain.EventInput{
		{Type: domain.EventProcessStep, ID: lot, Step: "aoi", Equipment: "EQ-1"},
	}})
	expect(t, "process step on the lot", r, 201)
	took := time.Since(start)
	d := eventually(t, 10*time.Second, func() string {
		if s := steps(far); s != "aoi" {
			return fmt.Sprintf("unit %d (not listed in the event) shows steps %q after the lot's step", units, s)
		}
		if s := steps(near); s != "aoi" {
			return fmt.Sprintf("unit 1 shows steps %q after the lot's step", s)
		}
		return ""
	})
	t.Logf("lot step visible on the last unit's cached provenance %s after the event's response (the event took %s)", d, took)
	// Before the API dropped an event's ids in chunks, dropping these
	// 20,000 ids in one pipeline timed out and took Redis out of use, which
	// flushed every entry and hid the missing unit invalidation. Logged,
	// not asserted: a Redis call may also time out on a loaded box (the
	// chunking is asserted by gateway-api/cache TestAnEventOfManyIDsIsDroppedInChunks).
	t.Logf("reads served without Redis around the lot's event: %v (before: %v)", cacheDownLookups(t, e), downBefore)
}

// cacheDownLookups is the number of reads the API served without Redis
// (the cache out of use), summed over functions (ops /metrics).
func cacheDownLookups(t *testing.T, e apiEnv) float64 {
	t.Helper()
	var n float64
	for _, l := range strings.Split(e.metrics(t), "\n") {
		if strings.HasPrefix(l, "idchain_cache_lookups_total{") && strings.Contains(l, `result="down"`) {
			var v float64
			if _, err := fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &v); err != nil {
				t.Fatalf("metric line %q: %v", l, err)
			}
			n += v
		}
	}
	return n
}
