package main

import (
	"testing"
	"time"
)

func TestParseTune(t *testing.T) {
	got, err := parseTune("wait=20ms,inflight=8,max=250,endorsers=gateway")
	if err != nil {
		t.Fatal(err)
	}
	if got.co.MaxWait != 20*time.Millisecond || got.co.InFlight != 8 || got.co.MaxItems != 250 || !got.fab.GatewayEndorsers {
		t.Errorf("parseTune = %+v", got)
	}
	if got, err := parseTune("endorsers=named"); err != nil || got.fab.GatewayEndorsers {
		t.Errorf("endorsers=named: %+v, %v; want the named default", got, err)
	}
	for _, bad := range []string{"endorsers=some", "wait=soon", "speed=2"} {
		if _, err := parseTune(bad); err == nil {
			t.Errorf("parseTune(%q) accepted", bad)
		}
	}
}

func TestPhasesMeans(t *testing.T) {
	after := phases{txs: 12, items: 40, endorse: 2, endorseN: 10, submit: 0.1, commit: 1.5, commitCount: 10, sync: 0.2, syncCount: 10}
	before := phases{txs: 2, items: 10}
	m := after.minus(before).means()
	for k, want := range map[string]float64{"itemsPerTx": 3, "endorseMs": 200, "submitMs": 10, "commitMs": 150, "peerSyncMs": 20} {
		if d := m[k] - want; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if z := (phases{}).means(); z["endorseMs"] != 0 || z["itemsPerTx"] != 0 {
		t.Errorf("no transactions: %v, want zeros", z)
	}
}
