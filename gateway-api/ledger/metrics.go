package ledger

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Fabric-side measurements. A nil *Metrics records nothing.
type Metrics struct {
	phase      *prometheus.HistogramVec // endorse / submit / commit / evaluate
	retries    *prometheus.CounterVec
	batchItems prometheus.Histogram
	batchReqs  prometheus.Histogram
	eventLag   prometheus.Histogram
	eventBlock prometheus.Gauge
	events     *prometheus.CounterVec
	syncWait   *prometheus.HistogramVec
	heights    *prometheus.GaugeVec
}

// NewMetrics creates and registers the ledger metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		phase: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "idchain_fabric_duration_seconds",
			Help:    "Latency of fabric-gateway calls by phase (evaluate, endorse, submit, commit) and function.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"phase", "fn"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idchain_fabric_retries_total",
			Help: "Retried fabric calls by function.",
		}, []string{"fn"}),
		batchItems: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "idchain_register_batch_items",
			Help:    "Items per RegisterItems transaction.",
			Buckets: []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000},
		}),
		batchReqs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "idchain_register_batch_requests",
			Help:    "API requests coalesced into one RegisterItems transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
		}),
		eventLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "idchain_event_listener_lag_seconds",
			Help:    "Time from this API seeing a transaction commit to its chaincode event being processed.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		eventBlock: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "idchain_event_listener_block",
			Help: "Block number of the last chaincode event processed.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idchain_event_listener_events_total",
			Help: "Chaincode events processed, and listener reconnects.",
		}, []string{"kind"}),
		syncWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "idchain_fabric_peer_sync_seconds",
			Help:    "Time a committed write waited until every org's peer had its block (outcome: synced, timeout).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5},
		}, []string{"outcome"}),
		heights: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "idchain_fabric_peer_height",
			Help: "Committed block height of each org's peer as seen by this API.",
		}, []string{"peer"}),
	}
	reg.MustRegister(m.phase, m.retries, m.batchItems, m.batchReqs, m.eventLag, m.eventBlock, m.events, m.syncWait, m.heights)
	return m
}

func (m *Metrics) observe(phase, fn string, seconds float64) {
	if m != nil {
		m.phase.WithLabelValues(phase, fn).Observe(seconds)
	}
}

func (m *Metrics) retry(fn string) {
	if m != nil {
		m.retries.WithLabelValues(fn).Inc()
	}
}

func (m *Metrics) batch(items, requests int) {
	if m != nil {
		m.batchItems.Observe(float64(items))
		m.batchReqs.Observe(float64(requests))
	}
}

func (m *Metrics) event(kind string) {
	if m != nil {
		m.events.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) peerSync(d time.Duration, timedOut bool) {
	if m != nil {
		outcome := "synced"
		if timedOut {
			outcome = "timeout"
		}
		m.syncWait.WithLabelValues(outcome).Observe(d.Seconds())
	}
}

func (m *Metrics) peerHeight(peer string, height uint64) {
	if m != nil {
		m.heights.WithLabelValues(peer).Set(float64(height))
	}
}
