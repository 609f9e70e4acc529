package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/idchain/idchain/identifier"
)

// Limits on one registered item, so a batch stays bounded.
const (
	MaxFieldLen   = 64  // model, lot, serial, attribute names
	MaxAttrValue  = 256 // attribute values
	MaxAttributes = 32
	MaxInputs     = 64
)

// IndustryRules is what an industry allows and requires of an item.
type IndustryRules struct {
	Kinds []Kind
	// Required lists, per kind, the fields ("model", "lot", "serial", "gtin")
	// and attribute names ("attr:<name>") an item must carry.
	Required map[Kind][]string
}

// Industries holds the rules of each industry (kinds, required fields).
var Industries = map[Industry]IndustryRules{
	IndustryKitchenBath: {
		Kinds: []Kind{KindUnit, KindLot, KindCase, KindPallet},
		Required: map[Kind][]string{
			KindUnit: {"model", "serial"},
			KindLot:  {"model", "attr:productionDate"},
		},
	},
	IndustryCosmetics: {
		Kinds: []Kind{KindBatch, KindMaterialLot, KindUnit, KindCase, KindPallet},
		Required: map[Kind][]string{
			KindBatch:       {"model", "lot", "attr:productionDate", "attr:expiryDate"},
			KindMaterialLot: {"lot", "attr:material"},
			KindUnit:        {"model", "lot"},
		},
	},
	IndustryPCB: {
		Kinds: []Kind{KindPanel, KindBoard, KindLot, KindMaterialLot, KindCase, KindPallet},
		Required: map[Kind][]string{
			KindPanel:       {"model", "attr:layers"},
			KindBoard:       {"model"},
			KindMaterialLot: {"lot", "attr:material"},
		},
	},
	IndustryGeneric: {
		Kinds: []Kind{KindUnit, KindLot, KindBatch, KindPanel, KindBoard, KindCase, KindPallet, KindMaterialLot},
	},
}

// Normalize validates an item input against identifier syntax and its
// industry profile and returns it normalised: ids parsed (prefix lower
// case), GTIN as 14 digits. Errors are INVALID_IDENTIFIER or INVALID.
func (in ItemInput) Normalize() (ItemInput, error) {
	id, err := normID("id", in.ID)
	if err != nil {
		return in, err
	}
	in.ID = id
	if strings.Contains(id, PackedSep) {
		return in, Errorf(CodeInvalidIdentifier, "%s: %q is reserved for packed units (register their lot with units)", id, PackedSep)
	}
	prof, ok := Industries[in.Industry]
	if !ok {
		return in, Errorf(CodeInvalid, "%s: unknown industry %q", in.ID, in.Industry)
	}
	if !slices.Contains(prof.Kinds, in.Kind) {
		return in, Errorf(CodeInvalid, "%s: kind %q is not allowed for %s", in.ID, in.Kind, in.Industry)
	}
	if in.Units != 0 {
		if _, ok := PackedKind(in.Industry, in.Kind); !ok {
			return in, Errorf(CodeInvalid, "%s: a %s holds no packed units", in.ID, in.Kind)
		}
		if in.Units < 0 || in.Units > MaxPackedUnits {
			return in, Errorf(CodeInvalid, "%s: units must be 1-%d", in.ID, MaxPackedUnits)
		}
	}
	if in.GTIN != "" {
		g, err := identifier.NormalizeGTIN(in.GTIN)
		if err != nil {
			return in, Errorf(CodeInvalid, "%s: gtin: %v", in.ID, err)
		}
		in.GTIN = g
	}
	if max(len(in.Model), len(in.Lot), len(in.Serial)) > MaxFieldLen {
		return in, Errorf(CodeInvalid, "%s: model, lot and serial are at most %d bytes", in.ID, MaxFieldLen)
	}
	if len(in.Attributes) > MaxAttributes {
		return in, Errorf(CodeInvalid, "%s: more than %d attributes", in.ID, MaxAttributes)
	}
	// Sorted, so that the first error reported is the same on every peer.
	for _, k := range slices.Sorted(maps.Keys(in.Attributes)) {
		if v := in.Attributes[k]; k == "" || len(k) > MaxFieldLen || len(v) > MaxAttrValue {
			return in, Errorf(CodeInvalid, "%s: attribute %q too long or empty", in.ID, k)
		}
	}
	if in.Parent != "" {
		if in.Parent, err = normID("parent", in.Parent); err != nil {
			return in, err
		}
		if in.Parent == in.ID {
			return in, Errorf(CodeInvalid, "%s: an item cannot be its own parent", in.ID)
		}
	}
	if err := in.normInputs(); err != nil {
		return in, err
	}
	return in, in.checkRequired(prof)
}

func (in *ItemInput) normInputs() error {
	if len(in.Inputs) > MaxInputs {
		return Errorf(CodeInvalid, "%s: more than %d inputs", in.ID, MaxInputs)
	}
	inputs := make([]Input, len(in.Inputs))
	for i, x := range in.Inputs {
		id, err := normID("input", x.ID)
		if err != nil {
			return err
		}
		if id == in.ID || slices.ContainsFunc(inputs[:i], func(y Input) bool { return y.ID == id }) {
			return Errorf(CodeInvalid, "%s: input %s repeated or the item itself", in.ID, id)
		}
		if x.Quantity < 0 || len(x.Unit) > MaxFieldLen {
			return Errorf(CodeInvalid, "%s: input %s: bad quantity or unit", in.ID, id)
		}
		x.ID = id
		inputs[i] = x
	}
	if len(inputs) == 0 {
		inputs = nil
	}
	in.Inputs = inputs
	return nil
}

func (in ItemInput) checkRequired(p IndustryRules) error {
	for _, r := range p.Required[in.Kind] {
		var v string
		switch r {
		case "model":
			v = in.Model
		case "lot":
			v = in.Lot
		case "serial":
			v = in.Serial
		case "gtin":
			v = in.GTIN
		default:
			v = in.Attributes[r[len("attr:"):]]
		}
		if v == "" {
			return Errorf(CodeInvalid, "%s: %s %s requires %s", in.ID, in.Industry, in.Kind, r)
		}
	}
	return nil
}

func normID(field, s string) (string, error) {
	id, err := identifier.Parse(s)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*identifier.Error); ok {
			msg = e.Message()
		}
		return "", Errorf(CodeInvalidIdentifier, "%s %q: %s", field, s, msg)
	}
	return id.String(), nil
}

// Fingerprint is the hex SHA-256 of the canonical JSON of a normalised
// input; identical registrations have equal fingerprints.
func (in ItemInput) Fingerprint() string {
	b, _ := json.Marshal(in) // fixed struct; map keys are sorted by encoding/json
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
