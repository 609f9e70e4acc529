package main

import "testing"

func TestMedianPicksOneChaincodeAndWorkload(t *testing.T) {
	all := []result{
		{Chaincode: "new", Workload: "batch", PerSec: 30},
		{Chaincode: "new", Workload: "batch", PerSec: 10},
		{Chaincode: "new", Workload: "batch", PerSec: 20},
		{Chaincode: "old", Workload: "batch", PerSec: 99},
		{Chaincode: "new", Workload: "single", PerSec: 7},
	}
	perSec := func(r result) float64 { return r.PerSec }
	if got := median(all, "new", "batch", perSec); got != 20 {
		t.Fatalf("median new batch = %v, want 20", got)
	}
	if got := median(all, "old", "single", perSec); got != 0 {
		t.Fatalf("median of nothing = %v, want 0", got)
	}
}

func TestParseFlagsRefusesBadValues(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{
		{"-only", "both", "-profile", "p.json"},
		{"-items", "10", "-batch", "500", "-profile", "p.json"},
		{"-singles", "1", "-profile", "p.json"},
		{"-legacy", "", "-profile", "p.json"},
	} {
		if _, err := parseFlags(args, env); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	c, err := parseFlags([]string{"-only", "old", "-profile", "p.json"}, env)
	if err != nil || c.only != "old" || c.batch != 500 || c.clients != 8 {
		t.Fatalf("parseFlags defaults: %+v, %v", c, err)
	}
}
