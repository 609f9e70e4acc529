package domain

import (
	"crypto/sha256"
	"encoding/hex"
)

// Category is a kind of private detail that can be shared under consent.
type Category string

const (
	CategoryInspectionDetail Category = "inspection.detail"
	CategoryProcessParams    Category = "process.params"
	CategoryMaterialSource   Category = "material.source"
	CategoryFormula          Category = "formula"
	// CategoryEvents shares the EPCIS events of the subject items
	// (GET /epcis/events); it carries no private detail.
	CategoryEvents Category = "events"
)

// Categories lists every shareable category in a fixed order.
var Categories = []Category{CategoryInspectionDetail, CategoryProcessParams, CategoryMaterialSource, CategoryFormula, CategoryEvents}

// ConsentInput is POST /v1/consents.
type ConsentInput struct {
	Grantee    string     `json:"grantee"`
	Categories []Category `json:"categories"`
	Subjects   []string   `json:"subjects"` // prefixes or item ids
	Purpose    string     `json:"purpose"`
	ValidFrom  string     `json:"validFrom,omitempty"` // RFC 3339; default: tx time
	ValidUntil string     `json:"validUntil"`          // RFC 3339
}

// Consent is a data-sharing consent on the ledger.
type Consent struct {
	ConsentInput
	ID          string `json:"id"`
	Grantor     string `json:"grantor"` // MSP ID of the data owner
	GrantorUser string `json:"grantorUser,omitempty"`
	// GrantorEnterprise is the enterprise (USCC) that granted it, when an
	// enterprise's user did; Grantee may name an enterprise too.
	GrantorEnterprise string `json:"grantorEnterprise,omitempty"`
	CreatedAt         string `json:"createdAt"`
	RevokedAt         string `json:"revokedAt,omitempty"`
	TxID              string `json:"txId"`
}

// AccessRecord is the immutable record of one shared read.
type AccessRecord struct {
	ID       string   `json:"id"` // the recording tx id
	Accessor string   `json:"accessor"`
	User     string   `json:"user"`
	Category Category `json:"category"`
	Subject  string   `json:"subject"`
	Owner    string   `json:"owner"`
	Consent  string   `json:"consent,omitempty"` // empty for regulator standing access
	Purpose  string   `json:"purpose,omitempty"`
	At       string   `json:"at"`
	TxID     string   `json:"txId"`
}

// SharedDetail is what a consented read returns.
type SharedDetail struct {
	Category Category `json:"category"`
	Data     []byte   `json:"data"`
	Hash     string   `json:"hash"`
	// Salt (hex) is the per-record salt the public hash commits to:
	// Hash = hex(SHA-256(salt ‖ data)) (DetailHash); empty for detail
	// stored before salting (Hash = hex(SHA-256(data))).
	Salt    string `json:"salt,omitempty"`
	Consent string `json:"consent,omitempty"`
	Access  string `json:"access"`
}

// MinSalt and MaxSalt bound the salt of a private detail record.
const (
	MinSalt = 16
	MaxSalt = 64
)

// DetailHash is the public hash of private detail: hex SHA-256 of salt ‖
// data. A random per-record salt (kept with the detail in the owner's
// collection, handed to consented readers) stops anyone confirming a
// guess of low-entropy detail against the public hash.
func DetailHash(salt, data []byte) string {
	h := sha256.New()
	h.Write(salt)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
