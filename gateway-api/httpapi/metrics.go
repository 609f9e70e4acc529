package httpapi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	duration *prometheus.HistogramVec
	// hot counts in-process cache lookups by variant: [0] hits, [1] misses
	// (resolved once: no label lookup on the hot path).
	hot map[string][2]prometheus.Counter
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "idchain_http_request_duration_seconds",
		Help:    "HTTP request latency by route template, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method", "route", "status"})}
	hot := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "idchain_hot_cache_lookups_total",
		Help: "In-process cache lookups of rendered answers by variant and result (hit, miss).",
	}, []string{"variant", "result"})
	m.hot = map[string][2]prometheus.Counter{}
	for _, v := range []string{HotVerify, hotItem, hotProv, hotGS1} {
		m.hot[v] = [2]prometheus.Counter{hot.WithLabelValues(v, "hit"), hot.WithLabelValues(v, "miss")}
	}
	reg.MustRegister(m.duration, hot)
	return m
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.duration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}
