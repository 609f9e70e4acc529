package site

import (
	"cmp"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/scans"
)

// dashRow is one line of a dashboard table (an org, an industry, or an
// enterprise with its hosting org and industry).
type dashRow struct {
	Name      string `json:"name"`
	Org       string `json:"org,omitempty"`      // enterprise rows: the hosting org
	Industry  string `json:"industry,omitempty"` // enterprise rows: the industry counted
	Items     int64  `json:"items"`
	Inspected int64  `json:"inspected"`
	Passed    int64  `json:"passed"`
	Releases  int64  `json:"releases"`
	Recalls   int64  `json:"recalls"`
	Consents  int64  `json:"consents"`
	Shared    int64  `json:"shared"`
	Scans     int64  `json:"firstScans"`
}

func (r *dashRow) add(metric string, n int64) {
	switch metric {
	case scans.MetricItems:
		r.Items += n
	case scans.MetricInspected:
		r.Inspected += n
	case scans.MetricPassed:
		r.Passed += n
	case scans.MetricReleases:
		r.Releases += n
	case scans.MetricRecalls:
		r.Recalls += n
	case scans.MetricConsents:
		r.Consents += n
	case scans.MetricShared:
		r.Shared += n
	case scans.MetricFirstScans:
		r.Scans += n
	}
}

// get is the row's figure for metric (the inverse of add).
func (r dashRow) get(metric string) int64 {
	switch metric {
	case scans.MetricItems:
		return r.Items
	case scans.MetricInspected:
		return r.Inspected
	case scans.MetricPassed:
		return r.Passed
	case scans.MetricReleases:
		return r.Releases
	case scans.MetricRecalls:
		return r.Recalls
	case scans.MetricConsents:
		return r.Consents
	case scans.MetricShared:
		return r.Shared
	case scans.MetricFirstScans:
		return r.Scans
	}
	return 0
}

type dashData struct {
	Title      string    `json:"-"`
	User       string    `json:"-"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Days       int       `json:"days"`
	Total      dashRow   `json:"total"`
	Orgs       []dashRow `json:"orgs"`
	Industries []dashRow `json:"industries"`
	// Enterprises has one row per enterprise, org and industry; an org's
	// own records (prefixes not assigned to an enterprise) form the row
	// "<org> 自有 (org's own)".
	Enterprises []dashRow       `json:"enterprises"`
	Charts      []template.HTML `json:"-"`
}

// dashboardData sums the event counters of the last days (UTC+8 days,
// today included) per organisation, per industry and per day.
func (s *Site) dashboardData(c *gin.Context, days int) (dashData, error) {
	now := s.cfg.Now()
	keys := make([]string, days)
	for i := range days {
		keys[i] = scans.DayOf(now.Add(-time.Duration(days-1-i) * 24 * time.Hour))
	}
	d := dashData{Title: "数据展示中心 Dashboard", Days: days, From: keys[0], To: keys[days-1],
		Total: dashRow{Name: "合计 Total"}}
	if s.cfg.Stats == nil {
		return d, nil
	}
	stats, err := s.cfg.Stats.Stats(c.Request.Context(), keys)
	if err != nil {
		return d, err
	}
	orgs, inds, ents := map[string]*dashRow{}, map[string]*dashRow{}, map[string]*dashRow{}
	row := func(m map[string]*dashRow, name string) *dashRow {
		if m[name] == nil {
			m[name] = &dashRow{Name: name}
		}
		return m[name]
	}
	perDay := map[string][]int64{}
	for _, metric := range []string{scans.MetricItems, scans.MetricInspected, scans.MetricPassed,
		scans.MetricReleases, scans.MetricRecalls, scans.MetricShared, scans.MetricConsents, scans.MetricFirstScans} {
		perDay[metric] = make([]int64, days)
	}
	for i, day := range keys {
		for k, n := range stats[day] {
			d.Total.add(k.Metric, n)
			org := "—"
			if k.Org != "" {
				org = s.orgName(k.Org)
			}
			ind := "—"
			if k.Industry != "" {
				ind = label(industryLabels, domain.Industry(k.Industry))
			}
			row(orgs, org).add(k.Metric, n)
			row(inds, ind).add(k.Metric, n)
			ent := k.Enterprise
			if ent == "" {
				ent = org + " 自有 (org's own)"
			}
			er := row(ents, ent+"\x00"+org+"\x00"+ind)
			er.Name, er.Org, er.Industry = ent, org, ind
			er.add(k.Metric, n)
			if series, ok := perDay[k.Metric]; ok {
				series[i] += n
			}
		}
	}
	d.Orgs, d.Industries, d.Enterprises = sortedRows(orgs), sortedRows(inds), sortedRows(ents)
	labels := make([]string, days)
	for i, k := range keys {
		labels[i] = k[5:] // MM-DD
	}
	failed := make([]int64, days)
	for i := range failed {
		failed[i] = perDay[scans.MetricInspected][i] - perDay[scans.MetricPassed][i]
	}
	d.Charts = []template.HTML{
		barChart("登记标识 Items registered", labels, []series{{"登记 registered", "#2f6fb3", perDay[scans.MetricItems]}}),
		barChart("检验 Inspections", labels, []series{{"合格 passed", "#1a7f37", perDay[scans.MetricPassed]}, {"不合格 failed", "#c62828", failed}}),
		barChart("放行与召回 Releases & recalls", labels, []series{{"放行 releases", "#1a7f37", perDay[scans.MetricReleases]}, {"召回 recalls", "#c62828", perDay[scans.MetricRecalls]}}),
		barChart("授权与共享读取 Consents & shared reads", labels, []series{{"授权 consents", "#6a4fb3", perDay[scans.MetricConsents]}, {"读取 reads", "#b26a00", perDay[scans.MetricShared]}}),
	}
	return d, nil
}

func sortedRows(m map[string]*dashRow) []dashRow {
	out := make([]dashRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b dashRow) int {
		if c := cmp.Compare(b.Items, a.Items); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Org, b.Org), strings.Compare(a.Industry, b.Industry))
	})
	return out
}
