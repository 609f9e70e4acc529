package domain

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func num(v float64) TestResult { return TestResult{Value: &v} }

func val(code string, v float64) TestResult { r := num(v); r.Code = code; return r }

func flag(code string, b bool) TestResult { return TestResult{Code: code, Pass: &b} }

func boundsPlan() Plan {
	return Plan{Model: "M-1", Industry: IndustryGeneric, Version: 1, Items: []PlanItem{
		{Code: "RANGE", Kind: TestNumeric, Min: f64(4.0), Max: f64(8.5), Required: true},
		{Code: "MAXONLY", Kind: TestNumeric, Max: f64(0.1), Required: true},
		{Code: "MINONLY", Kind: TestNumeric, Min: f64(0), Required: true},
		{Code: "OK", Kind: TestBoolean, Required: true},
		{Code: "NICE", Kind: TestNumeric, Max: f64(1), Required: false},
	}}
}

func TestJudge(t *testing.T) {
	all := func(rng, maxonly, minonly float64, ok bool) []TestResult {
		return []TestResult{val("RANGE", rng), val("MAXONLY", maxonly), val("MINONLY", minonly), flag("OK", ok)}
	}
	tests := []struct {
		name     string
		results  []TestResult
		passed   bool
		failed   []string
		missing  []string
		advisory []string
	}{
		{"values inside the limits pass", all(6, 0.05, 3, true), true, nil, nil, nil},
		{"a value equal to min passes", all(4.0, 0.05, 0, true), true, nil, nil, nil},
		{"a value equal to max passes", all(8.5, 0.1, 0, true), true, nil, nil, nil},
		{"a value just below min fails", all(3.999, 0.05, -0.001, true), false, []string{"RANGE", "MINONLY"}, nil, nil},
		{"a value just above max fails", all(8.501, 0.1001, 1, true), false, []string{"RANGE", "MAXONLY"}, nil, nil},
		{"a boolean false fails", all(6, 0.05, 1, false), false, []string{"OK"}, nil, nil},
		{"missing required items are listed in plan order", []TestResult{val("MINONLY", 1), val("RANGE", 5)}, false, nil, []string{"MAXONLY", "OK"}, nil},
		{"no results at all: every required item missing", nil, false, nil, []string{"RANGE", "MAXONLY", "MINONLY", "OK"}, nil},
		{"a failing non-required item does not block", append(all(6, 0.05, 1, true), val("NICE", 2)), true, nil, nil, []string{"NICE"}},
		{"a passing non-required item is silent", append(all(6, 0.05, 1, true), val("NICE", 1)), true, nil, nil, nil},
		{"result order does not matter", []TestResult{flag("OK", false), val("MINONLY", -1), val("MAXONLY", 1), val("RANGE", 1)}, false, []string{"RANGE", "MAXONLY", "MINONLY", "OK"}, nil, nil},
		{"failed and missing together", []TestResult{val("RANGE", 9), flag("OK", true)}, false, []string{"RANGE"}, []string{"MAXONLY", "MINONLY"}, nil},
		{"a boolean result without pass counts as missing", []TestResult{val("RANGE", 5), val("MAXONLY", 0), val("MINONLY", 0), {Code: "OK"}}, false, nil, []string{"OK"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := boundsPlan().Judge(tt.results)
			if j.Passed != tt.passed {
				t.Errorf("passed = %v, want %v", j.Passed, tt.passed)
			}
			want := func(s []string) []string {
				if s == nil {
					return []string{}
				}
				return s
			}
			if !reflect.DeepEqual(j.Failed, want(tt.failed)) {
				t.Errorf("failed = %q, want %q", j.Failed, tt.failed)
			}
			if !reflect.DeepEqual(j.Missing, want(tt.missing)) {
				t.Errorf("missing = %q, want %q", j.Missing, tt.missing)
			}
			if !reflect.DeepEqual(j.Advisory, tt.advisory) {
				t.Errorf("advisory = %q, want %q", j.Advisory, tt.advisory)
			}
		})
	}
}

