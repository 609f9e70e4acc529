package epcis

import (
	"encoding/json"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
)

// Query paging limits (perPage).
const (
	DefaultPerPage = 30
	MaxPerPage     = 500
)

// Query is a SimpleEventQuery as the EPCIS 2.0 REST binding passes it in a
// URL query string. Values are canonical (ParseEPC, canonicalTerm), so a
// URN and a Digital Link of the same object match alike. Lists are ORed,
// parameters ANDed.
type Query struct {
	EventTypes    []string
	GEEventTime   time.Time
	LTEventTime   time.Time
	GERecordTime  time.Time
	LTRecordTime  time.Time
	Actions       []string
	BizSteps      []string
	Dispositions  []string
	ReadPoints    []string
	BizLocations  []string
	EventIDs      []string
	MatchEPC      []string
	MatchParentID []string
	MatchInput    []string
	MatchOutput   []string
	MatchAny      []string
	MatchClass    []string
	MatchAnyClass []string
	// WD_readPoint / WD_bizLocation: the location or one below it (see
	// locationWithin).
	WDReadPoints   []string
	WDBizLocations []string
	// The quantity comparisons (EQ_/GT_/GE_/LT_/LE_quantity): one
	// quantityElement of the event must satisfy all that are given.
	EQQuantity, GTQuantity, GEQuantity, LTQuantity, LEQuantity *float64
	// Error declarations: EXISTS_errorDeclaration, GE_/LT_errorDeclarationTime,
	// EQ_errorReason (CBV words bare), EQ_correctiveEventID.
	ExistsErrorDeclaration bool
	GEErrorDeclarationTime time.Time
	LTErrorDeclarationTime time.Time
	ErrorReasons           []string
	CorrectiveEventIDs     []string
	PerPage                int
	NextPageToken          string
}

// queryParams are the parameters ParseQuery understands; any other
// parameter is a QueryParameterException, as the standard asks.
var queryParams = map[string]bool{
	"eventType": true, "GE_eventTime": true, "LT_eventTime": true, "GE_recordTime": true, "LT_recordTime": true,
	"EQ_action": true, "EQ_bizStep": true, "EQ_disposition": true, "EQ_readPoint": true, "EQ_bizLocation": true,
	"EQ_eventID": true, "MATCH_epc": true, "MATCH_parentID": true, "MATCH_inputEPC": true, "MATCH_outputEPC": true,
	"MATCH_anyEPC": true, "MATCH_epcClass": true, "MATCH_anyEPCClass": true, "perPage": true, "nextPageToken": true,
	"WD_readPoint": true, "WD_bizLocation": true, "EQ_quantity": true, "GT_quantity": true, "GE_quantity": true,
	"LT_quantity": true, "LE_quantity": true, "EXISTS_errorDeclaration": true, "GE_errorDeclarationTime": true,
	"LT_errorDeclarationTime": true, "EQ_errorReason": true, "EQ_correctiveEventID": true,
}

// QueryParams lists the query parameters ParseQuery understands, sorted
// (paging parameters included).
func QueryParams() []string {
	return slices.Sorted(maps.Keys(queryParams))
}

// ParseQuery reads the query parameters of GET /epcis/events. Errors are
// INVALID with the parameter and the reason (QueryParameterException).
func (o Options) ParseQuery(v url.Values) (Query, *domain.Error) {
	q := Query{PerPage: DefaultPerPage}
	if err := checkQueryParams(v); err != nil {
		return q, err
	}
	list := func(k string) []string {
		if !v.Has(k) {
			return nil
		}
		return strings.Split(v.Get(k), "|")
	}
	if err := q.parseKinds(v, list); err != nil {
		return q, err
	}
	if err := o.parseTerms(&q, list); err != nil {
		return q, err
	}
	if err := o.parseMatches(&q, list); err != nil {
		return q, err
	}
	if err := parseDetail(&q, v, list); err != nil {
		return q, err
	}
	q.EventIDs = list("EQ_eventID")
	n, err := ParsePerPage(v)
	if err != nil {
		return q, err
	}
	q.PerPage = n
	q.NextPageToken = v.Get("nextPageToken")
	return q, nil
}

