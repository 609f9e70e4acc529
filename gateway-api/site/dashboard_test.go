package site

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/idchain/idchain/gateway-api/scans"
)

func (a *pubAPI) seedStats() {
	today := scans.DayOf(testNow)
	a.scans.stats[today] = map[scans.StatKey]int64{
		{Metric: scans.MetricItems, Org: "MakerMSP", Industry: "kitchen_bath"}:     1200,
		{Metric: scans.MetricInspected, Org: "MakerMSP", Industry: "kitchen_bath"}: 40,
		{Metric: scans.MetricPassed, Org: "MakerMSP", Industry: "kitchen_bath"}:    30,
		{Metric: scans.MetricRecalls, Org: "MakerMSP", Industry: "kitchen_bath"}:   2,
		{Metric: scans.MetricConsents}:                                             3,
	}
}

func TestDashboardAccess(t *testing.T) {
	a := newPubAPI(t)
	a.seedStats()
	get := func(path, cookie, user string) *http.Response {
		req := newRequest(http.MethodGet, path, "")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: dashCookie, Value: cookie})
		}
		if user != "" {
			req.Header.Set("Authorization", "Bearer key-"+user)
		}
		return serve(a.h, req).Result()
	}
	if r := get("/dashboard", "", ""); r.StatusCode != 401 {
		t.Errorf("no key: %d", r.StatusCode)
	}
	r := get("/dashboard?key=key-regulator&days=30", "", "")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard?days=30" {
		t.Fatalf("?key=: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	ck := r.Cookies()
	if len(ck) != 1 || ck[0].Value != "key-regulator" || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", ck)
	}
	if r := get("/dashboard?key=wrong", "", ""); r.StatusCode != 401 || len(r.Cookies()) != 0 {
		t.Errorf("wrong ?key=: %d", r.StatusCode)
	}
	for _, tc := range []struct {
		name, cookie, user string
		status             int
	}{
		{"regulator cookie", "key-regulator", "", 200},
		{"platform bearer", "", "platform-admin", 200},
		{"maker cookie", "key-maker-qa", "", 403},
		{"role regulator in the maker's org", "key-maker-regulator", "", 403},
		{"unknown cookie", "nope", "", 401},
	} {
		if r := get("/dashboard", tc.cookie, tc.user); r.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.status)
		}
	}
}

func TestDashboardLoginForm(t *testing.T) {
	a := newPubAPI(t)
	req := newRequest(http.MethodPost, "/dashboard/login", url.Values{"key": {"key-regulator"}}.Encode())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := serve(a.h, req)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), dashCookie+"=key-regulator") {
		t.Errorf("login: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	req = newRequest(http.MethodPost, "/dashboard/login", "key=key-maker-operator")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := serve(a.h, req); rec.Code != 403 || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("maker login: %d", rec.Code)
	}
}

func TestDashboardShowsCountsAndCharts(t *testing.T) {
	a := newPubAPI(t)
	a.seedStats()
	body := a.do(http.MethodGet, "/dashboard", "regulator", "").Body.String()
	for _, want := range []string{"数据展示中心", "1200", "75%", "广东某卫浴有限公司", "厨卫 Kitchen", "<svg", "召回 recalls: 2", "<td class=\"n\">3</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}
