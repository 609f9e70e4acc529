package domain

// EventType follows the EPCIS 2.0 vocabulary, narrowed to what idchain records.
type EventType string

const (
	EventCommissioning   EventType = "commissioning"
	EventProcessStep     EventType = "process_step" // PCB and other key process steps
	EventPacking         EventType = "packing"      // aggregation: children into a parent
	EventUnpacking       EventType = "unpacking"    // disaggregation
	EventTransforming    EventType = "transforming" // inputs consumed into outputs
	EventShipping        EventType = "shipping"
	EventReceiving       EventType = "receiving" // custody moves to the receiver org
	EventInspecting      EventType = "inspecting"
	EventReleasing       EventType = "releasing"
	EventRecalling       EventType = "recalling"
	EventDecommissioning EventType = "decommissioning"
	EventFirstScan       EventType = "first_scan"
)

// EventInput is one event of POST /v1/events and the chaincode's RecordEvents.
type EventInput struct {
	Type        EventType `json:"type"`
	ID          string    `json:"id"`                 // the subject item (or parent for packing)
	Children    []string  `json:"children,omitempty"` // packing/unpacking
	Inputs      []Input   `json:"inputs,omitempty"`   // transforming
	Step        string    `json:"step,omitempty"`     // PCB process step code (identifier vocabulary)
	Equipment   string    `json:"equipment,omitempty"`
	Operator    string    `json:"operator,omitempty"`
	ParamsHash  string    `json:"paramsHash,omitempty"` // hex SHA-256 of private process parameters
	ReadPoint   string    `json:"readPoint,omitempty"`
	BizLocation string    `json:"bizLocation,omitempty"`
	Destination string    `json:"destination,omitempty"` // shipping: receiving org MSP
	// DestinationEnterprise (shipping, optional): the enterprise (USCC) of
	// the destination org that alone may receive; empty: any active user
	// of the destination org.
	DestinationEnterprise string `json:"destinationEnterprise,omitempty"`
	Region                string `json:"region,omitempty"` // shipping: authorised sales region (anti-diversion)
	Disposition           string `json:"disposition,omitempty"`
}

// Event is a recorded provenance event.
type Event struct {
	EventInput
	BizStep   string `json:"bizStep"`
	ActorMSP  string `json:"actorMsp"`
	ActorID   string `json:"actorId"` // certificate subject of the submitter
	ActorRole string `json:"actorRole,omitempty"`
	At        string `json:"at"` // RFC 3339 tx timestamp
	TxID      string `json:"txId"`
	// Via is set on an event of a related item shown in another item's
	// history (ViaParent, ViaContainer; ID names the related item); never
	// stored.
	Via string `json:"via,omitempty"`
}

// ChaincodeEvent is the single event payload every write transaction emits
// (Fabric keeps only the last SetEvent of a transaction). The API invalidates
// its cache for every id listed.
type ChaincodeEvent struct {
	Type string   `json:"type"` // e.g. items.registered, events.recorded, item.released, item.recalled, consent.granted
	IDs  []string `json:"ids"`  // affected ids, including descendants whose derived view changed
	TxID string   `json:"txId"`
	// Partial: IDs lists only the first affected ids (a recall of more
	// items than an event carries); a reader must treat every item's derived
	// view as changed (the API bumps its recall epoch).
	Partial bool `json:"partial,omitempty"`
}

// Custody is who holds an item after it first ships: the custody record
// (key cust~<id>) is endorsable by the custodian to be, so the receiver
// can take custody without the sender's peers.
type Custody struct {
	ID          string `json:"id"`
	Custodian   string `json:"custodian"`             // MSP holding the item (the sender until received)
	Status      Status `json:"status"`                // shipped | received
	Destination string `json:"destination,omitempty"` // receiving org while shipped
	// CustodianEnterprise is the enterprise (USCC) of the custodian org
	// holding the item, "" for the org's own users (and for records written
	// before custody was enterprise-aware); DestinationEnterprise the one
	// named to receive it while shipped.
	CustodianEnterprise   string `json:"custodianEnterprise,omitempty"`
	DestinationEnterprise string `json:"destinationEnterprise,omitempty"`
	Region                string `json:"region,omitempty"`
	At                    string `json:"at"`
	TxID                  string `json:"txId"`
}
