package epcis

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/idchain/idchain/domain"
)

// shape is how one idchain event type is written in EPCIS.
type shape struct {
	eventType   string
	action      string // "" for TransformationEvent
	bizStep     string // CBV word, or idchain word when custom
	custom      bool   // bizStep is in the idchain vocabulary
	disposition string // CBV word or ""
}

// shapes maps every idchain event type to its EPCIS form.
var shapes = map[domain.EventType]shape{
	domain.EventCommissioning:   {ObjectEvent, ActionAdd, "commissioning", false, "active"},
	domain.EventProcessStep:     {ObjectEvent, ActionObserve, "process_step", true, "in_progress"},
	domain.EventPacking:         {AggregationEvent, ActionAdd, "packing", false, "in_progress"},
	domain.EventUnpacking:       {AggregationEvent, ActionDelete, "unpacking", false, ""},
	domain.EventTransforming:    {TransformationEvent, "", "commissioning", false, "active"},
	domain.EventShipping:        {ObjectEvent, ActionObserve, "shipping", false, "in_transit"},
	domain.EventReceiving:       {ObjectEvent, ActionObserve, "receiving", false, "in_progress"},
	domain.EventInspecting:      {ObjectEvent, ActionObserve, "inspecting", false, ""},
	domain.EventReleasing:       {ObjectEvent, ActionObserve, "releasing", true, "conformant"},
	domain.EventRecalling:       {ObjectEvent, ActionObserve, "recalling", true, "recalled"},
	domain.EventDecommissioning: {ObjectEvent, ActionDelete, "decommissioning", false, "inactive"},
	domain.EventFirstScan:       {ObjectEvent, ActionObserve, "first_scan", true, ""},
}

// cbvBizSteps and cbvDispositions are the CBV 2.0 words (the EPCIS 2.0 JSON
// schema enumerates the same lists).
var cbvBizSteps = wordSet(`accepting arriving assembling collecting commissioning consigning
	creating_class_instance cycle_counting decommissioning departing destroying disassembling
	dispensing encoding entering_exiting holding inspecting installing killing loading other
	packing picking receiving removing repackaging repairing replacing reserving retail_selling
	shipping staging_outbound stock_taking stocking storing transporting unloading unpacking
	void_shipping sensor_reporting sampling`)

var cbvDispositions = wordSet(`active container_closed damaged destroyed dispensed disposed
	encoded expired in_progress in_transit inactive no_pedigree_match non_sellable_other
	partially_dispensed recalled reserved retail_sold returned sellable_accessible
	sellable_not_accessible stolen unknown available completeness_verified completeness_inferred
	conformant container_open mismatch_instance mismatch_class mismatch_quantity
	needs_replacement non_conformant unavailable`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// vocabulary kinds, as used in CBV URIs (BizStep-…, Disp-…).
const (
	kindBizStep = "BizStep"
	kindDisp    = "Disp"
)

// cbvTerm writes a CBV word of the given kind as a URI or a bare word.
func (o Options) cbvTerm(kind, word string) string {
	if o.BareCBV {
		return word
	}
	return CBVBase + kind + "-" + word
}

// customTerm writes a word of the idchain vocabulary (always a URI: EPCIS
// allows only CBV words bare).
func customTerm(kind, word string) string {
	return Namespace + kind + "-" + url.PathEscape(word)
}

// term writes word of kind: CBV when CBV knows it, idchain otherwise.
func (o Options) term(kind, word string) string {
	if word == "" {
		return ""
	}
	set := cbvBizSteps
	if kind == kindDisp {
		set = cbvDispositions
	}
	if set[word] {
		return o.cbvTerm(kind, word)
	}
	if isAbsoluteURI(word) {
		return word
	}
	return customTerm(kind, word)
}

// parseTerm reads a bizStep or disposition value: a bare CBV word, a CBV
// URI (https://ref.gs1.org/cbv/BizStep-x), an EPCIS 1.x URN
// (urn:epcglobal:cbv:bizstep:x) or an idchain vocabulary URI. It returns
// the word and whether it is a CBV word; ok is false for anything else.
func parseTerm(kind, v string) (word string, cbv, ok bool) {
	set := cbvBizSteps
	urn := "urn:epcglobal:cbv:bizstep:"
	if kind == kindDisp {
		set = cbvDispositions
		urn = "urn:epcglobal:cbv:disp:"
	}
	switch {
	case set[v]:
		return v, true, true
	case strings.HasPrefix(v, CBVBase+kind+"-"):
		w := strings.TrimPrefix(v, CBVBase+kind+"-")
		return w, true, set[w]
	case strings.HasPrefix(v, urn):
		w := strings.TrimPrefix(v, urn)
		return w, true, set[w]
	case strings.HasPrefix(v, Namespace+kind+"-"):
		w, err := url.PathUnescape(strings.TrimPrefix(v, Namespace+kind+"-"))
		return w, false, err == nil && w != ""
	}
	return "", false, false
}

// isAbsoluteURI reports whether s parses as a URI with a scheme.
func isAbsoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && !strings.ContainsAny(s, " \\")
}

