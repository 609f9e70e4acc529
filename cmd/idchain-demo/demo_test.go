package main

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

func TestRenderHalfBlocks(t *testing.T) {
	bitmap := [][]bool{
		{true, false, true},
		{true, true, false},
		{false, true, false},
	}
	tests := []struct {
		name  string
		light bool
		want  string
	}{
		{"dark terminal draws light modules", false, "   ▀▄\n  █▄█\n"},
		{"light terminal draws dark modules", true, "  █▄▀\n   ▀ \n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := renderHalfBlocks(&b, bitmap, tc.light); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

func TestWriteQRHasQuietZone(t *testing.T) {
	var b bytes.Buffer
	if err := writeQR(&b, "http://127.0.0.1:8080/v/88.118.8/VHRJ5NKR43BSDA", false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if first := strings.TrimPrefix(lines[0], "  "); strings.Trim(first, "█") != "" {
		t.Errorf("the first line is not all quiet zone: %q", first)
	}
	if len(lines) < 10 {
		t.Errorf("only %d lines", len(lines))
	}
}

func TestDemoIdentifiers(t *testing.T) {
	for _, body := range []string{"690123456789", "690123456790"} {
		if err := identifier.ValidateGTIN(gtin(body)); err != nil {
			t.Errorf("gtin(%s) = %s: %v", body, gtin(body), err)
		}
		if g, _ := identifier.NormalizeGTIN(gtin(body)); !slices.Contains(domain.GCPCandidates(g), makerGCP) {
			t.Errorf("GTIN %s does not lie under the maker's GCP %s", g, makerGCP)
		}
	}
	st := &demoState{Serials: map[string][]string{}}
	a := st.serials("x", 3)
	if b := st.serials("x", 3); !reflect.DeepEqual(a, b) {
		t.Errorf("serials changed between calls: %v %v", a, b)
	}
	for _, s := range a {
		if err := identifier.CheckSerial(s); err != nil {
			t.Errorf("serial %s: %v", s, err)
		}
	}
	for _, tc := range []struct{ id, want string }{
		{"88.118.8/KB-1", "/88.118.8/KB-1"},
		{"88.118.8/a b", "/88.118.8/a%20b"},
	} {
		if got := itemPath(tc.id); got != tc.want {
			t.Errorf("itemPath(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestDemoEnterprises(t *testing.T) {
	seen := map[string]bool{}
	perIndustry := map[domain.Industry][2]int{} // hosted, own org
	for _, e := range demoEnterprises {
		id, err := uscc(e.orgCode)
		if err != nil {
			t.Fatalf("%s: %v", e.key, err)
		}
		if n, err := identifier.NormalizeUSCC(id); err != nil || n != id {
			t.Errorf("%s: USCC %s is not valid: %v", e.key, id, err)
		}
		for _, v := range []string{id, e.prefix, e.gcp, e.key, e.model} {
			if seen[v] {
				t.Errorf("%s: %s is used twice", e.key, v)
			}
			seen[v] = true
		}
		g, err := identifier.NormalizeGTIN(gtin(e.gtinBody))
		if err != nil || !slices.Contains(domain.GCPCandidates(g), e.gcp) {
			t.Errorf("%s: GTIN %s does not lie under GCP %s (%v)", e.key, g, e.gcp, err)
		}
		c := perIndustry[e.industry]
		if e.hosted {
			c[0]++
		} else {
			c[1]++
		}
		perIndustry[e.industry] = c
	}
	for _, ind := range []domain.Industry{domain.IndustryKitchenBath, domain.IndustryCosmetics, domain.IndustryPCB} {
		if c := perIndustry[ind]; c[0] < 1 || c[1] < 1 {
			t.Errorf("industry %s: %d platform-hosted, %d on the maker's org; want at least one of each", ind, c[0], c[1])
		}
	}
	if userVar("kb-small", "qa") != "KB_SMALL_QA" {
		t.Errorf("userVar = %s", userVar("kb-small", "qa"))
	}
}