// ParsePerPage reads the perPage parameter: 1 to MaxPerPage, DefaultPerPage
// when absent.
func ParsePerPage(v url.Values) (int, *domain.Error) {
	if !v.Has("perPage") {
		return DefaultPerPage, nil
	}
	n, err := strconv.Atoi(v.Get("perPage"))
	if err != nil || n < 1 || n > MaxPerPage {
		return 0, domain.Errorf(domain.CodeInvalid, "perPage must be 1 to %d", MaxPerPage)
	}
	return n, nil
}

// checkQueryParams refuses unknown and repeated parameters (in name
// order, so the first refusal is the same for the same query).
func checkQueryParams(v url.Values) *domain.Error {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !queryParams[k] {
			return domain.Errorf(domain.CodeInvalid, "unknown or unsupported query parameter %q", k)
		}
		if len(v[k]) != 1 {
			return domain.Errorf(domain.CodeInvalid, "query parameter %s given %d times", k, len(v[k]))
		}
	}
	return nil
}

// parseKinds reads the event types, the time bounds and the actions.
func (q *Query) parseKinds(v url.Values, list func(string) []string) *domain.Error {
	for _, t := range list("eventType") {
		if !knownType(t) {
			return domain.Errorf(domain.CodeInvalid, "eventType %q is not an EPCIS 2.0 event type", t)
		}
		q.EventTypes = append(q.EventTypes, t)
	}
	times := []struct {
		k   string
		dst *time.Time
	}{{"GE_eventTime", &q.GEEventTime}, {"LT_eventTime", &q.LTEventTime}, {"GE_recordTime", &q.GERecordTime}, {"LT_recordTime", &q.LTRecordTime},
		{"GE_errorDeclarationTime", &q.GEErrorDeclarationTime}, {"LT_errorDeclarationTime", &q.LTErrorDeclarationTime}}
	for _, t := range times {
		if !v.Has(t.k) {
			continue
		}
		p, perr := time.Parse(time.RFC3339Nano, v.Get(t.k))
		if perr != nil {
			return domain.Errorf(domain.CodeInvalid, "%s %q is not an RFC 3339 time", t.k, v.Get(t.k))
		}
		*t.dst = p
	}
	for _, a := range list("EQ_action") {
		if a != ActionAdd && a != ActionObserve && a != ActionDelete {
			return domain.Errorf(domain.CodeInvalid, "EQ_action %q must be ADD, OBSERVE or DELETE", a)
		}
		q.Actions = append(q.Actions, a)
	}
	return nil
}

// parseTerms reads the vocabulary (business step, disposition) and
// location parameters in their canonical form.
func (o Options) parseTerms(q *Query, list func(string) []string) *domain.Error {
	terms := []struct {
		k, kind string
		dst     *[]string
	}{{"EQ_bizStep", kindBizStep, &q.BizSteps}, {"EQ_disposition", kindDisp, &q.Dispositions}}
	for _, t := range terms {
		for _, s := range list(t.k) {
			c, cerr := canonicalTerm(t.kind, s)
			if cerr != nil {
				return domain.Errorf(domain.CodeInvalid, "%s: %s", t.k, cerr.(*domain.Error).Message)
			}
			*t.dst = append(*t.dst, c)
		}
	}
	locs := []struct {
		k   string
		dst *[]string
	}{{"EQ_readPoint", &q.ReadPoints}, {"EQ_bizLocation", &q.BizLocations}, {"WD_readPoint", &q.WDReadPoints}, {"WD_bizLocation", &q.WDBizLocations}}
	for _, l := range locs {
		for _, s := range list(l.k) {
			c, cerr := o.canonicalLoc(l.k, s)
			if cerr != nil {
				return domain.Errorf(domain.CodeInvalid, "%s: %s", l.k, cerr.(*domain.Error).Message)
			}
			*l.dst = append(*l.dst, c)
		}
	}
	return nil
}