// eventType derives the idchain event type of a captured event from its
// EPCIS type, action and bizStep, and checks that they fit together.
func (o Options) eventType(ev Event) (domain.EventType, *domain.Error) {
	switch ev.Type {
	case AggregationEvent:
		switch ev.Action {
		case ActionAdd:
			return domain.EventPacking, nil
		case ActionDelete:
			return domain.EventUnpacking, nil
		}
		return "", domain.Errorf(domain.CodeInvalid, "AggregationEvent action must be ADD or DELETE, got %q", ev.Action)
	case TransformationEvent:
		if ev.Action != "" {
			return "", domain.Errorf(domain.CodeInvalid, "TransformationEvent has no action")
		}
		return domain.EventTransforming, nil
	case ObjectEvent:
	case "":
		return "", domain.Errorf(domain.CodeInvalid, "event type is required")
	default:
		return "", domain.Errorf(domain.CodeInvalid, "unsupported event type %q (ObjectEvent, AggregationEvent, TransformationEvent)", ev.Type)
	}
	if ev.BizStep == "" {
		return "", domain.Errorf(domain.CodeInvalid, "ObjectEvent needs a bizStep")
	}
	word, cbv, ok := parseTerm(kindBizStep, ev.BizStep)
	if !ok {
		return "", domain.Errorf(domain.CodeInvalid, "unknown bizStep %q", ev.BizStep)
	}
	typ := domain.EventType(word)
	if _, known := shapes[typ]; !cbv && !known {
		typ = domain.EventProcessStep // idchain BizStep-{step}
	}
	sh, known := shapes[typ]
	if !known || sh.eventType != ObjectEvent {
		return "", domain.Errorf(domain.CodeInvalid, "bizStep %q is not one idchain records", ev.BizStep)
	}
	if !domain.Recordable(typ) {
		// Inspections, releases and recalls have their own guarded routes;
		// first scans are recorded by the verify service.
		return "", domain.Errorf(domain.CodeInvalid, "%s events cannot be captured (use the inspection, release or recall routes)", typ)
	}
	want := sh.action
	if typ == domain.EventDecommissioning && ev.Action == ActionObserve {
		want = ActionObserve
	}
	if ev.Action != want {
		return "", domain.Errorf(domain.CodeInvalid, "bizStep %s needs action %s, got %q", word, want, ev.Action)
	}
	return typ, nil
}

// BizSteps lists the business steps idchain records, for GET
// /epcis/bizSteps: every CBV 2.0 business step (bare words, sorted), then
// idchain's own steps as URIs of its vocabulary.
func BizSteps() []string {
	out := make([]string, 0, len(cbvBizSteps)+len(shapes))
	for w := range cbvBizSteps {
		out = append(out, w)
	}
	sort.Strings(out)
	var own []string
	for _, sh := range shapes {
		if sh.custom {
			own = append(own, customTerm(kindBizStep, sh.bizStep))
		}
	}
	sort.Strings(own)
	return append(out, own...)
}

// Dispositions lists the CBV 2.0 dispositions (bare words, sorted), for
// GET /epcis/dispositions.
func Dispositions() []string {
	return slices.Sorted(maps.Keys(cbvDispositions))
}
