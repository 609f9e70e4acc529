package epcis

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
)

// AssociationEvent and TransactionEvent complete the five EPCIS 2.0 event
// types (the other three are declared in epcis.go).
const (
	AssociationEvent = "AssociationEvent"
	TransactionEvent = "TransactionEvent"
)

// EventTypes lists the five EPCIS 2.0 event types (GET /epcis/eventTypes).
var EventTypes = []string{ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent}

// QueryDocumentType is the type of a query result document.
const QueryDocumentType = "EPCISQueryDocument"

// Record is one captured EPCIS event as idchain stores it: the event
// object as sent, with eventID filled in, plus the canonical terms the
// standard queries match on. Identifiers are canonical (see ParseEPC):
// an sgtin URN and its Digital Link are the same EPC.
type Record struct {
	EventID     string   `json:"eventID"`
	Type        string   `json:"type"`
	Action      string   `json:"action,omitempty"`
	EventTime   string   `json:"eventTime"` // RFC 3339, UTC
	BizStep     string   `json:"bizStep,omitempty"`
	Disposition string   `json:"disposition,omitempty"`
	ReadPoint   string   `json:"readPoint,omitempty"`
	BizLocation string   `json:"bizLocation,omitempty"`
	EPCs        []string `json:"epcs,omitempty"`     // epcList and childEPCs (MATCH_epc)
	ParentID    string   `json:"parentID,omitempty"` // MATCH_parentID
	InputEPCs   []string `json:"inputEPCs,omitempty"`
	OutputEPCs  []string `json:"outputEPCs,omitempty"`
	Classes     []string `json:"classes,omitempty"` // quantityList and childQuantityList epcClass
	InputClass  []string `json:"inputClasses,omitempty"`
	OutputClass []string `json:"outputClasses,omitempty"`
	// Event is the event object as captured (eventID added when absent).
	Event json.RawMessage `json:"event"`
}

// AnyEPCs returns every instance-level EPC of the record, parentID
// included (MATCH_anyEPC), sorted and without duplicates.
func (r Record) AnyEPCs() []string {
	all := append(append(append([]string{}, r.EPCs...), r.InputEPCs...), r.OutputEPCs...)
	if r.ParentID != "" {
		all = append(all, r.ParentID)
	}
	return sortedSet(all)
}

// AnyClasses returns every class of the record (MATCH_anyEPCClass).
func (r Record) AnyClasses() []string {
	return sortedSet(append(append(append([]string{}, r.Classes...), r.InputClass...), r.OutputClass...))
}

