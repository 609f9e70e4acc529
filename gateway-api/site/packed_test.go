package site

import (
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
)

// A packed lot (domain/packed.go) of GTIN testGTIN, lot number LP-3, with
// three units: no unit has a GS1 index entry of its own.
const packedLotID = "88.118.8/PLOT-3"

func withPackedLot(a *pubAPI) {
	lot := domain.Item{ID: packedLotID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "JZT-2B",
		GTIN: testGTIN, Lot: "LP-3", Owner: "MakerMSP", Units: 3, CreatedAt: "2026-11-20T02:00:00Z", TxID: "tx-lot"}
	a.reads.Items[lot.ID] = lot
	u := domain.PackedUnit(lot, 2)
	a.reads.Verifs[u.ID] = domain.Verification{ID: u.ID, Genuine: true, Maker: "MakerMSP", Kind: u.Kind, Industry: u.Industry,
		Model: u.Model, GTIN: u.GTIN, Lot: u.Lot, Serial: u.Serial, Status: domain.StatusRegistered, CreatedAt: u.CreatedAt}
}

func TestDigitalLinkResolvesPackedUnitsByLotAndSerial(t *testing.T) {
	a := newPubAPI(t)
	withPackedLot(a)
	html := "text/html,application/xhtml+xml,*/*;q=0.8"
	for _, tc := range []struct {
		name, path, accept string
		status             int
		want               string
	}{
		{"json, lot and serial of a packed unit", "/01/" + testGTIN + "/10/LP-3/21/2", "application/json", 200, `"id":"` + packedLotID + `~2","genuine":true`},
		{"browser, lot and serial of a packed unit", "/01/" + testGTIN + "/10/LP-3/21/2", html, 307, "https://id.example.cn/v/" + packedLotID + "~2"},
		{"a serial above the lot's units walks up", "/01/" + testGTIN + "/10/LP-3/21/4", "application/json", 200, `"unregistered":{"lot":"LP-3","serial":"4"`},
		{"a serial with a leading zero names no unit", "/01/" + testGTIN + "/10/LP-3/21/02", "application/json", 200, `"genuine":false`},
		{"serial 0 names no unit", "/01/" + testGTIN + "/10/LP-3/21/0", "application/json", 200, `"genuine":false`},
		{"a lot without packed units names none", "/01/" + testGTIN + "/10/L20261127/21/2", "application/json", 200, `"unregistered":{"lot":"L20261127","serial":"2"`},
		{"GTIN and serial without the lot name no packed unit", "/01/" + testGTIN + "/21/2", "application/json", 200, `"genuine":false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(http.MethodGet, tc.path, "")
			req.Header.Set("Accept", tc.accept)
			rec := serve(a.h, req)
			got := rec.Body.String()
			if rec.Code == http.StatusTemporaryRedirect {
				got = rec.Header().Get("Location")
			}
			if rec.Code != tc.status || !strings.Contains(got, tc.want) {
				t.Fatalf("%s: %d %s, want %d with %s", tc.path, rec.Code, got, tc.status, tc.want)
			}
		})
	}
}