// parseDetail reads the parameters matched on the event object itself:
// quantities and error declarations.
func parseDetail(q *Query, v url.Values, list func(string) []string) *domain.Error {
	one := v.Get
	quantities := []struct {
		k   string
		dst **float64
	}{{"EQ_quantity", &q.EQQuantity}, {"GT_quantity", &q.GTQuantity}, {"GE_quantity", &q.GEQuantity}, {"LT_quantity", &q.LTQuantity}, {"LE_quantity", &q.LEQuantity}}
	for _, n := range quantities {
		if !v.Has(n.k) {
			continue
		}
		f, perr := strconv.ParseFloat(strings.TrimSpace(one(n.k)), 64)
		if perr != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return domain.Errorf(domain.CodeInvalid, "%s %q is not a number", n.k, one(n.k))
		}
		*n.dst = &f
	}
	if v.Has("EXISTS_errorDeclaration") {
		switch one("EXISTS_errorDeclaration") {
		case "", "true":
			q.ExistsErrorDeclaration = true
		case "false":
		default:
			return domain.Errorf(domain.CodeInvalid, "EXISTS_errorDeclaration must be true or false, got %q", one("EXISTS_errorDeclaration"))
		}
	}
	for _, r := range list("EQ_errorReason") {
		c, ok := canonicalReason(r)
		if !ok {
			return domain.Errorf(domain.CodeInvalid, "EQ_errorReason %q is neither a CBV error reason nor a URI", r)
		}
		q.ErrorReasons = append(q.ErrorReasons, c)
	}
	for _, id := range list("EQ_correctiveEventID") {
		if !isAbsoluteURI(id) {
			return domain.Errorf(domain.CodeInvalid, "EQ_correctiveEventID %q is not a URI", id)
		}
		q.CorrectiveEventIDs = append(q.CorrectiveEventIDs, id)
	}
	return nil
}

// parseMatches reads the MATCH_ parameters (instances or classes).
func (o Options) parseMatches(q *Query, list func(string) []string) *domain.Error {
	epcs := []struct {
		k     string
		class bool
		dst   *[]string
	}{{"MATCH_epc", false, &q.MatchEPC}, {"MATCH_parentID", false, &q.MatchParentID}, {"MATCH_inputEPC", false, &q.MatchInput},
		{"MATCH_outputEPC", false, &q.MatchOutput}, {"MATCH_anyEPC", false, &q.MatchAny}, {"MATCH_epcClass", true, &q.MatchClass},
		{"MATCH_anyEPCClass", true, &q.MatchAnyClass}}
	for _, e := range epcs {
		for _, s := range list(e.k) {
			c, cerr := o.matchValue(s, e.class)
			if cerr != nil {
				return domain.Errorf(domain.CodeInvalid, "%s: %s", e.k, cerr.Message)
			}
			*e.dst = append(*e.dst, c)
		}
	}
	return nil
}

// matchValue canonicalises a MATCH_ value. For an object parameter a GTIN
// pattern (urn:epc:idpat:sgtin:CP.IR.*, or a Digital Link with a GTIN
// alone) matches every serial of that GTIN (EPCIS §8.2.7.1.1): it is kept
// as the class URI with a trailing "/21/" marker.
func (o Options) matchValue(s string, class bool) (string, *domain.Error) {
	if class {
		return o.canonicalEPC(s, true)
	}
	if !strings.HasPrefix(s, "urn:epc:") && !looksGS1(s) && !strings.HasPrefix(s, o.idBase()+"/") {
		if !isAbsoluteURI(s) {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q is not a URI", s)
		}
		return s, nil
	}
	e, err := o.ParseEPC(s)
	if err != nil {
		return "", err
	}
	if e.Kind == KindGTIN {
		return e.URI + "/21/", nil
	}
	if e.Kind == KindLGTIN {
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q names a lot (a class): use MATCH_epcClass", s)
	}
	return e.URI, nil
}

