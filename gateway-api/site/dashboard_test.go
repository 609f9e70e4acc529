package site

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/scans"
)

func (a *pubAPI) seedStats() {
	today := scans.DayOf(testNow)
	a.scans.stats[today] = map[scans.StatKey]int64{
		{Metric: scans.MetricItems, Org: "MakerMSP", Industry: "kitchen_bath"}:       1200,
		{Metric: scans.MetricInspected, Org: "MakerMSP", Industry: "kitchen_bath"}:   40,
		{Metric: scans.MetricPassed, Org: "MakerMSP", Industry: "kitchen_bath"}:      30,
		{Metric: scans.MetricRecalls, Org: "MakerMSP", Industry: "kitchen_bath"}:     2,
		{Metric: scans.MetricConsents, Org: "MakerMSP", Industry: scans.IndustryAll}: 3,
		{Metric: scans.MetricItems, Org: "PartnerMSP", Industry: "pcb"}:              25,
		// Two enterprises: one on MakerMSP, one hosted by the platform org.
		{Metric: scans.MetricItems, Org: "MakerMSP", Industry: "kitchen_bath", Enterprise: "佛山华厨燃具"}:    5,
		{Metric: scans.MetricConsents, Org: "MakerMSP", Industry: "kitchen_bath", Enterprise: "佛山华厨燃具"}: 1,
		{Metric: scans.MetricItems, Org: "PlatformMSP", Industry: "pcb", Enterprise: "东莞小板电子"}:          2,
	}
	yesterday := scans.DayOf(testNow.Add(-24 * time.Hour))
	a.scans.stats[yesterday] = map[scans.StatKey]int64{
		{Metric: scans.MetricItems, Org: "MakerMSP", Industry: "cosmetics"}:  7,
		{Metric: scans.MetricShared, Org: "MakerMSP", Industry: "cosmetics"}: 1,
	}
}

// login posts the form and returns the response.
func (a *pubAPI) login(key string) *http.Response {
	req := newRequest(http.MethodPost, "/dashboard/login", url.Values{"key": {key}}.Encode())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(a.h, req).Result()
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
	session := func(key string) string {
		r := a.login(key)
		ck := r.Cookies()
		if r.StatusCode != http.StatusSeeOther || len(ck) != 1 {
			t.Fatalf("login %s: %d %+v", key, r.StatusCode, ck)
		}
		return ck[0].Value
	}
	reg := session("key-regulator")
	for _, tc := range []struct {
		name, cookie, user string
		status             int
	}{
		{"regulator session", reg, "", 200},
		{"platform bearer", "", "platform-admin", 200},
		{"the key itself as cookie", "key-regulator", "", 401},
		{"unknown session", "nope", "", 401},
		{"maker bearer", "", "maker-qa", 403},
		{"role regulator in the maker's org", "", "maker-regulator", 403},
	} {
		if r := get("/dashboard", tc.cookie, tc.user); r.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.status)
		}
	}
	// Logging out ends the session server-side, not only in the browser.
	req := newRequest(http.MethodPost, "/dashboard/logout", "")
	req.AddCookie(&http.Cookie{Name: dashCookie, Value: reg})
	serve(a.h, req)
	if r := get("/dashboard", reg, ""); r.StatusCode != 401 {
		t.Errorf("session after logout: %d, want 401", r.StatusCode)
	}
}

func TestDashboardRefusesKeysInURLs(t *testing.T) {
	a := newPubAPI(t)
	req := newRequest(http.MethodGet, "/dashboard?key=key-regulator&days=30", "")
	rec := serve(a.h, req)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Set-Cookie") != "" || rec.Header().Get("Location") != "" {
		t.Fatalf("?key=: %d cookie %q location %q", rec.Code, rec.Header().Get("Set-Cookie"), rec.Header().Get("Location"))
	}
}

