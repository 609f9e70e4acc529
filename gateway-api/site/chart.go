package site

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// series is one set of bars of a chart.
type series struct {
	Name, Color string
	Values      []int64
}

// Chart geometry (SVG user units; the chart scales to its container).
const (
	chartW, chartH = 320, 170
	chartLeft      = 34
	chartTop       = 28
	chartBottom    = 22
)

// barChart draws grouped bars, one group per label, as an inline SVG with
// a title, a legend, a max-value axis label and a <title> tooltip per bar.
// Every text is escaped.
func barChart(title string, labels []string, ss []series) template.HTML {
	var maxV int64
	for _, s := range ss {
		for _, v := range s.Values {
			maxV = max(maxV, v)
		}
	}
	plotW := float64(chartW - chartLeft - 4)
	plotH := float64(chartH - chartTop - chartBottom)
	n := max(len(labels), 1)
	groupW := plotW / float64(n)
	barW := groupW * 0.8 / float64(max(len(ss), 1))
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="card" style="margin:0"><svg viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">`,
		chartW, chartH, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="0" y="12" font-size="11" font-weight="bold" fill="#354052">%s</text>`, html.EscapeString(title))
	x := float64(chartLeft)
	for _, s := range ss {
		fmt.Fprintf(&b, `<rect x="%.1f" y="17" width="8" height="8" fill="%s"/><text x="%.1f" y="24" font-size="8" fill="#5b6475">%s</text>`,
			x, s.Color, x+10, html.EscapeString(s.Name))
		x += 12 + 5*float64(len([]rune(s.Name)))
	}
	base := float64(chartTop) + plotH
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c9d1dd"/>`, chartLeft, base, chartW-4, base)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="8" text-anchor="end" fill="#5b6475">%d</text>`, chartLeft-3, chartTop+6, maxV)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="8" text-anchor="end" fill="#5b6475">0</text>`, chartLeft-3, base)
	every := max(1, (n+6)/7) // at most about 7 axis labels
	for i, l := range labels {
		gx := float64(chartLeft) + float64(i)*groupW + groupW*0.1
		for j, s := range ss {
			var v int64
			if i < len(s.Values) {
				v = s.Values[i]
			}
			h := 0.0
			if maxV > 0 {
				h = plotH * float64(v) / float64(maxV)
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				gx+float64(j)*barW, base-h, barW, h, s.Color, html.EscapeString(l), html.EscapeString(s.Name), v)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="8" text-anchor="middle" fill="#5b6475">%s</text>`,
				gx+groupW*0.4, base+12, html.EscapeString(l))
		}
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String()) // built from escaped parts above
}