func TestJudgeIsDeterministic(t *testing.T) {
	p := ExampleGasStovePlan("JZT-2B")
	p.Normalize()
	first := p.Judge([]TestResult{val("EARTH_OHM", 0.2), val("LEAK_MA", 0.9)})
	for i := 0; i < 50; i++ {
		if got := p.Judge([]TestResult{val("LEAK_MA", 0.9), val("EARTH_OHM", 0.2)}); !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d: %+v, want %+v", i, got, first)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	base := func() Plan {
		return Plan{Model: "JZT-2B", Industry: IndustryKitchenBath, Items: []PlanItem{
			{Code: "A", Min: f64(1), Max: f64(2), Required: true},
			{Code: "B", Kind: TestBoolean},
		}}
	}
	tests := []struct {
		name   string
		change func(*Plan)
		ok     bool
	}{
		{"a well-formed plan is valid", func(*Plan) {}, true},
		{"min equal to max is valid", func(p *Plan) { p.Items[0].Min = f64(2) }, true},
		{"a numeric item without limits is valid", func(p *Plan) { p.Items[0].Min, p.Items[0].Max = nil, nil }, true},
		{"min above max is refused", func(p *Plan) { p.Items[0].Min = f64(3) }, false},
		{"duplicate codes are refused", func(p *Plan) { p.Items[1].Code = "A" }, false},
		{"an empty code is refused", func(p *Plan) { p.Items[1].Code = "" }, false},
		{"a code with a separator is refused", func(p *Plan) { p.Items[1].Code = "A~B" }, false},
		{"an unknown kind is refused", func(p *Plan) { p.Items[1].Kind = "text" }, false},
		{"limits on a boolean item are refused", func(p *Plan) { p.Items[1].Max = f64(1) }, false},
		{"an infinite limit is refused", func(p *Plan) { p.Items[0].Max = f64(math.Inf(1)) }, false},
		{"a plan without items is refused", func(p *Plan) { p.Items = nil }, false},
		{"a plan without a required item is refused", func(p *Plan) { p.Items[0].Required = false }, false},
		{"an unknown industry is refused", func(p *Plan) { p.Industry = "toys" }, false},
		{"an empty model is refused", func(p *Plan) { p.Model = "" }, false},
		{"a model with '~' is refused", func(p *Plan) { p.Model = "a~b" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.change(&p)
			p.Normalize()
			err := p.Validate()
			if tt.ok && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want INVALID", err)
			}
		})
	}
}