func knownType(t string) bool {
	for _, k := range EventTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Matches reports whether a record, recorded at recordTime (RFC 3339),
// satisfies every parameter of q.
func (q Query) Matches(r Record, recordTime string) bool {
	et, _ := time.Parse(time.RFC3339Nano, r.EventTime)
	rt, _ := time.Parse(time.RFC3339Nano, recordTime)
	switch {
	case len(q.EventTypes) > 0 && !has(q.EventTypes, r.Type),
		!q.GEEventTime.IsZero() && et.Before(q.GEEventTime),
		!q.LTEventTime.IsZero() && !et.Before(q.LTEventTime),
		!q.GERecordTime.IsZero() && rt.Before(q.GERecordTime),
		!q.LTRecordTime.IsZero() && !rt.Before(q.LTRecordTime),
		len(q.Actions) > 0 && !has(q.Actions, r.Action),
		len(q.BizSteps) > 0 && !has(q.BizSteps, r.BizStep),
		len(q.Dispositions) > 0 && !has(q.Dispositions, r.Disposition),
		len(q.ReadPoints) > 0 && !has(q.ReadPoints, r.ReadPoint),
		len(q.BizLocations) > 0 && !has(q.BizLocations, r.BizLocation),
		len(q.EventIDs) > 0 && !has(q.EventIDs, r.EventID),
		len(q.MatchEPC) > 0 && !matchAny(q.MatchEPC, r.EPCs),
		len(q.MatchParentID) > 0 && (r.ParentID == "" || !matchAny(q.MatchParentID, []string{r.ParentID})),
		len(q.MatchInput) > 0 && !matchAny(q.MatchInput, r.InputEPCs),
		len(q.MatchOutput) > 0 && !matchAny(q.MatchOutput, r.OutputEPCs),
		len(q.MatchAny) > 0 && !matchAny(q.MatchAny, r.AnyEPCs()),
		len(q.MatchClass) > 0 && !matchAny(q.MatchClass, r.Classes),
		len(q.MatchAnyClass) > 0 && !matchAny(q.MatchAnyClass, r.AnyClasses()),
		len(q.WDReadPoints) > 0 && !locationWithin(r.ReadPoint, q.WDReadPoints),
		len(q.WDBizLocations) > 0 && !locationWithin(r.BizLocation, q.WDBizLocations):
		return false
	}
	if !q.needsDetail() {
		return true
	}
	d, ok := eventDetail(r.Event)
	if !ok {
		return false
	}
	if q.hasQuantity() && !slices.ContainsFunc(d.quantities(), q.quantityOK) {
		return false
	}
	if !q.wantsErrorDeclaration() {
		return true
	}
	e := d.ErrorDeclaration
	if e == nil {
		return false
	}
	dt, _ := time.Parse(time.RFC3339Nano, e.DeclarationTime)
	reason, _ := canonicalReason(e.Reason)
	switch {
	case !q.GEErrorDeclarationTime.IsZero() && dt.Before(q.GEErrorDeclarationTime),
		!q.LTErrorDeclarationTime.IsZero() && !dt.Before(q.LTErrorDeclarationTime),
		len(q.ErrorReasons) > 0 && (e.Reason == "" || !has(q.ErrorReasons, reason)),
		len(q.CorrectiveEventIDs) > 0 && !slices.ContainsFunc(e.CorrectiveEventIDs, func(id string) bool { return has(q.CorrectiveEventIDs, id) }):
		return false
	}
	return true
}

func (q Query) hasQuantity() bool {
	return q.EQQuantity != nil || q.GTQuantity != nil || q.GEQuantity != nil || q.LTQuantity != nil || q.LEQuantity != nil
}

func (q Query) wantsErrorDeclaration() bool {
	return q.ExistsErrorDeclaration || !q.GEErrorDeclarationTime.IsZero() || !q.LTErrorDeclarationTime.IsZero() ||
		len(q.ErrorReasons) > 0 || len(q.CorrectiveEventIDs) > 0
}

// needsDetail: the parameters matched on the event object itself, not on
// the indexed terms of the Record.
func (q Query) needsDetail() bool { return q.hasQuantity() || q.wantsErrorDeclaration() }

// quantityOK: one quantity satisfies every quantity comparison given.
func (q Query) quantityOK(f float64) bool {
	return (q.EQQuantity == nil || f == *q.EQQuantity) && (q.GTQuantity == nil || f > *q.GTQuantity) &&
		(q.GEQuantity == nil || f >= *q.GEQuantity) && (q.LTQuantity == nil || f < *q.LTQuantity) &&
		(q.LEQuantity == nil || f <= *q.LEQuantity)
}

// detail is the part of a stored event the detail parameters read.
type detail struct {
	QuantityList       []Quantity `json:"quantityList"`
	ChildQuantityList  []Quantity `json:"childQuantityList"`
	InputQuantityList  []Quantity `json:"inputQuantityList"`
	OutputQuantityList []Quantity `json:"outputQuantityList"`
	ErrorDeclaration   *struct {
		DeclarationTime    string   `json:"declarationTime"`
		Reason             string   `json:"reason"`
		CorrectiveEventIDs []string `json:"correctiveEventIDs"`
	} `json:"errorDeclaration"`
}

func eventDetail(raw json.RawMessage) (detail, bool) {
	var d detail
	return d, len(raw) > 0 && json.Unmarshal(raw, &d) == nil
}

// quantities are the quantity fields of every quantityElement.
func (d detail) quantities() []float64 {
	var out []float64
	for _, l := range [][]Quantity{d.QuantityList, d.ChildQuantityList, d.InputQuantityList, d.OutputQuantityList} {
		for _, e := range l {
			if e.Quantity != nil {
				out = append(out, *e.Quantity)
			}
		}
	}
	return out
}

// cbvErrorReasons are the CBV 2.0 error reasons (CBV §8.7).
var cbvErrorReasons = map[string]bool{"did_not_occur": true, "incorrect_data": true}

// canonicalReason writes an error reason as its CBV word (bare, CBV URI
// https://ref.gs1.org/cbv/ER-… or 1.x URN urn:epcglobal:cbv:er:…) or
// keeps another URI.
func canonicalReason(s string) (string, bool) {
	for _, p := range []string{CBVBase + "ER-", "urn:epcglobal:cbv:er:"} {
		if w, ok := strings.CutPrefix(s, p); ok && cbvErrorReasons[w] {
			return w, true
		}
	}
	if cbvErrorReasons[s] {
		return s, true
	}
	return s, isAbsoluteURI(s) && strings.Contains(s, ":")
}

// locationWithin reports whether a read point or business location is one
// of the locations or a descendant of one (WD_readPoint, WD_bizLocation).
// idchain keeps no location master data, so the only hierarchy is the one
// a GS1 key states itself: a GLN without extension (…/414/{gln}, or the
// SGLN URN with extension 0) contains its sub-locations, the SGLNs of the
// same GLN with an extension (…/414/{gln}/254/{ext}). Every location
// matches itself.
func locationWithin(loc string, within []string) bool {
	if loc == "" {
		return false
	}
	for _, w := range within {
		if loc == w {
			return true
		}
		if strings.HasPrefix(w, DefaultDigitalLinkBase+"/414/") && !strings.Contains(w, "/254/") &&
			strings.HasPrefix(loc, w+"/254/") {
			return true
		}
	}
	return false
}

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// matchAny: a pattern ending in "/21/" matches every serial of its GTIN.
func matchAny(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if v == p || strings.HasSuffix(p, "/21/") && strings.HasPrefix(v, p) {
				return true
			}
		}
	}
	return false
}

