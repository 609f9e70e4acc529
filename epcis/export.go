package epcis

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
)

// NewDocument converts recorded events into an EPCISDocument, in the order
// given. items supplies GTIN, lot and serial for the ids the events mention
// (subjects, children, inputs); ids missing from it are written as idchain
// URIs. It fails only on an event whose time is not RFC 3339.
func NewDocument(events []domain.Event, items map[string]domain.Item, opt Options) (*Document, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	doc := &Document{
		Context:       context(),
		Type:          DocumentType,
		SchemaVersion: SchemaVersion,
		CreationDate:  now.UTC().Format(time.RFC3339Nano),
		Body:          Body{EventList: make([]Event, 0, len(events))},
	}
	for i, e := range events {
		ev, err := opt.event(e, items)
		if err != nil {
			return nil, fmt.Errorf("epcis: event %d (%s %s): %w", i, e.Type, e.ID, err)
		}
		doc.Body.EventList = append(doc.Body.EventList, ev)
	}
	return doc, nil
}

// event converts one recorded event.
func (o Options) event(e domain.Event, items map[string]domain.Item) (Event, error) {
	t, err := time.Parse(time.RFC3339Nano, e.At)
	if err != nil {
		return Event{}, err
	}
	if o.Zone != nil {
		t = t.In(o.Zone)
	}
	sh, known := shapes[e.Type]
	if !known {
		// A type newer than this package: keep it visible as an observation.
		sh = shape{ObjectEvent, ActionObserve, string(e.Type), true, ""}
	}
	ev := Event{
		Type:                sh.eventType,
		EventID:             eventID(e),
		EventTime:           t.Format(time.RFC3339Nano),
		RecordTime:          t.Format(time.RFC3339Nano),
		EventTimeZoneOffset: t.Format("-07:00"),
		Action:              sh.action,
		XID:                 e.ID,
		XTxID:               e.TxID,
		XActorMSP:           e.ActorMSP,
		XStep:               e.Step,
		XEquipment:          e.Equipment,
		XOperator:           e.Operator,
		XParamsHash:         e.ParamsHash,
		XRegion:             e.Region,
	}
	switch {
	case e.Type == domain.EventProcessStep && e.Step != "":
		ev.BizStep = customTerm(kindBizStep, e.Step)
	case sh.custom:
		ev.BizStep = customTerm(kindBizStep, sh.bizStep)
	default:
		ev.BizStep = o.cbvTerm(kindBizStep, sh.bizStep)
	}
	ev.Disposition = o.term(kindDisp, sh.disposition)
	if e.Disposition != "" {
		ev.Disposition = o.term(kindDisp, e.Disposition)
	}
	if e.ReadPoint != "" {
		ev.ReadPoint = &Location{ID: o.locURI(e.ReadPoint)}
	}
	if e.BizLocation != "" {
		ev.BizLocation = &Location{ID: o.locURI(e.BizLocation)}
	}

	o.setSubjects(&ev, e, items)
	if e.Type == domain.EventShipping || e.Type == domain.EventReceiving {
		if e.ActorMSP != "" && e.Type == domain.EventShipping {
			ev.SourceList = []Source{{Type: o.cbvTerm("SDT", "owning_party"), Source: o.orgURI(e.ActorMSP)}}
		}
		if e.Destination != "" {
			ev.DestinationList = []Destination{{Type: o.cbvTerm("SDT", "owning_party"), Destination: o.orgURI(e.Destination)}}
		}
	}
	return ev, nil
}

// setSubjects fills the event's subjects by its EPCIS type: the parent and
// children of an aggregation, the output and inputs of a transformation,
// else the one subject; class-level ids (a lot) go to quantity lists.
func (o Options) setSubjects(ev *Event, e domain.Event, items map[string]domain.Item) {
	subject, subjectClass := o.epcRef(e.ID, items)
	switch ev.Type {
	case AggregationEvent:
		ev.ParentID = subject
		if subjectClass {
			ev.ParentID = o.idURI(e.ID) // a parent is an object
		}
		for _, c := range e.Children {
			if u, class := o.epcRef(c, items); class {
				ev.ChildQuantityList = append(ev.ChildQuantityList, Quantity{EPCClass: u})
			} else {
				ev.ChildEPCs = append(ev.ChildEPCs, u)
			}
		}
	case TransformationEvent:
		if subjectClass {
			ev.OutputQuantityList = []Quantity{{EPCClass: subject}}
		} else {
			ev.OutputEPCList = []string{subject}
		}
		o.setInputs(ev, e.Inputs, items)
	default:
		if subjectClass {
			ev.QuantityList = []Quantity{{EPCClass: subject}}
		} else {
			ev.EPCList = []string{subject}
		}
	}
}

// setInputs fills a transformation's inputs: classes with their quantity
// in a UN/ECE Rec 20 unit when known, objects in the EPC list, and every
// given quantity in the idchain extension as recorded.
func (o Options) setInputs(ev *Event, inputs []domain.Input, items map[string]domain.Item) {
	for _, in := range inputs {
		u, class := o.epcRef(in.ID, items)
		switch {
		case class:
			q := Quantity{EPCClass: u}
			if uom, ok := uomCodes[strings.ToLower(in.Unit)]; ok && in.Quantity > 0 {
				v := in.Quantity
				q.Quantity, q.UOM = &v, uom
			}
			ev.InputQuantityList = append(ev.InputQuantityList, q)
		default:
			ev.InputEPCList = append(ev.InputEPCList, u)
		}
		if in.Quantity != 0 || in.Unit != "" {
			ev.XInputs = append(ev.XInputs, InputQuantity{EPC: u, Quantity: in.Quantity, Unit: in.Unit})
		}
	}
}

// uomCodes maps idchain units to UN/ECE Recommendation 20 codes, which
// EPCIS quantity elements use.
var uomCodes = map[string]string{
	"kg": "KGM", "g": "GRM", "mg": "MGM", "t": "TNE", "l": "LTR", "ml": "MLT",
	"m": "MTR", "m2": "MTK", "m3": "MTQ", "pcs": "H87", "piece": "H87",
}

// RegistrationEvent is the commissioning event of an item's registration,
// for an item whose history records no commissioning of its own: the
// registration is when the item came into being on the ledger.
func RegistrationEvent(it domain.Item) domain.Event {
	return domain.Event{
		EventInput: domain.EventInput{Type: domain.EventCommissioning, ID: it.ID},
		BizStep:    domain.BizStep(domain.EventCommissioning),
		ActorMSP:   it.Owner,
		At:         it.CreatedAt,
		TxID:       it.TxID,
	}
}

// WithRegistration returns the item's events with its registration as the
// first, commissioning event when the events hold none for the item itself.
func WithRegistration(it domain.Item, events []domain.Event) []domain.Event {
	for _, e := range events {
		if e.ID == it.ID && e.Type == domain.EventCommissioning && e.Via == "" {
			return events
		}
	}
	if it.CreatedAt == "" {
		return events
	}
	return append([]domain.Event{RegistrationEvent(it)}, events...)
}

// eventID is a stable name-based UUID (version 5, SHA-1) of the event's
// tx id, type and subject, so re-exports give the same eventID.
func eventID(e domain.Event) string {
	h := sha1.New()
	h.Write([]byte(Namespace))
	h.Write([]byte(e.TxID + "\x00" + string(e.Type) + "\x00" + e.ID + "\x00" + e.Step))
	sum := h.Sum(nil)[:16]
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	x := hex.EncodeToString(sum)
	return "urn:uuid:" + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
