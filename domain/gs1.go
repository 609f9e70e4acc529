package domain

// GS1 resolution levels: what a GS1 key (GTIN [+ lot] [+ serial]) names.
const (
	GS1LevelItem    = "item"    // GTIN + serial: one serialized item
	GS1LevelLot     = "lot"     // GTIN + lot: a lot-level item (lot, batch, material lot)
	GS1LevelProduct = "product" // GTIN alone: a product class, answered by one item carrying it
)

// GS1Match is the answer of registry:FindByGTIN: the 标识 a GS1 key
// resolves to and the level it resolved at.
type GS1Match struct {
	ID    string `json:"id"`
	Level string `json:"level"`
}

// IsLotLevel reports whether items of kind k stand for a lot (production
// lot, batch, material lot): such an item with a GTIN and a lot number but
// no serial is what GTIN + lot names.
func IsLotLevel(k Kind) bool { return k == KindLot || k == KindBatch || k == KindMaterialLot }

// GCP is a GS1 company prefix assigned to an org by the authority: the
// GTINs (and SSCCs) of that org's items must lie under one it holds.
type GCP struct {
	GCP   string `json:"gcp"` // 4-12 digits
	Owner string `json:"owner"`
	// Enterprise (a USCC) holds the GCP when it was assigned to one of
	// Owner's hosted enterprises; empty for the org's own GCP. Only items of
	// the same enterprise (by their 标识 prefix) may carry its GTINs.
	Enterprise string `json:"enterprise,omitempty"`
	AssignedBy string `json:"assignedBy,omitempty"`
	AssignedAt string `json:"assignedAt,omitempty"`
	TxID       string `json:"txId,omitempty"`
}

// ValidGCP reports whether s is a GS1 company prefix: 4 to 12 digits.
func ValidGCP(s string) bool {
	if len(s) < 4 || len(s) > 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// GCPCandidates lists the company prefixes a GTIN-14 could lie under: the
// digits after the indicator digit, 4 to 12 of them (shortest first).
func GCPCandidates(gtin14 string) []string {
	if len(gtin14) != 14 {
		return nil
	}
	out := make([]string, 0, 9)
	for n := 4; n <= 12; n++ {
		out = append(out, gtin14[1:1+n])
	}
	return out
}
