package site

import (
	"net/http"
	"strings"
	"testing"
)

func TestPageShowsTheGenuineUnit(t *testing.T) {
	a := newPubAPI(t)
	rec := a.do(http.MethodGet, "/v/"+unitID, "", "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, want := range []string{"正品", "Genuine", "JZT-2B", "广东某卫浴有限公司", "L20261127", "合格", "Passed",
		"2026-11-18", "2026-11-20 14:00", "赋码投产", "发货 Shipped", "这是此码的首次查询", "2026-11-21 11:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, secret := range []string{"tx-secret-123", "MakerMSP", "<script"} {
		if strings.Contains(body, secret) {
			t.Errorf("page shows %q", secret)
		}
	}
}

func TestPageShowsTheRecallBannerOfAnAncestor(t *testing.T) {
	a := newPubAPI(t)
	body := a.do(http.MethodGet, "/v/"+recalledID, "", "").Body.String()
	for _, want := range []string{"已召回", "Recalled", "接地电阻超标", "2026-11-25 09:00", "88.118.8/LOT-2"} {
		if !strings.Contains(body, want) {
			t.Errorf("recall page lacks %q", want)
		}
	}
	if strings.Contains(body, "✔ 正品") || strings.Contains(body, "tx-recall-9") || strings.Contains(body, "cert-user-7") {
		t.Errorf("recall page shows a genuine verdict or internal ids")
	}
}

func TestPageWarnsOfManyScans(t *testing.T) {
	a := newPubAPI(t)
	for range 4 {
		a.do(http.MethodGet, "/v/"+unitID, "", "")
	}
	body := a.do(http.MethodGet, "/v/"+unitID, "", "").Body.String()
	if !strings.Contains(body, "风险提示") || !strings.Contains(body, "可能被复制") {
		t.Errorf("no cloned-code warning after 5 scans")
	}
}

func TestPageErrors(t *testing.T) {
	a := newPubAPI(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want       string
	}{
		{"unknown well-formed code", "/v/88.118.8/FAKE-1", http.StatusNotFound, "可能是假冒产品"},
		{"malformed prefix", "/v/88..8/X", http.StatusBadRequest, "无效的查询码"},
		{"suffix with a percent sign", "/v/88.118.8/A%25B", http.StatusBadRequest, "Invalid code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do(http.MethodGet, tc.path, "", "")
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("status %d, body lacks %q", rec.Code, tc.want)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestPageOfANonSerializedItemHasNoScanSection(t *testing.T) {
	a := newPubAPI(t)
	body := a.do(http.MethodGet, "/v/"+plainID, "", "").Body.String()
	if !strings.Contains(body, "2026-11-20 10:00") {
		t.Errorf("production date of an item without productionDate is not its registration time")
	}
	if strings.Contains(body, "查询次数") || a.scans.n[plainID] != 0 {
		t.Errorf("a case counts scans")
	}
}
