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

// dashRow is one line of a dashboard table (an org or an industry).
type dashRow struct {
	Name                               string
	Items, Inspected, Passed, Releases int64
	Recalls, Consents, Shared, Scans   int64
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

type dashData struct {
	Title, User, From, To string
	Days                  int
	Total                 dashRow
	Orgs, Industries      []dashRow
	Charts                []template.HTML
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
	orgs, inds := map[string]*dashRow{}, map[string]*dashRow{}
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
			if series, ok := perDay[k.Metric]; ok {
				series[i] += n
			}
		}
	}
	d.Orgs, d.Industries = sortedRows(orgs), sortedRows(inds)
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
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