func TestDashboardCookieHoldsASessionNotTheKey(t *testing.T) {
	a := newPubAPI(t)
	r := a.login("key-regulator")
	ck := r.Cookies()
	if r.StatusCode != http.StatusSeeOther || len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Path != "/dashboard" {
		t.Fatalf("login: %d %+v", r.StatusCode, ck)
	}
	if strings.Contains(ck[0].Value, "key-regulator") || strings.Contains(ck[0].Value, httpapi.HashKey("key-regulator")) {
		t.Fatalf("cookie %q carries the key or its hash", ck[0].Value)
	}
	if r := a.login("key-maker-operator"); r.StatusCode != 403 || len(r.Cookies()) != 0 {
		t.Errorf("maker login: %d %v", r.StatusCode, r.Cookies())
	}
	if r := a.login("wrong"); r.StatusCode != 401 || len(r.Cookies()) != 0 {
		t.Errorf("wrong key: %d", r.StatusCode)
	}
}

func TestDashboardSessionEndsWhenItsKeyIsWithdrawn(t *testing.T) {
	keys := map[string]string{}
	a := newPubAPI(t, func(d *httpapi.Deps) { keys = d.Keys })
	token := a.login("key-regulator").Cookies()[0].Value
	delete(keys, httpapi.HashKey("key-regulator"))
	req := newRequest(http.MethodGet, "/dashboard", "")
	req.AddCookie(&http.Cookie{Name: dashCookie, Value: token})
	if rec := serve(a.h, req); rec.Code != 401 {
		t.Fatalf("session of a withdrawn key: %d, want 401", rec.Code)
	}
}

func TestDashboardShowsCountsAndCharts(t *testing.T) {
	a := newPubAPI(t)
	a.seedStats()
	body := a.do(http.MethodGet, "/dashboard", "regulator", "").Body.String()
	for _, want := range []string{"数据展示中心", "1200", "75%", "广东某卫浴有限公司", "厨卫 Kitchen", "<svg", "召回 recalls: 2", "<td class=\"n\">3</td>", "按企业主体", "佛山华厨燃具", "东莞小板电子"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// The figures add up: each table's rows sum to the total, for every metric.
func TestDashboardTotalsAreTheSumOfTheirRows(t *testing.T) {
	a := newPubAPI(t)
	a.seedStats()
	rec := a.do(http.MethodGet, "/dashboard/data", "regulator", "")
	var d dashData
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != 200 {
		t.Fatalf("data: %d %s", rec.Code, rec.Body)
	}
	if d.Total.Items != 1239 || d.Total.Consents != 4 || d.Total.Shared != 1 {
		t.Fatalf("total %+v", d.Total)
	}
	ents := map[string]dashRow{}
	for _, r := range d.Enterprises {
		ents[r.Name+"|"+r.Industry] = r
	}
	if r := ents["佛山华厨燃具|厨卫 Kitchen & bath"]; r.Items != 5 || r.Consents != 1 || r.Org == "" {
		t.Errorf("enterprise row %+v (rows %+v)", r, d.Enterprises)
	}
	if r := ents["东莞小板电子|"+label(industryLabels, "pcb")]; r.Items != 2 {
		t.Errorf("platform-hosted enterprise row %+v", r)
	}
	for _, r := range d.Enterprises {
		if r.Name == "佛山华厨燃具" && r.Items > 5 {
			t.Errorf("the org's own items were attributed to an enterprise: %+v", r)
		}
	}
	for name, rows := range map[string][]dashRow{"orgs": d.Orgs, "industries": d.Industries, "enterprises": d.Enterprises} {
		var sum dashRow
		for _, r := range rows {
			if r.Name == "—" {
				t.Errorf("%s: a row of unattributed facts %+v", name, r)
			}
			for _, m := range []string{scans.MetricItems, scans.MetricInspected, scans.MetricPassed, scans.MetricReleases,
				scans.MetricRecalls, scans.MetricConsents, scans.MetricShared, scans.MetricFirstScans} {
				sum.add(m, r.get(m))
			}
		}
		sum.Name, sum.Org, sum.Industry = d.Total.Name, "", ""
		if sum != d.Total {
			t.Errorf("%s sum to %+v, total is %+v", name, sum, d.Total)
		}
	}
	if rec := a.do(http.MethodGet, "/dashboard/data", "maker-qa", ""); rec.Code != 403 {
		t.Errorf("maker key: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/dashboard/data", "", ""); rec.Code != 401 {
		t.Errorf("no key: %d", rec.Code)
	}
}
