package site

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

func TestHandleResolution(t *testing.T) {
	a := newPubAPI(t)
	for _, tc := range []struct {
		name, path string
		status     int
		code       int
		types      []string
	}{
		{"all values", "/api/handles/" + unitID, 200, 1, []string{"URL", "DESC", "OWNER", "GTIN", "GS1_DIGITAL_LINK"}},
		{"type filter", "/api/handles/" + unitID + "?type=URL", 200, 1, []string{"URL"}},
		{"index filter, repeated", "/api/handles/" + unitID + "?index=3&index=4", 200, 1, []string{"OWNER", "GTIN"}},
		{"comma-separated types", "/api/handles/" + unitID + "?type=URL,GTIN", 200, 1, []string{"URL", "GTIN"}},
		{"filter keeping nothing", "/api/handles/" + unitID + "?type=EMAIL", 200, 200, nil},
		{"no GTIN", "/api/handles/" + plainID, 200, 1, []string{"URL", "DESC", "OWNER"}},
		{"unknown", "/api/handles/88.118.8/NOPE", 404, 100, nil},
		{"malformed", "/api/handles/88..8/NOPE", 400, 102, nil},
		{"bad index", "/api/handles/" + unitID + "?index=x", 400, 102, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do(http.MethodGet, tc.path, "", "")
			var r identifier.HandleRecord
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status || r.ResponseCode != tc.code {
				t.Fatalf("status %d code %d: %s", rec.Code, r.ResponseCode, rec.Body)
			}
			var types []string
			for _, v := range r.Values {
				types = append(types, v.Type)
				if v.TTL <= 0 || v.Timestamp == "" || v.Data.Format != "string" {
					t.Errorf("value %+v", v)
				}
			}
			if strings.Join(types, ",") != strings.Join(tc.types, ",") {
				t.Errorf("types %v, want %v", types, tc.types)
			}
		})
	}
	var r identifier.HandleRecord
	_ = json.Unmarshal(a.do(http.MethodGet, "/api/handles/"+unitID+"?index=1", "", "").Body.Bytes(), &r)
	if r.Handle != unitID || r.Values[0].Data.Value != "https://id.example.cn/v/88.118.8/KB-0001" {
		t.Errorf("URL value %+v", r)
	}
}

func TestDigitalLinkResolver(t *testing.T) {
	a := newPubAPI(t)
	html := "text/html,application/xhtml+xml,*/*;q=0.8"
	base := "https://id.example.cn"
	for _, tc := range []struct {
		name, path, accept string
		status             int
		want               string // Location, or a body fragment
	}{
		{"browser, serial", "/01/" + testGTIN + "/21/0001", html, 307, base + "/v/88.118.8/KB-0001"},
		{"browser, lot and serial, region kept", "/01/" + testGTIN + "/10/L20261127/21/0001?region=CN-GD", html, 307, base + "/v/88.118.8/KB-0001?region=CN-GD"},
		{"curl default", "/01/" + testGTIN + "/21/0001", "*/*", 307, base + "/v/88.118.8/KB-0001"},
		{"a trailing slash is tolerated", "/01/" + testGTIN + "/21/0001/", "*/*", 307, base + "/v/88.118.8/KB-0001"},
		{"browser, lot", "/01/" + testGTIN + "/10/L20261127", html, 307, base + "/v/88.118.8/LOT-1"},
		{"GTIN-13 in the path (GS1: 14 digits)", "/01/6901234567892/21/0001", "application/json", 400, "14 digits"},
		{"json, serial", "/01/" + testGTIN + "/21/0001", "application/json", 200, `"id":"88.118.8/KB-0001"`},
		{"json, lot", "/01/" + testGTIN + "/10/L20261127", "application/json", 200, `"kind":"lot"`},
		{"json, product", "/01/" + testGTIN, "application/json", 200, `"level":"product"`},
		{"browser, product", "/01/" + testGTIN, html, 200, "产品级标识"},
		{"json, unknown serial walks up to the product, not genuine", "/01/" + testGTIN + "/21/9999", "application/json", 200, `"genuine":false`},
		{"json, unknown serial says it is unregistered", "/01/" + testGTIN + "/21/9999", "application/json", 200, `"unregistered":{"serial":"9999"`},
		{"json, unknown lot walks up", "/01/" + testGTIN + "/10/NOPE", "application/json", 200, "Lot NOPE is not registered by its maker"},
		{"json, unknown GTIN", "/01/09506000134352/21/0001", "application/json", 404, `"genuine":false`},
		{"browser, unknown serial", "/01/" + testGTIN + "/21/9999", html, 200, "未登记 — 可能是假冒产品"},
		{"browser, unknown GTIN", "/01/09506000134352", html, 404, "可能是假冒产品"},
		{"linkType selects the recall status", "/01/" + testGTIN + "/21/0001?linkType=gs1:recallStatus", html, 307, base + "/v1/verify/88.118.8/KB-0001"},
		{"linkType selects the traceability link", "/01/" + testGTIN + "/21/0001?linkType=https://gs1.org/voc/traceability&x=1", html, 307, base + "/epcis/events?MATCH_epc=https%3A%2F%2Fid.gs1.org%2F01%2F" + testGTIN + "%2F21%2F0001&x=1"},
		{"a link type the item lacks is 404", "/01/" + testGTIN + "/21/0001?linkType=gs1:epil", "application/json", 404, "no link of type gs1:epil"},
		{"an unknown link type is 404", "/01/" + testGTIN + "/21/0001?linkType=gs1:nonsense", "application/json", 404, "NOT_FOUND"},
		{"a product has no verification service", "/01/" + testGTIN + "?linkType=gs1:verificationService", "application/json", 404, "no link of type"},
		{"bad check digit", "/01/06901234567893/21/0001", "application/json", 400, "INVALID_IDENTIFIER"},
		{"browser, bad check digit", "/01/06901234567893", html, 400, "无效的查询码"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(http.MethodGet, tc.path, "")
			req.Header.Set("Accept", tc.accept)
			rec := serve(a.h, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := rec.Body.String()
			if tc.status == 307 {
				got = rec.Header().Get("Location")
				if got != tc.want {
					t.Errorf("Location %q, want %q", got, tc.want)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("body lacks %q: %s", tc.want, got)
			}
		})
	}
	finds := a.reads.Calls(ledger.FnFindByGTIN)
	serve(a.h, newRequest(http.MethodGet, "/01/"+testGTIN+"/21/0001", ""))
	if a.reads.Calls(ledger.FnFindByGTIN) != finds+1 || a.reads.Calls(ledger.FnListItems) != 0 {
		t.Errorf("a GS1 key should cost one FindByGTIN and no item listing (FindByGTIN calls: %d)", a.reads.Calls(ledger.FnFindByGTIN))
	}
}