func TestValidateResults(t *testing.T) {
	p := boundsPlan()
	tests := []struct {
		name    string
		results []TestResult
		ok      bool
	}{
		{"results of plan items are valid", []TestResult{val("RANGE", 5), flag("OK", true)}, true},
		{"an unknown code is refused", []TestResult{val("OTHER", 1)}, false},
		{"a code given twice is refused", []TestResult{val("RANGE", 5), val("RANGE", 6)}, false},
		{"pass on a numeric item is refused", []TestResult{flag("RANGE", true)}, false},
		{"value on a boolean item is refused", []TestResult{val("OK", 1)}, false},
		{"a NaN value is refused", []TestResult{val("RANGE", math.NaN())}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.ValidateResults(tt.results)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Fatalf("ValidateResults = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestReleaseCheck(t *testing.T) {
	p := boundsPlan()
	p.Version = 2
	good := []TestResult{val("RANGE", 5), val("MAXONLY", 0), val("MINONLY", 0), flag("OK", true)}
	bad := []TestResult{val("RANGE", 5), val("MAXONLY", 1), flag("OK", true)}
	insp := func(v int, at, tx string, r []TestResult) Inspection {
		return Inspection{InspectionInput: InspectionInput{Results: r}, PlanVersion: v, At: at, TxID: tx}
	}
	tests := []struct {
		name    string
		ins     []Inspection
		blocked bool
		failed  []string
		missing []string
	}{
		{"no inspection blocks, naming every required item", nil, true, nil, []string{"RANGE", "MAXONLY", "MINONLY", "OK"}},
		{"a passing latest inspection releases", []Inspection{insp(2, "2026-01-01T00:00:00Z", "a", bad), insp(2, "2026-01-02T00:00:00Z", "b", good)}, false, nil, nil},
		{"a failing latest inspection blocks despite an earlier pass", []Inspection{insp(2, "2026-01-01T00:00:00Z", "a", good), insp(2, "2026-01-02T00:00:00Z", "b", bad)}, true, []string{"MAXONLY"}, []string{"MINONLY"}},
		{"a pass under an older plan version does not release", []Inspection{insp(1, "2026-01-03T00:00:00Z", "c", good)}, true, nil, []string{"RANGE", "MAXONLY", "MINONLY", "OK"}},
		{"same time: the larger tx id is latest", []Inspection{insp(2, "2026-01-01T00:00:00Z", "b", good), insp(2, "2026-01-01T00:00:00Z", "a", bad)}, false, nil, nil},
		// RFC3339Nano drops trailing zeros: the text order of these is wrong.
		{"times compare as instants: .95 s is later than .9 s", []Inspection{insp(2, "2026-01-01T10:00:05.95Z", "a", good), insp(2, "2026-01-01T10:00:05.9Z", "b", bad)}, false, nil, nil},
		{"a fraction of a second is later than the whole second", []Inspection{insp(2, "2026-01-01T10:00:05.5Z", "a", good), insp(2, "2026-01-01T10:00:05Z", "b", bad)}, false, nil, nil},
		{"one instant in two offsets ties on the tx id", []Inspection{insp(2, "2026-01-01T10:00:05Z", "b", good), insp(2, "2026-01-01T18:00:05+08:00", "a", bad)}, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ReleaseCheck("88.1/X", p, tt.ins)
			if (b.Reason != "") != tt.blocked {
				t.Fatalf("blocked = %q, want %v", b.Reason, tt.blocked)
			}
			if !reflect.DeepEqual(b.Failed, tt.failed) && len(b.Failed)+len(tt.failed) > 0 {
				t.Errorf("failed = %q, want %q", b.Failed, tt.failed)
			}
			if !reflect.DeepEqual(b.Missing, tt.missing) && len(b.Missing)+len(tt.missing) > 0 {
				t.Errorf("missing = %q, want %q", b.Missing, tt.missing)
			}
		})
	}
}

func TestReleaseBlocked(t *testing.T) {
	if err := ReleaseBlocked([]GateBlock{{ID: "a"}}); err != nil {
		t.Fatalf("no block: %v", err)
	}
	blocks := []GateBlock{{ID: "88.1/B", Reason: "r", Failed: []string{"X"}}, {ID: "88.1/A", Reason: "r", Missing: []string{"Y", "Z"}}}
	err := ReleaseBlocked(blocks)
	if !errors.Is(err, ErrReleaseBlocked) {
		t.Fatalf("err = %v, want RELEASE_BLOCKED", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "failed X") || !strings.Contains(msg, "missing Y,Z") || strings.Index(msg, "88.1/A") > strings.Index(msg, "88.1/B") {
		t.Fatalf("message %q does not name items in id order", msg)
	}
	many := make([]GateBlock, 25)
	for i := range many {
		many[i] = GateBlock{ID: string(rune('a' + i)), Reason: "r"}
	}
	if msg := ReleaseBlocked(many).Error(); !strings.Contains(msg, "and 15 more") {
		t.Fatalf("long list not bounded: %q", msg)
	}
}

func TestExamplePlansAreValid(t *testing.T) {
	for _, p := range ExamplePlans() {
		t.Run(p.Model, func(t *testing.T) {
			p.Normalize()
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if !p.Example {
				t.Fatal("example plan not marked Example")
			}
		})
	}
}

func TestExamplePCBPlanZeroDefects(t *testing.T) {
	p := ExamplePCBPanelPlan("P")
	if j := p.Judge([]TestResult{flag("AOI", true), val("ET_OPENS", 0), val("ET_SHORTS", 0)}); !j.Passed {
		t.Fatalf("zero defects: %+v", j)
	}
	if j := p.Judge([]TestResult{flag("AOI", true), val("ET_OPENS", 1), val("ET_SHORTS", 0)}); j.Passed || j.Failed[0] != "ET_OPENS" {
		t.Fatalf("one open: %+v", j)
	}
}