// QueryDocument is an EPCISQueryDocument: the answer of GET /epcis/events
// and the other event resources.
type QueryDocument struct {
	Context       []any  `json:"@context"`
	Type          string `json:"type"`
	SchemaVersion string `json:"schemaVersion"`
	CreationDate  string `json:"creationDate"`
	Body          struct {
		QueryResults struct {
			QueryName   string `json:"queryName"`
			ResultsBody struct {
				EventList []json.RawMessage `json:"eventList"`
			} `json:"resultsBody"`
		} `json:"queryResults"`
	} `json:"epcisBody"`
}

// NewQueryDocument wraps events (JSON objects) in an EPCISQueryDocument of
// the SimpleEventQuery.
func NewQueryDocument(events []json.RawMessage, now time.Time) *QueryDocument {
	d := &QueryDocument{Context: context(), Type: QueryDocumentType, SchemaVersion: SchemaVersion,
		CreationDate: now.UTC().Format(time.RFC3339Nano)}
	d.Body.QueryResults.QueryName = "SimpleEventQuery"
	if events == nil {
		events = []json.RawMessage{}
	}
	d.Body.QueryResults.ResultsBody.EventList = events
	return d
}

// WithRecordTime returns a captured event with its recordTime (the ledger
// time of the capture) set.
func WithRecordTime(event json.RawMessage, recordTime string) json.RawMessage {
	return withField(event, "recordTime", recordTime)
}

// EventJSON renders an exported idchain event as a JSON object.
func EventJSON(ev Event) (json.RawMessage, error) {
	return json.Marshal(ev)
}
