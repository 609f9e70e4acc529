package site

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/gateway-api/httpapi"
)

func decodeView(t *testing.T, body []byte) PublicView {
	t.Helper()
	var v PublicView
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("verify body %q: %v", body, err)
	}
	return v
}

func TestVerifyCountsScansAndWarnsAfterTheThreshold(t *testing.T) {
	a := newPubAPI(t)
	var v PublicView
	for i := 1; i <= 4; i++ {
		rec := a.do(http.MethodGet, "/v1/verify/"+unitID, "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("scan %d: status %d %s", i, rec.Code, rec.Body)
		}
		v = decodeView(t, rec.Body.Bytes())
		if v.Scans != int64(i) {
			t.Fatalf("scan %d: scans = %d", i, v.Scans)
		}
		if i <= 3 && len(v.Warnings) != 0 {
			t.Fatalf("scan %d: unexpected warnings %v", i, v.Warnings)
		}
	}
	if v.FirstScanAt != testNow.Format(time.RFC3339) {
		t.Errorf("firstScanAt = %q", v.FirstScanAt)
	}
	if len(v.Warnings) != 1 || v.Warnings[0].Code != WarnManyScans {
		t.Errorf("warnings after 4 scans (threshold 3) = %v", v.Warnings)
	}
	if v.Maker != "广东某卫浴有限公司 Maker" || !v.Genuine || v.Model != "JZT-2B" || v.ProducedAt != "2026-11-18" {
		t.Errorf("view = %+v", v)
	}
}

func TestVerifyWarnsWhenFirstScanIsOld(t *testing.T) {
	a := newPubAPI(t)
	a.do(http.MethodGet, "/v1/verify/"+unitID, "", "")
	a.scans.first[unitID] = testNow.Add(-200 * 24 * time.Hour)
	v := decodeView(t, a.do(http.MethodGet, "/v1/verify/"+unitID, "", "").Body.Bytes())
	if len(v.Warnings) != 1 || v.Warnings[0].Code != WarnOldScan {
		t.Fatalf("warnings = %v", v.Warnings)
	}
}

func TestVerifyByAnAuthenticatedCallerDoesNotCount(t *testing.T) {
	a := newPubAPI(t)
	a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "")
	if a.scans.n[unitID] != 0 {
		t.Fatalf("authenticated verify counted a scan")
	}
}

func TestVerifyShowsNoInternalIDs(t *testing.T) {
	a := newPubAPI(t)
	rec := a.do(http.MethodGet, "/v1/verify/"+recalledID, "", "")
	body := rec.Body.String()
	for _, secret := range []string{"tx-recall-9", "cert-user-7", "txId", "byUser", "tx-secret-123"} {
		if strings.Contains(body, secret) {
			t.Errorf("verify JSON leaks %q: %s", secret, body)
		}
	}
	v := decodeView(t, rec.Body.Bytes())
	if !v.Recalled || v.Recall == nil || v.Recall.By != "市场监管局 Regulator" || v.Recall.ID != "88.118.8/LOT-2" {
		t.Errorf("recall = %+v", v.Recall)
	}
}

func TestVerifyUnknownAndMalformed(t *testing.T) {
	a := newPubAPI(t)
	rec := a.do(http.MethodGet, "/v1/verify/88.118.8/NOPE", "", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"genuine":false`) {
		t.Errorf("unknown: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(http.MethodGet, "/v1/verify/88..8/X", "", "")
	if rec.Code != http.StatusBadRequest || errorCode(t, rec) != "INVALID_IDENTIFIER" {
		t.Errorf("malformed: %d %s", rec.Code, rec.Body)
	}
}

func TestRegionMismatchAlertsTheOwnerOnly(t *testing.T) {
	a := newPubAPI(t)
	for _, tc := range []struct {
		region string
		alert  bool
	}{{"CN-GD", false}, {"cn-gd-sz", false}, {"CN-BJ", true}} {
		before := len(a.scans.alerts)
		rec := a.do(http.MethodGet, "/v1/verify/"+unitID+"?region="+tc.region, "", "")
		if strings.Contains(rec.Body.String(), "CN-") || strings.Contains(rec.Body.String(), "region") {
			t.Errorf("region %s: consumer sees diversion data: %s", tc.region, rec.Body)
		}
		if got := len(a.scans.alerts) > before; got != tc.alert {
			t.Errorf("region %s: alert recorded = %v, want %v", tc.region, got, tc.alert)
		}
	}
	var body struct {
		Alerts []struct{ ID, Region, Authorised, Owner string }
	}
	rec := a.do(http.MethodGet, "/v1/alerts", "maker-operator", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Alerts) != 1 {
		t.Fatalf("owner alerts: %d %s", rec.Code, rec.Body)
	}
	if al := body.Alerts[0]; al.ID != unitID || al.Region != "CN-BJ" || al.Authorised != "CN-GD" {
		t.Errorf("alert = %+v", al)
	}
	rec = a.do(http.MethodGet, "/v1/alerts", "partner-operator", "")
	if !strings.Contains(rec.Body.String(), `"alerts":[]`) {
		t.Errorf("another org sees the owner's alerts: %s", rec.Body)
	}
	if rec := a.do(http.MethodGet, "/v1/alerts?owner=MakerMSP", "partner-operator", ""); rec.Code != http.StatusForbidden {
		t.Errorf("partner reading maker alerts: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/v1/alerts?owner=PartnerMSP", "maker-regulator", ""); rec.Code != http.StatusForbidden {
		t.Errorf("role regulator outside RegulatorMSP reading another org's alerts: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/v1/alerts?owner=MakerMSP", "regulator", ""); !strings.Contains(rec.Body.String(), "CN-BJ") {
		t.Errorf("regulator: %s", rec.Body)
	}
}

func TestRegionWithin(t *testing.T) {
	for _, tc := range []struct {
		scanned, authorised string
		want                bool
	}{
		{"CN-GD", "CN-GD", true},
		{"CN-GD-SZ", "CN-GD", true},
		{"CN-GDX", "CN-GD", false},
		{"440300", "44", true},
		{"440300", "4403", true},
		{"110000", "44", false},
		{"CN-BJ", "CN-GD", false},
	} {
		if got := regionWithin(tc.scanned, tc.authorised); got != tc.want {
			t.Errorf("regionWithin(%q, %q) = %v", tc.scanned, tc.authorised, got)
		}
	}
}

func TestPublicRoutesAreRateLimited(t *testing.T) {
	for _, path := range []string{"/v/" + unitID, "/api/handles/" + unitID, "/01/" + testGTIN + "/21/0001", "/v1/verify/" + unitID} {
		t.Run(path, func(t *testing.T) {
			b := newPubAPI(t, func(d *httpapi.Deps) { d.PublicRate, d.PublicBurst = 0.001, 2 })
			var last int
			for range 3 {
				last = b.do(http.MethodGet, path, "", "").Code
			}
			if last != http.StatusTooManyRequests {
				t.Errorf("third request: %d, want 429", last)
			}
		})
	}
}
