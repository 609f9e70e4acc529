package domain

// Kind is what an identified thing is.
type Kind string

const (
	KindUnit        Kind = "unit"
	KindLot         Kind = "lot"
	KindBatch       Kind = "batch"
	KindPanel       Kind = "panel"
	KindBoard       Kind = "board"
	KindCase        Kind = "case"
	KindPallet      Kind = "pallet"
	KindMaterialLot Kind = "material_lot"
)

// Industry selects the profile that validates an item.
type Industry string

const (
	IndustryKitchenBath Industry = "kitchen_bath"
	IndustryCosmetics   Industry = "cosmetics"
	IndustryPCB         Industry = "pcb"
	IndustryGeneric     Industry = "generic"
)

// Status is the life-cycle state of an item. Recall is not a status written on
// the item (the owner's state-based policy guards the item key); it is
// resolved at read time from recall records, see Verification.
type Status string

const (
	StatusRegistered     Status = "registered"
	StatusInspected      Status = "inspected"
	StatusReleased       Status = "released"
	StatusShipped        Status = "shipped"
	StatusReceived       Status = "received"
	StatusDecommissioned Status = "decommissioned"
	StatusRecalled       Status = "recalled" // shown to readers only
)

// ItemInput is one item of a registration request (POST /v1/items and the
// chaincode's RegisterItems).
type ItemInput struct {
	ID         string            `json:"id"`
	Kind       Kind              `json:"kind"`
	Industry   Industry          `json:"industry"`
	Model      string            `json:"model,omitempty"`
	GTIN       string            `json:"gtin,omitempty"`
	Lot        string            `json:"lot,omitempty"`
	Serial     string            `json:"serial,omitempty"`
	Parent     string            `json:"parent,omitempty"`
	Inputs     []Input           `json:"inputs,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	// Units registers a lot, batch or panel with this many packed units
	// (ids "<id>~1" … "<id>~<units>", packed.go), without a key per unit.
	Units int `json:"units,omitempty"`
}

// Input is a transformation input: a material lot consumed into an output
// (material lots → cosmetics batch).
type Input struct {
	ID       string  `json:"id"`
	Quantity float64 `json:"quantity,omitempty"`
	Unit     string  `json:"unit,omitempty"`
}

// Stay is a past container of an item: the item left ID at Until.
type Stay struct {
	ID    string `json:"id"`
	Until string `json:"until"`
}

// Item is the public ledger record of an identified thing.
type Item struct {
	ID        string   `json:"id"`
	Kind      Kind     `json:"kind"`
	Industry  Industry `json:"industry"`
	Owner     string   `json:"owner"`
	Custodian string   `json:"custodian,omitempty"`
	// CustodianEnterprise: the enterprise of Custodian holding the item
	// (from its custody record), "" for the org itself.
	CustodianEnterprise string `json:"custodianEnterprise,omitempty"`
	Model               string `json:"model,omitempty"`
	GTIN                string `json:"gtin,omitempty"`
	Lot                 string `json:"lot,omitempty"`
	Serial              string `json:"serial,omitempty"`
	Parent              string `json:"parent,omitempty"` // registered aggregation parent (unit→lot, board→panel)
	// Container is where packing put the item (unit→case→pallet); it is set
	// and cleared by packing/unpacking events, Parent never changes.
	Container string `json:"container,omitempty"`
	// PastContainers are the containers the item left (unpacking or
	// re-packing), with when: a recall of a past container recorded before
	// the item left it still reaches the item (recall containment is
	// historical, so unpacking never escapes a recall).
	PastContainers []Stay            `json:"pastContainers,omitempty"`
	Inputs         []Input           `json:"inputs,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
	Status         Status            `json:"status"`
	// DetailHashes maps a private-detail category to the hex SHA-256 of the
	// bytes kept in the owner's implicit collection.
	DetailHashes map[string]string `json:"detailHashes,omitempty"`
	// RegHash is the fingerprint of the registration input, so an identical
	// re-registration is recognised after the record has changed.
	RegHash string `json:"regHash,omitempty"`
	// Units is the number of packed units a lot holds (packed.go).
	Units int `json:"units,omitempty"`
	// Packed marks a packed unit read from its lot's record: it has no
	// ledger key of its own (yet).
	Packed    bool   `json:"packed,omitempty"`
	CreatedAt string `json:"createdAt"` // RFC 3339, tx timestamp
	UpdatedAt string `json:"updatedAt,omitempty"`
	TxID      string `json:"txId"`
}

// ItemResult is the per-item outcome of a batch write.
type ItemResult struct {
	ID     string `json:"id"`
	Status string `json:"status"` // created | unchanged | rejected (or recorded for events)
	Error  *Error `json:"error,omitempty"`
}

// Per-item outcome words.
const (
	ResultCreated   = "created"
	ResultUnchanged = "unchanged"
	ResultRejected  = "rejected"
	ResultRecorded  = "recorded"
)

// BatchResult is what a batch write returns: one result per input, in order.
type BatchResult struct {
	Results []ItemResult `json:"results"`
	TxID    string       `json:"txId,omitempty"`
}

// Prefix is an enterprise prefix assigned to an organisation.
type Prefix struct {
	Prefix     string `json:"prefix"`
	Owner      string `json:"owner"`
	AssignedBy string `json:"assignedBy,omitempty"`
	AssignedAt string `json:"assignedAt,omitempty"`
	TxID       string `json:"txId,omitempty"`
}

// Page is a bookmark-paginated list.
type Page[T any] struct {
	Records  []T    `json:"records"`
	Bookmark string `json:"bookmark,omitempty"`
}
