// Package epcis converts idchain provenance events to and from GS1 EPCIS 2.0
// JSON-LD documents.
//
// Export (NewDocument) turns []domain.Event into an EPCISDocument for
// GET /v1/items/{prefix}/{suffix}/epcis; capture (ParseCapture) turns an
// EPCIS 2.0 JSON document from an MES into []domain.EventInput with one
// result per document event for POST /v1/epcis/capture.
//
// Identifiers. An item with a GTIN and a serial number is written as its
// GS1 Digital Link URI (https://id.gs1.org/01/{gtin14}/21/{serial}), which
// EPCIS 2.0 accepts in place of an EPC URN; a lot, batch or material lot
// with a GTIN and a lot number and no serial is written as
// https://id.gs1.org/01/{gtin14}/10/{lot}. Every other item is written as an
// idchain URI: the ID base (default https://id.idchain.example) followed by
// the 标识, e.g. https://id.idchain.example/88.118.8/KB-0001 (suffix
// percent-encoded). Read points and business locations that are not URIs
// become {base}/loc/{name}; organisations (MSP IDs) become {base}/org/{msp}.
//
// Vocabulary. bizStep and disposition are CBV 2.0 values, written as
// https://ref.gs1.org/cbv/BizStep-… / Disp-… URIs (or bare CBV words with
// Options.BareCBV). Steps CBV has no word for (releasing, recalling,
// first_scan, PCB process steps) use the idchain vocabulary
// https://ns.idchain.example/epcis/BizStep-{word}. idchain data without an
// EPCIS field (tx id, actor MSP, process step, equipment, region, transformation
// quantities) travels in extension fields under the "idchain" prefix, which
// the document's @context declares as https://ns.idchain.example/epcis/.
//
// The package is pure: standard library, domain and identifier only.
package epcis

import (
	"encoding/json"
	"time"
)

// Fixed values of the EPCIS 2.0 JSON-LD binding.
const (
	ContextURL    = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
	DocumentType  = "EPCISDocument"
	SchemaVersion = "2.0"
	CBVBase       = "https://ref.gs1.org/cbv/"

	// Namespace is the IRI of idchain's extension fields and vocabulary;
	// NamespacePrefix is the compact prefix the @context declares for it.
	Namespace       = "https://ns.idchain.example/epcis/"
	NamespacePrefix = "idchain"

	DefaultIDBase          = "https://id.idchain.example"
	DefaultDigitalLinkBase = "https://id.gs1.org"
)

// EPCIS event types.
const (
	ObjectEvent         = "ObjectEvent"
	AggregationEvent    = "AggregationEvent"
	TransformationEvent = "TransformationEvent"
)

// EPCIS actions.
const (
	ActionAdd     = "ADD"
	ActionObserve = "OBSERVE"
	ActionDelete  = "DELETE"
)

// Options tune export and capture. The zero value is usable.
type Options struct {
	// IDBase is the URI base of idchain identifiers (no trailing slash).
	IDBase string
	// DigitalLinkBase is the GS1 Digital Link resolver base for GTIN ids.
	DigitalLinkBase string
	// BareCBV writes bizStep and disposition as bare CBV words
	// ("commissioning") instead of CBV URIs.
	BareCBV bool
	// Zone sets eventTimeZoneOffset and the zone event times are written
	// in; nil keeps each timestamp's own offset (UTC for ledger times).
	Zone *time.Location
	// Now is the document's creationDate; zero means time.Now().
	Now time.Time
	// ResolveGTIN maps a GS1 Digital Link id found in a capture document
	// to the idchain 标识 registered with that GTIN (and lot/serial). Nil
	// rejects Digital Link ids in capture.
	ResolveGTIN func(gtin14, lot, serial string) (id string, ok bool)
	// MaxEvents caps the events of one capture document (default 10,000).
	MaxEvents int
}

func (o Options) idBase() string {
	if o.IDBase == "" {
		return DefaultIDBase
	}
	return o.IDBase
}