func sortedSet(v []string) []string {
	sort.Strings(v)
	out := v[:0]
	for i, s := range v {
		if i == 0 || s != v[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// Outcome is the result of one event of a capture document.
type Outcome struct {
	Index   int           `json:"index"`
	EventID string        `json:"eventID,omitempty"`
	Record  *Record       `json:"-"`
	Error   *domain.Error `json:"error,omitempty"`
}

// wireEvent is the part of an EPCIS 2.0 event that is checked and indexed.
type wireEvent struct {
	Type                string          `json:"type"`
	EventID             string          `json:"eventID"`
	EventTime           string          `json:"eventTime"`
	EventTimeZoneOffset string          `json:"eventTimeZoneOffset"`
	Action              string          `json:"action"`
	BizStep             string          `json:"bizStep"`
	Disposition         string          `json:"disposition"`
	ReadPoint           *Location       `json:"readPoint"`
	BizLocation         *Location       `json:"bizLocation"`
	EPCList             []string        `json:"epcList"`
	ParentID            string          `json:"parentID"`
	ChildEPCs           []string        `json:"childEPCs"`
	InputEPCList        []string        `json:"inputEPCList"`
	OutputEPCList       []string        `json:"outputEPCList"`
	QuantityList        []Quantity      `json:"quantityList"`
	ChildQuantityList   []Quantity      `json:"childQuantityList"`
	InputQuantityList   []Quantity      `json:"inputQuantityList"`
	OutputQuantityList  []Quantity      `json:"outputQuantityList"`
	TransformationID    string          `json:"transformationID"`
	BizTransactionList  []bizTx         `json:"bizTransactionList"`
	ErrorDeclaration    *errDeclaration `json:"errorDeclaration"`
}

// Quantity is a quantityElement: a class and how much of it.
type Quantity struct {
	EPCClass string   `json:"epcClass"`
	Quantity *float64 `json:"quantity,omitempty"`
	UOM      string   `json:"uom,omitempty"`
}

type bizTx struct {
	Type           string `json:"type"`
	BizTransaction string `json:"bizTransaction"`
}

type errDeclaration struct {
	DeclarationTime string `json:"declarationTime"`
}

// ParseEPCISDocument reads a capture document: an EPCISDocument, or an
// EPCISQueryDocument (its resultsBody.eventList is captured). A document
// that is neither fails as a whole (INVALID); every event then gets an
// Outcome, in order, with its Record or the reason it is refused.
func ParseEPCISDocument(data []byte, opt Options) ([]Outcome, error) {
	events, docContext, err := documentEvents(data, opt)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, len(events))
	for i, raw := range events {
		out[i] = Outcome{Index: i}
		rec, err := opt.newRecord(raw, docContext)
		if err != nil {
			err.Message = "event " + strconv.Itoa(i) + ": " + err.Message
			out[i].Error = err
			continue
		}
		out[i].Record, out[i].EventID = &rec, rec.EventID
	}
	return out, nil
}

// documentEvents checks the header of an EPCISDocument or
// EPCISQueryDocument and returns its events and its @context.
func documentEvents(data []byte, opt Options) ([]json.RawMessage, json.RawMessage, error) {
	var doc struct {
		Context       json.RawMessage `json:"@context"`
		Type          string          `json:"type"`
		SchemaVersion string          `json:"schemaVersion"`
		CreationDate  string          `json:"creationDate"`
		Body          *struct {
			EventList    []json.RawMessage `json:"eventList"`
			QueryResults *struct {
				ResultsBody *struct {
					EventList []json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, domain.Errorf(domain.CodeInvalid, "not an EPCIS JSON document: %v", err)
	}
	var events []json.RawMessage
	switch {
	case doc.Type != DocumentType && doc.Type != QueryDocumentType:
		return nil, nil, domain.Errorf(domain.CodeInvalid, "type must be %q or %q, got %q", DocumentType, QueryDocumentType, doc.Type)
	case len(bytes.TrimSpace(doc.Context)) == 0:
		return nil, nil, domain.Errorf(domain.CodeInvalid, "@context is missing")
	case doc.SchemaVersion != "2.0" && !strings.HasPrefix(doc.SchemaVersion, "2.0."):
		return nil, nil, domain.Errorf(domain.CodeInvalid, "schemaVersion must be \"2.0\", got %q", doc.SchemaVersion)
	case doc.Body == nil:
		return nil, nil, domain.Errorf(domain.CodeInvalid, "epcisBody is missing")
	case doc.Type == DocumentType && doc.Body.EventList == nil:
		return nil, nil, domain.Errorf(domain.CodeInvalid, "epcisBody.eventList is missing")
	case doc.Type == DocumentType:
		events = doc.Body.EventList
	case doc.Body.QueryResults == nil || doc.Body.QueryResults.ResultsBody == nil || doc.Body.QueryResults.ResultsBody.EventList == nil:
		return nil, nil, domain.Errorf(domain.CodeInvalid, "epcisBody.queryResults.resultsBody.eventList is missing")
	default:
		events = doc.Body.QueryResults.ResultsBody.EventList
	}
	if len(events) > opt.maxEvents() {
		return nil, nil, domain.Errorf(domain.CodeInvalid, "%d events, at most %d per document", len(events), opt.maxEvents())
	}
	if doc.CreationDate != "" {
		if _, err := time.Parse(time.RFC3339Nano, doc.CreationDate); err != nil {
			return nil, nil, domain.Errorf(domain.CodeInvalid, "creationDate %q is not an RFC 3339 time", doc.CreationDate)
		}
	}
	return events, doc.Context, nil
}

// NewRecord checks one EPCIS 2.0 event by the standard's rules and
// returns its Record. Refusals are INVALID (an EPCIS ValidationException)
// or INVALID_IDENTIFIER, with the rule that was broken.
//
// An event without eventID is named by its CBV 2.0 event hash id
// (EventHashID); compact names are expanded with the event's own @context
// (ParseEPCISDocument passes the document's).
func (o Options) NewRecord(raw json.RawMessage) (Record, *domain.Error) {
	return o.newRecord(raw, nil)
}

func (o Options) newRecord(raw, docContext json.RawMessage) (Record, *domain.Error) {
	var ev wireEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Record{}, domain.Errorf(domain.CodeInvalid, "not an event object: %v", err)
	}
	if err := checkShape(ev); err != nil {
		return Record{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, ev.EventTime)
	if err != nil {
		return Record{}, domain.Errorf(domain.CodeInvalid, "eventTime %q is not an RFC 3339 time", ev.EventTime)
	}
	if !offsetPattern.MatchString(ev.EventTimeZoneOffset) {
		return Record{}, domain.Errorf(domain.CodeInvalid, "eventTimeZoneOffset %q must look like +08:00", ev.EventTimeZoneOffset)
	}
	if ev.ErrorDeclaration != nil {
		if _, err := time.Parse(time.RFC3339Nano, ev.ErrorDeclaration.DeclarationTime); err != nil {
			return Record{}, domain.Errorf(domain.CodeInvalid, "errorDeclaration.declarationTime %q is not an RFC 3339 time", ev.ErrorDeclaration.DeclarationTime)
		}
	}
	r := Record{Type: ev.Type, Action: ev.Action, EventTime: t.UTC().Format(time.RFC3339Nano)}
	if r.BizStep, err = canonicalTerm(kindBizStep, ev.BizStep); err != nil {
		return Record{}, err.(*domain.Error)
	}
	if r.Disposition, err = canonicalTerm(kindDisp, ev.Disposition); err != nil {
		return Record{}, err.(*domain.Error)
	}
	if ev.ReadPoint != nil {
		if r.ReadPoint, err = o.canonicalLoc("readPoint", ev.ReadPoint.ID); err != nil {
			return Record{}, err.(*domain.Error)
		}
	}
	if ev.BizLocation != nil {
		if r.BizLocation, err = o.canonicalLoc("bizLocation", ev.BizLocation.ID); err != nil {
			return Record{}, err.(*domain.Error)
		}
	}
	var derr *domain.Error
	lists := []struct {
		dst *[]string
		src []string
	}{{&r.EPCs, ev.EPCList}, {&r.EPCs, ev.ChildEPCs}, {&r.InputEPCs, ev.InputEPCList}, {&r.OutputEPCs, ev.OutputEPCList}}
	for _, l := range lists {
		for _, s := range l.src {
			c, err := o.canonicalEPC(s, false)
			if err != nil {
				return Record{}, err
			}
			*l.dst = append(*l.dst, c)
		}
	}
	if ev.ParentID != "" {
		if r.ParentID, derr = o.canonicalEPC(ev.ParentID, false); derr != nil {
			return Record{}, derr
		}
	}
	qlists := []struct {
		dst *[]string
		src []Quantity
	}{{&r.Classes, ev.QuantityList}, {&r.Classes, ev.ChildQuantityList}, {&r.InputClass, ev.InputQuantityList}, {&r.OutputClass, ev.OutputQuantityList}}
	for _, l := range qlists {
		for _, q := range l.src {
			if q.UOM != "" && q.Quantity == nil {
				return Record{}, domain.Errorf(domain.CodeInvalid, "a quantityElement with uom needs a quantity")
			}
			c, err := o.canonicalEPC(q.EPCClass, true)
			if err != nil {
				return Record{}, err
			}
			*l.dst = append(*l.dst, c)
		}
	}
	r.EventID = ev.EventID
	if r.EventID == "" {
		if r.EventID, err = o.EventHashID(raw, docContext); err != nil {
			return Record{}, domain.Errorf(domain.CodeInvalid, "event: %v", err)
		}
	}
	if raw, err = canonicalJSON(raw); err != nil {
		return Record{}, domain.Errorf(domain.CodeInvalid, "event: %v", err)
	}
	if ev.EventID == "" {
		raw = withField(raw, "eventID", r.EventID)
	} else if !isAbsoluteURI(r.EventID) {
		return Record{}, domain.Errorf(domain.CodeInvalid, "eventID %q must be a URI", r.EventID)
	}
	r.Event = raw
	return r, nil
}

// checkShape applies the per-type rules of EPCIS 2.0 (§7.4).
func checkShape(ev wireEvent) *domain.Error {
	if ev.EventTime == "" {
		return domain.Errorf(domain.CodeInvalid, "eventTime is required")
	}
	needAction := func() *domain.Error {
		switch ev.Action {
		case ActionAdd, ActionObserve, ActionDelete:
			return nil
		case "":
			return domain.Errorf(domain.CodeInvalid, "%s needs an action (ADD, OBSERVE or DELETE)", ev.Type)
		}
		return domain.Errorf(domain.CodeInvalid, "action must be ADD, OBSERVE or DELETE, got %q", ev.Action)
	}
	switch ev.Type {
	case ObjectEvent:
		return needAction()
	case AggregationEvent:
		if err := needAction(); err != nil {
			return err
		}
		if ev.ParentID == "" && ev.Action != ActionObserve {
			return domain.Errorf(domain.CodeInvalid, "AggregationEvent %s needs a parentID", ev.Action)
		}
	case AssociationEvent:
		if err := needAction(); err != nil {
			return err
		}
		if ev.ParentID == "" {
			return domain.Errorf(domain.CodeInvalid, "AssociationEvent needs a parentID")
		}
	case TransactionEvent:
		if err := needAction(); err != nil {
			return err
		}
		if len(ev.BizTransactionList) == 0 {
			return domain.Errorf(domain.CodeInvalid, "TransactionEvent needs a non-empty bizTransactionList")
		}
	case TransformationEvent:
		if ev.Action != "" {
			return domain.Errorf(domain.CodeInvalid, "TransformationEvent has no action")
		}
		ins := len(ev.InputEPCList) + len(ev.InputQuantityList)
		outs := len(ev.OutputEPCList) + len(ev.OutputQuantityList)
		if ev.TransformationID == "" && (ins == 0 || outs == 0) {
			return domain.Errorf(domain.CodeInvalid, "TransformationEvent without transformationID needs at least one input and one output")
		}
	case "":
		return domain.Errorf(domain.CodeInvalid, "event type is required")
	default:
		return domain.Errorf(domain.CodeInvalid, "unknown event type %q (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent)", ev.Type)
	}
	for _, b := range ev.BizTransactionList {
		if b.BizTransaction == "" || !isAbsoluteURI(b.BizTransaction) {
			return domain.Errorf(domain.CodeInvalid, "bizTransaction %q must be a URI", b.BizTransaction)
		}
	}
	return nil
}

// canonicalEPC returns the canonical form of an EPC (class when wantClass)
// for the index. GS1 keys must be well-formed (TDS, Digital Link syntax);
// other URIs are kept as they are, since EPCIS allows any URI.
func (o Options) canonicalEPC(s string, wantClass bool) (string, *domain.Error) {
	if s == "" || !isAbsoluteURI(s) {
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q is not a URI", s)
	}
	if !strings.HasPrefix(s, "urn:epc:") && !looksGS1(s) && !strings.HasPrefix(s, o.idBase()+"/") {
		return s, nil
	}
	e, err := o.ParseEPC(s)
	if err != nil {
		return "", err
	}
	if e.Class() != wantClass {
		if wantClass {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q names an object where a class (epcClass) is expected", s)
		}
		if e.Kind != KindIDChain {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q names a class where an object (EPC) is expected: use quantityList", s)
		}
	}
	return e.URI, nil
}

// looksGS1 reports whether an http(s) URI carries a GS1 key segment.
func looksGS1(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	p := "/" + strings.Trim(u.EscapedPath(), "/") + "/"
	for _, k := range []string{"/01/", "/00/", "/8003/", "/8004/", "/414/", "/8018/"} {
		if strings.Contains(p, k) {
			return true
		}
	}
	return false
}

// canonicalLoc keeps a read point or business location: a URI (an sgln
// URN is turned into its Digital Link so both forms match).
func (o Options) canonicalLoc(field, s string) (string, error) {
	if !isAbsoluteURI(s) {
		return "", domain.Errorf(domain.CodeInvalid, "%s.id %q must be a URI", field, s)
	}
	if strings.HasPrefix(s, "urn:epc:id:sgln:") {
		e, err := parseURN(s)
		if err != nil {
			return "", err
		}
		return e.URI, nil
	}
	return s, nil
}

// canonicalTerm normalises a bizStep or disposition: CBV words (bare,
// CBV URI or 1.x URN) become bare words; anything else must be a URI.
func canonicalTerm(kind, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if w, cbv, ok := parseTerm(kind, v); ok && cbv {
		return w, nil
	}
	if strings.HasPrefix(v, CBVBase) || strings.HasPrefix(v, "urn:epcglobal:cbv:") {
		return "", domain.Errorf(domain.CodeInvalid, "%q is not a CBV 2.0 %s", v, strings.ToLower(kind))
	}
	if !isAbsoluteURI(v) || !strings.Contains(v, ":") {
		return "", domain.Errorf(domain.CodeInvalid, "%s %q is neither a CBV word nor a URI", strings.ToLower(kind), v)
	}
	return v, nil
}

// canonicalJSON re-encodes a JSON value with object keys sorted and no
// insignificant space, numbers kept as written, so the same event sent
// twice (in any layout) is stored as the same bytes.
func canonicalJSON(raw json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// withField adds a string field to a JSON object.
func withField(raw json.RawMessage, key, value string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	v, _ := json.Marshal(value)
	m[key] = v
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
