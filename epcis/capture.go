package epcis

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"time"

	"github.com/idchain/idchain/domain"
)

// Captured is the outcome for one event of a capture document: the event
// inputs it becomes (one per subject: an ObjectEvent with three EPCs gives
// three inputs) or the reason it was rejected.
type Captured struct {
	Index   int                 `json:"index"` // position in epcisBody.eventList
	EventID string              `json:"eventID,omitempty"`
	Inputs  []domain.EventInput `json:"-"`
	Error   *domain.Error       `json:"error,omitempty"`
}

var offsetPattern = regexp.MustCompile(`^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$`)

// ParseCapture reads an EPCIS 2.0 JSON(-LD) capture document. A document
// that is not an EPCISDocument fails as a whole (INVALID); otherwise every
// event gets a Captured entry, in order, rejected events carrying an error
// (INVALID, INVALID_IDENTIFIER or NOT_FOUND) and the rest their inputs.
func ParseCapture(data []byte, opt Options) ([]Captured, error) {
	events, _, err := documentEvents(data, opt)
	if err != nil {
		return nil, err
	}
	out := make([]Captured, len(events))
	for i, raw := range events {
		out[i] = opt.captureEvent(i, raw)
	}
	return out, nil
}

func (o Options) captureEvent(i int, raw json.RawMessage) Captured {
	c := Captured{Index: i}
	var ev Event
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&ev); err != nil {
		c.Error = domain.Errorf(domain.CodeInvalid, "event %d: %v", i, err)
		return c
	}
	c.EventID = ev.EventID
	inputs, err := o.inputs(ev)
	if err != nil {
		err.Message = "event " + strconv.Itoa(i) + ": " + err.Message
		c.Error = err
		return c
	}
	c.Inputs = inputs
	return c
}

// inputs validates one decoded event and converts it.
func (o Options) inputs(ev Event) ([]domain.EventInput, *domain.Error) {
	if ev.EventTime == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "eventTime is required")
	}
	if _, err := time.Parse(time.RFC3339Nano, ev.EventTime); err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "eventTime %q is not an RFC 3339 time", ev.EventTime)
	}
	if !offsetPattern.MatchString(ev.EventTimeZoneOffset) {
		return nil, domain.Errorf(domain.CodeInvalid, "eventTimeZoneOffset %q must look like +08:00", ev.EventTimeZoneOffset)
	}
	typ, err := o.eventType(ev)
	if err != nil {
		return nil, err
	}
	base := domain.EventInput{
		Type:       typ,
		Step:       ev.XStep,
		Equipment:  ev.XEquipment,
		Operator:   ev.XOperator,
		ParamsHash: ev.XParamsHash,
		Region:     ev.XRegion,
	}
	if w, _, _ := parseTerm(kindBizStep, ev.BizStep); typ == domain.EventProcessStep && base.Step == "" && w != string(typ) {
		base.Step = w // idchain BizStep-{step}
	}
	if ev.Disposition != "" {
		w, _, ok := parseTerm(kindDisp, ev.Disposition)
		if !ok {
			return nil, domain.Errorf(domain.CodeInvalid, "unknown disposition %q", ev.Disposition)
		}
		base.Disposition = w
	}
	if ev.ReadPoint != nil {
		base.ReadPoint = o.parseLoc(ev.ReadPoint.ID)
	}
	if ev.BizLocation != nil {
		base.BizLocation = o.parseLoc(ev.BizLocation.ID)
	}
	for _, d := range ev.DestinationList {
		msp, ok := o.parseOrg(d.Destination)
		if !ok {
			return nil, domain.Errorf(domain.CodeInvalid, "destination %q is not an organisation URI %s/org/{MSP}", d.Destination, o.idBase())
		}
		base.Destination = msp
	}
	return o.subjects(ev, base)
}

// subjects resolves the event's ids and fans it out to one input per subject.
func (o Options) subjects(ev Event, base domain.EventInput) ([]domain.EventInput, *domain.Error) {
	switch ev.Type {
	case ObjectEvent:
		uris := append(append([]string{}, ev.EPCList...), classesOf(ev.QuantityList)...)
		if len(uris) == 0 {
			return nil, domain.Errorf(domain.CodeInvalid, "ObjectEvent needs an epcList or a quantityList")
		}
		subs, err := o.parseEPCs(uris)
		if err != nil {
			return nil, err
		}
		out := make([]domain.EventInput, len(subs))
		for i, id := range subs {
			out[i] = base
			out[i].ID = id
		}
		return out, nil
	case AggregationEvent:
		if ev.ParentID == "" {
			return nil, domain.Errorf(domain.CodeInvalid, "AggregationEvent needs parentID")
		}
		childURIs := append(append([]string{}, ev.ChildEPCs...), classesOf(ev.ChildQuantityList)...)
		if ev.Action == ActionAdd && len(childURIs) == 0 {
			return nil, domain.Errorf(domain.CodeInvalid, "AggregationEvent ADD needs childEPCs or a childQuantityList")
		}
		parent, err := o.parseEPC(ev.ParentID)
		if err != nil {
			return nil, err
		}
		children, err := o.parseEPCs(childURIs)
		if err != nil {
			return nil, err
		}
		base.ID, base.Children = parent, children
		return []domain.EventInput{base}, nil
	default: // TransformationEvent (eventType rejected the rest)
		return o.transformation(ev, base)
	}
}

// transformation is one event per output of a TransformationEvent, each
// naming every input with its quantity (from the inputQuantityList or the
// idchain extension's inputs).
func (o Options) transformation(ev Event, base domain.EventInput) ([]domain.EventInput, *domain.Error) {
	inURIs := append(append([]string{}, ev.InputEPCList...), classesOf(ev.InputQuantityList)...)
	outURIs := append(append([]string{}, ev.OutputEPCList...), classesOf(ev.OutputQuantityList)...)
	if len(inURIs) == 0 || len(outURIs) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "TransformationEvent needs inputs and outputs")
	}
	ins, err := o.parseEPCs(inURIs)
	if err != nil {
		return nil, err
	}
	outs, err := o.parseEPCs(outURIs)
	if err != nil {
		return nil, err
	}
	qty := map[string]InputQuantity{}
	for _, q := range ev.InputQuantityList {
		if q.Quantity != nil {
			qty[q.EPCClass] = InputQuantity{EPC: q.EPCClass, Quantity: *q.Quantity, Unit: unitOf(q.UOM)}
		}
	}
	for _, q := range ev.XInputs {
		qty[q.EPC] = q
	}
	inputs := make([]domain.Input, len(ins))
	for i, id := range ins {
		q := qty[inURIs[i]]
		inputs[i] = domain.Input{ID: id, Quantity: q.Quantity, Unit: q.Unit}
	}
	out := make([]domain.EventInput, len(outs))
	for i, id := range outs {
		out[i] = base
		out[i].ID, out[i].Inputs = id, inputs
	}
	return out, nil
}

// parseEPCs maps EPC URIs to 标识 (parseEPC), stopping at the first refusal.
func (o Options) parseEPCs(uris []string) ([]string, *domain.Error) {
	out := make([]string, 0, len(uris))
	for _, u := range uris {
		id, err := o.parseEPC(u)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// classesOf lists the EPC classes of a quantity list.
func classesOf(qs []Quantity) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.EPCClass
	}
	return out
}

// unitOf maps a UN/ECE Recommendation 20 code back to an idchain unit.
func unitOf(uom string) string {
	for u, code := range uomCodes {
		if code == uom && (u != "piece") {
			return u
		}
	}
	return uom
}
