package epcis

import (
	"encoding/json"
	"net/url"
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
	PerPage       int
	NextPageToken string
}

// queryParams are the parameters ParseQuery understands; any other
// parameter is a QueryParameterException, as the standard asks.
var queryParams = map[string]bool{
	"eventType": true, "GE_eventTime": true, "LT_eventTime": true, "GE_recordTime": true, "LT_recordTime": true,
	"EQ_action": true, "EQ_bizStep": true, "EQ_disposition": true, "EQ_readPoint": true, "EQ_bizLocation": true,
	"EQ_eventID": true, "MATCH_epc": true, "MATCH_parentID": true, "MATCH_inputEPC": true, "MATCH_outputEPC": true,
	"MATCH_anyEPC": true, "MATCH_epcClass": true, "MATCH_anyEPCClass": true, "perPage": true, "nextPageToken": true,
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
	q.EventIDs = list("EQ_eventID")
	if v.Has("perPage") {
		n, perr := strconv.Atoi(v.Get("perPage"))
		if perr != nil || n < 1 || n > MaxPerPage {
			return q, domain.Errorf(domain.CodeInvalid, "perPage must be 1 to %d", MaxPerPage)
		}
		q.PerPage = n
	}
	q.NextPageToken = v.Get("nextPageToken")
	return q, nil
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
	}{{"GE_eventTime", &q.GEEventTime}, {"LT_eventTime", &q.LTEventTime}, {"GE_recordTime", &q.GERecordTime}, {"LT_recordTime", &q.LTRecordTime}}
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
	}{{"EQ_readPoint", &q.ReadPoints}, {"EQ_bizLocation", &q.BizLocations}}
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
		len(q.MatchAnyClass) > 0 && !matchAny(q.MatchAnyClass, r.AnyClasses()):
		return false
	}
	return true
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
