package domain

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Limits on plans and inspections, so one transaction stays bounded.
const (
	MaxPlanItems   = 200
	MaxCodeLen     = 64
	MaxTextLen     = 256
	MaxEquipLen    = 128
	maxBlockedList = 10 // units named in one RELEASE_BLOCKED message
)

// Normalize fills defaults: an item without kind is numeric.
func (p *Plan) Normalize() {
	for i := range p.Items {
		if p.Items[i].Kind == "" {
			p.Items[i].Kind = TestNumeric
		}
	}
}

// Validate checks a plan as submitted by its owner (call Normalize first):
// a model, a known industry, at least one item, unique well-formed codes, a
// known kind, finite limits with min ≤ max, no limits on boolean items, and
// at least one required item.
func (p Plan) Validate() error {
	if p.Model == "" || len(p.Model) > MaxCodeLen || !codeOK(p.Model) {
		return Errorf(CodeInvalid, "plan model %q: want 1-%d letters, digits, '-', '_' or '.'", p.Model, MaxCodeLen)
	}
	if !KnownIndustry(p.Industry) {
		return Errorf(CodeInvalid, "plan industry %q is unknown", p.Industry)
	}
	if len(p.Items) == 0 || len(p.Items) > MaxPlanItems {
		return Errorf(CodeInvalid, "plan needs 1-%d items, got %d", MaxPlanItems, len(p.Items))
	}
	seen := make(map[string]bool, len(p.Items))
	required := 0
	for _, it := range p.Items {
		if it.Code == "" || len(it.Code) > MaxCodeLen || !codeOK(it.Code) {
			return Errorf(CodeInvalid, "plan item code %q: want 1-%d letters, digits, '-', '_' or '.'", it.Code, MaxCodeLen)
		}
		if seen[it.Code] {
			return Errorf(CodeInvalid, "plan item code %s appears twice", it.Code)
		}
		seen[it.Code] = true
		if len(it.Name) > MaxTextLen || len(it.Unit) > MaxCodeLen {
			return Errorf(CodeInvalid, "plan item %s: name or unit too long", it.Code)
		}
		switch it.Kind {
		case TestNumeric:
			if (it.Min != nil && !finite(*it.Min)) || (it.Max != nil && !finite(*it.Max)) {
				return Errorf(CodeInvalid, "plan item %s: limits must be finite", it.Code)
			}
			if it.Min != nil && it.Max != nil && *it.Min > *it.Max {
				return Errorf(CodeInvalid, "plan item %s: min %g is above max %g", it.Code, *it.Min, *it.Max)
			}
		case TestBoolean:
			if it.Min != nil || it.Max != nil {
				return Errorf(CodeInvalid, "plan item %s: a boolean item has no min/max", it.Code)
			}
		default:
			return Errorf(CodeInvalid, "plan item %s: kind %q is not numeric or boolean", it.Code, it.Kind)
		}
		if it.Required {
			required++
		}
	}
	if required == 0 {
		return Errorf(CodeInvalid, "plan has no required item")
	}
	return nil
}

// ValidateResults checks measured results against the plan: every code is
// in the plan and given once, numeric items carry a finite value and no
// pass flag, boolean items a pass flag and no value.
func (p Plan) ValidateResults(results []TestResult) error {
	if len(results) > len(p.Items) {
		return Errorf(CodeInvalid, "%d results for a plan of %d items", len(results), len(p.Items))
	}
	seen := make(map[string]bool, len(results))
	for _, r := range results {
		it, ok := p.item(r.Code)
		if !ok {
			return Errorf(CodeInvalid, "result %q is not an item of plan %s v%d", r.Code, p.Model, p.Version)
		}
		if seen[r.Code] {
			return Errorf(CodeInvalid, "result %s appears twice", r.Code)
		}
		seen[r.Code] = true
		switch it.Kind {
		case TestBoolean:
			if r.Value != nil || r.Pass == nil {
				return Errorf(CodeInvalid, "result %s: a boolean item takes \"pass\", not \"value\"", r.Code)
			}
		default:
			if r.Pass != nil || r.Value == nil {
				return Errorf(CodeInvalid, "result %s: a numeric item takes \"value\", not \"pass\"", r.Code)
			}
			if !finite(*r.Value) {
				return Errorf(CodeInvalid, "result %s: value must be finite", r.Code)
			}
		}
	}
	return nil
}