func (o Options) dlBase() string {
	if o.DigitalLinkBase == "" {
		return DefaultDigitalLinkBase
	}
	return o.DigitalLinkBase
}

func (o Options) maxEvents() int {
	if o.MaxEvents <= 0 {
		return 10000
	}
	return o.MaxEvents
}

// Document is an EPCISDocument.
type Document struct {
	Context       []any  `json:"@context"`
	Type          string `json:"type"`
	SchemaVersion string `json:"schemaVersion"`
	CreationDate  string `json:"creationDate"`
	Body          Body   `json:"epcisBody"`
}

// Body holds the event list.
type Body struct {
	EventList []Event `json:"eventList"`
}

// Event is one EPCIS event of any of the three types idchain uses; fields
// that do not apply to a type stay empty and are omitted.
type Event struct {
	Type                string `json:"type"`
	EventID             string `json:"eventID,omitempty"`
	EventTime           string `json:"eventTime"`
	RecordTime          string `json:"recordTime,omitempty"`
	EventTimeZoneOffset string `json:"eventTimeZoneOffset"`

	EPCList       []string `json:"epcList,omitempty"`       // ObjectEvent
	ParentID      string   `json:"parentID,omitempty"`      // AggregationEvent
	ChildEPCs     []string `json:"childEPCs,omitempty"`     // AggregationEvent
	InputEPCList  []string `json:"inputEPCList,omitempty"`  // TransformationEvent
	OutputEPCList []string `json:"outputEPCList,omitempty"` // TransformationEvent

	// Class-level ids (a lot: GTIN + lot) go in quantity lists.
	QuantityList       []Quantity `json:"quantityList,omitempty"`
	ChildQuantityList  []Quantity `json:"childQuantityList,omitempty"`
	InputQuantityList  []Quantity `json:"inputQuantityList,omitempty"`
	OutputQuantityList []Quantity `json:"outputQuantityList,omitempty"`

	Action          string        `json:"action,omitempty"` // not on TransformationEvent
	BizStep         string        `json:"bizStep,omitempty"`
	Disposition     string        `json:"disposition,omitempty"`
	ReadPoint       *Location     `json:"readPoint,omitempty"`
	BizLocation     *Location     `json:"bizLocation,omitempty"`
	SourceList      []Source      `json:"sourceList,omitempty"`
	DestinationList []Destination `json:"destinationList,omitempty"`

	// idchain extension fields.
	XID         string          `json:"idchain:id,omitempty"` // subject 标识
	XTxID       string          `json:"idchain:txId,omitempty"`
	XActorMSP   string          `json:"idchain:actorMsp,omitempty"`
	XStep       string          `json:"idchain:step,omitempty"`
	XEquipment  string          `json:"idchain:equipment,omitempty"`
	XOperator   string          `json:"idchain:operator,omitempty"`
	XParamsHash string          `json:"idchain:paramsHash,omitempty"`
	XRegion     string          `json:"idchain:region,omitempty"`
	XInputs     []InputQuantity `json:"idchain:inputs,omitempty"`
}

// Location is a readPoint or bizLocation.
type Location struct {
	ID string `json:"id"`
}

// Source is an entry of sourceList.
type Source struct {
	Type   string `json:"type"`
	Source string `json:"source"`
}

// Destination is an entry of destinationList.
type Destination struct {
	Type        string `json:"type"`
	Destination string `json:"destination"`
}

// InputQuantity records how much of a transformation input was consumed.
type InputQuantity struct {
	EPC      string  `json:"epc"`
	Quantity float64 `json:"quantity,omitempty"`
	Unit     string  `json:"unit,omitempty"`
}

// context is the document's @context: the EPCIS 2.0 context plus the
// idchain prefix.
func context() []any {
	return []any{ContextURL, map[string]string{NamespacePrefix: Namespace}}
}

// Marshal renders doc as indented JSON-LD.
func Marshal(doc *Document) ([]byte, error) {
	return json.MarshalIndent(doc, "", "  ")
}
