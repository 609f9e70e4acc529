package resolver

import (
	"encoding/json"
	"strings"
	"testing"
)

func demoSet() Set {
	return Set{
		Anchor:      "https://id.example.org/01/06901234567892/21/0001",
		Description: "燃气灶 JZT-2B",
		Links: []Link{
			{Type: VerificationService, Href: "https://id.example.org/v/88.118.8/KB-0001", Title: "验真 Verify", Media: "text/html", Hreflang: []string{"zh"}},
			{Type: PIP, Href: "https://id.example.org/v/88.118.8/KB-0001", Title: "产品信息 Product information", Media: "text/html", Hreflang: []string{"zh"}},
			{Type: Traceability, Href: "https://id.example.org/epcis/events?MATCH_epc=https%3A%2F%2Fid.gs1.org%2F01%2F06901234567892%2F21%2F0001", Title: "EPCIS events", Media: "application/ld+json"},
			{Type: RecallStatus, Href: "https://id.example.org/v1/verify/88.118.8/KB-0001", Title: "召回状态 Recall status", Media: "application/json"},
		},
	}
}

// TestLinksetPassesCheckLinkset: the linkset idchain serves passes the
// RFC 9264 structural check, and the check does fail a linkset that
// breaks it (so it is not vacuous).
func TestLinksetPassesCheckLinkset(t *testing.T) {
	b, err := json.Marshal(demoSet().Linkset())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckLinkset(b); err != nil {
		t.Fatalf("linkset %s: %v", b, err)
	}
	for name, bad := range map[string]string{
		"a link without title":      `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","https://gs1.org/voc/pip":[{"href":"https://a.example/p"}]}]}`,
		"no itemDescription":        `{"linkset":[{"anchor":"https://a.example/01/1","https://gs1.org/voc/pip":[{"href":"https://a.example/p","title":"p"}]}]}`,
		"a relation that is no URI": `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","Not A Type":[{"href":"https://a.example/p","title":"p"}]}]}`,
		"an unknown target field":   `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","https://gs1.org/voc/pip":[{"href":"https://a.example/p","title":"p","colour":"red"}]}]}`,
		"a linkset object":          `{"linkset":{"anchor":"https://a.example/01/1","itemDescription":"x"}}`,
		"a relative anchor":         `{"linkset":[{"anchor":"/01/1","itemDescription":"x","https://gs1.org/voc/pip":[{"href":"https://a.example/p","title":"p"}]}]}`,
		"hreflang as a string":      `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","https://gs1.org/voc/pip":[{"href":"https://a.example/p","title":"p","hreflang":"zh"}]}]}`,
		"a target that is no array": `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","https://gs1.org/voc/pip":{"href":"https://a.example/p","title":"p"}}]}`,
		"a second top-level member": `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","https://gs1.org/voc/pip":[{"href":"https://a.example/p","title":"p"}]}],"x":1}`,
	} {
		if err := CheckLinkset([]byte(bad)); err == nil {
			t.Errorf("%s: accepted, want refused", name)
		}
	}
	ext := `{"linkset":[{"anchor":"https://a.example/01/1","itemDescription":"x","describedby":[{"href":"https://a.example/p","title":"p","hreflang":["zh","en"],"title*":[{"value":"产品","language":"zh"}]}]}]}`
	if err := CheckLinkset([]byte(ext)); err != nil {
		t.Errorf("a registered relation with title* and hreflang: %v", err)
	}
}

func TestLinksetShape(t *testing.T) {
	ls := demoSet().Linkset()
	ctx := ls["linkset"].([]any)[0].(map[string]any)
	def := ctx["https://gs1.org/voc/defaultLink"].([]target)
	if len(def) != 1 || def[0].Href != demoSet().Links[0].Href || def[0].Type != "" || def[0].Hreflang != nil {
		t.Fatalf("default link %+v: the first link, without optional attributes", def)
	}
	for _, rel := range []string{"https://gs1.org/voc/pip", "https://gs1.org/voc/verificationService", "https://gs1.org/voc/traceability", "https://gs1.org/voc/recallStatus"} {
		if ts, ok := ctx[rel].([]target); !ok || len(ts) != 1 || ts[0].Title == "" {
			t.Errorf("relation %s: %v", rel, ctx[rel])
		}
	}
	if ctx["anchor"] != demoSet().Anchor {
		t.Errorf("anchor %v", ctx["anchor"])
	}
}

func TestSelect(t *testing.T) {
	s := demoSet()
	for _, tc := range []struct {
		linkType string
		want     string
		ok       bool
	}{
		{"gs1:pip", PIP, true},
		{"https://gs1.org/voc/recallStatus", RecallStatus, true},
		{"http://gs1.org/voc/traceability", Traceability, true},
		{"gs1:defaultLink", VerificationService, true},
		{"gs1:epil", "", false},
		{"gs1:nonsense", "", false},
	} {
		l, ok := s.Select(tc.linkType)
		if ok != tc.ok || ok && l.Type != tc.want {
			t.Errorf("Select(%q) = %+v, %v; want %s, %v", tc.linkType, l, ok, tc.want, tc.ok)
		}
	}
	if !WantsLinkset("linkset") || !WantsLinkset("all") || WantsLinkset("gs1:pip") {
		t.Error("WantsLinkset")
	}
	h := LinkHeader("https://id.example.org/01/06901234567892?linkType=linkset")
	if !strings.Contains(h, `rel="linkset"`) || strings.Contains(h, `rel="gs1:`) {
		t.Errorf("Link header %s: one link to the linkset and no deprecated gs1: links", h)
	}
}

func TestDescriptionFile(t *testing.T) {
	d := NewDescription("https://id.example.org", "idchain", "")
	b, _ := json.Marshal(d)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "resolverRoot", "supportedPrimaryKeys", "supportedLinkType", "activeLinkTypes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("description file lacks %s: %s", k, b)
		}
	}
	if keys := m["supportedPrimaryKeys"].([]any); len(keys) != 1 || keys[0] != "01" {
		t.Errorf("supportedPrimaryKeys %v", keys)
	}
}