// Judge gives the verdict of results against the plan, walking the plan's
// items in order: a numeric value passes when min ≤ value ≤ max (bounds
// inclusive, either may be absent); a boolean passes when pass is true. A
// required item without a result is missing; a failing or absent
// non-required item never blocks (failing ones are listed as advisory).
// Failed and Missing are never nil, so they marshal as [].
func (p Plan) Judge(results []TestResult) Judgement {
	byCode := make(map[string]TestResult, len(results))
	for _, r := range results {
		byCode[r.Code] = r
	}
	j := Judgement{Failed: []string{}, Missing: []string{}}
	for _, it := range p.Items {
		r, ok := byCode[it.Code]
		pass, present := it.check(r)
		switch {
		case !ok || !present:
			if it.Required {
				j.Missing = append(j.Missing, it.Code)
			}
		case pass:
		case it.Required:
			j.Failed = append(j.Failed, it.Code)
		default:
			j.Advisory = append(j.Advisory, it.Code)
		}
	}
	j.Passed = len(j.Failed) == 0 && len(j.Missing) == 0
	return j
}

// check judges one result; present is false when the result carries no
// value of the item's kind.
func (it PlanItem) check(r TestResult) (pass, present bool) {
	if it.Kind == TestBoolean {
		if r.Pass == nil {
			return false, false
		}
		return *r.Pass, true
	}
	if r.Value == nil {
		return false, false
	}
	v := *r.Value
	if !finite(v) {
		return false, true
	}
	if it.Min != nil && v < *it.Min {
		return false, true
	}
	if it.Max != nil && v > *it.Max {
		return false, true
	}
	return true, true
}

func (p Plan) item(code string) (PlanItem, bool) {
	for _, it := range p.Items {
		if it.Code == code {
			return it, true
		}
	}
	return PlanItem{}, false
}

// RequiredCodes lists the plan's required item codes in plan order.
func (p Plan) RequiredCodes() []string {
	out := []string{}
	for _, it := range p.Items {
		if it.Required {
			out = append(out, it.Code)
		}
	}
	return out
}

// LatestUnder returns the latest inspection (by tx time, then tx id) judged
// under plan version v, or nil.
func LatestUnder(v int, ins []Inspection) *Inspection {
	var best *Inspection
	for i := range ins {
		in := &ins[i]
		if in.PlanVersion != v {
			continue
		}
		if best == nil {
			best = in
			continue
		}
		if c := CompareTimes(in.At, best.At); c > 0 || (c == 0 && in.TxID > best.TxID) {
			best = in
		}
	}
	return best
}

// GateBlock says why one item cannot be released; empty Reason means it can.
type GateBlock struct {
	ID      string
	Reason  string
	Failed  []string
	Missing []string
}

// ReleaseCheck applies the release gate to one item: the latest inspection
// under the plan in force must exist and have passed every required item.
// An inspection judged under an older plan version does not count.
func ReleaseCheck(id string, plan Plan, ins []Inspection) GateBlock {
	latest := LatestUnder(plan.Version, ins)
	if latest == nil {
		return GateBlock{ID: id, Reason: "no inspection under plan " + plan.Model + " v" + strconv.Itoa(plan.Version), Missing: plan.RequiredCodes()}
	}
	// Re-judge against the plan text in force: same version, same verdict,
	// but this keeps the gate independent of what was stored.
	j := plan.Judge(latest.Results)
	if j.Passed {
		return GateBlock{ID: id}
	}
	return GateBlock{ID: id, Reason: "latest inspection " + latest.TxID + " did not pass", Failed: j.Failed, Missing: j.Missing}
}

// ReleaseBlocked builds the RELEASE_BLOCKED error for the blocked items
// (nil when none is blocked), naming failed and missing items; at most ten
// items are named, sorted by id.
func ReleaseBlocked(blocks []GateBlock) error {
	var bad []GateBlock
	for _, b := range blocks {
		if b.Reason != "" {
			bad = append(bad, b)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.SliceStable(bad, func(i, k int) bool { return bad[i].ID < bad[k].ID })
	parts := make([]string, 0, maxBlockedList+1)
	for i, b := range bad {
		if i == maxBlockedList {
			parts = append(parts, "and "+strconv.Itoa(len(bad)-maxBlockedList)+" more")
			break
		}
		s := b.ID + ": " + b.Reason
		if len(b.Failed) > 0 {
			s += "; failed " + strings.Join(b.Failed, ",")
		}
		if len(b.Missing) > 0 {
			s += "; missing " + strings.Join(b.Missing, ",")
		}
		parts = append(parts, s)
	}
	return Errorf(CodeReleaseBlocked, "%s", strings.Join(parts, " | "))
}

// KnownIndustry reports whether ind is one of the industry profiles.
func KnownIndustry(ind Industry) bool {
	switch ind {
	case IndustryKitchenBath, IndustryCosmetics, IndustryPCB, IndustryGeneric:
		return true
	}
	return false
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// codeOK accepts ASCII letters, digits, '-', '_' and '.'.
func codeOK(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
