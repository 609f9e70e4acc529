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
