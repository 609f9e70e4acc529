package domain

import (
	"encoding/hex"

	"github.com/idchain/idchain/identifier"
)

// Limits on one recorded event.
const (
	MaxChildren = 1000 // children of one packing/unpacking event
	MaxPlaceLen = 256  // readPoint, bizLocation
)

// BizStep returns the CBV 2.0 business step recorded for an event type
// (idchain words for the steps CBV lacks), the same words as epcis/.
func BizStep(t EventType) string {
	if t == EventTransforming {
		return "commissioning"
	}
	return string(t)
}

// DefaultDisposition is the CBV disposition recorded when the input has none.
func DefaultDisposition(t EventType) string {
	switch t {
	case EventCommissioning, EventTransforming:
		return "active"
	case EventProcessStep, EventPacking, EventReceiving:
		return "in_progress"
	case EventShipping:
		return "in_transit"
	case EventDecommissioning:
		return "inactive"
	}
	return ""
}

// Recordable reports whether trace:RecordEvents accepts the type (the
// others are written by the quality and public contracts).
func Recordable(t EventType) bool {
	switch t {
	case EventCommissioning, EventProcessStep, EventPacking, EventUnpacking, EventTransforming,
		EventShipping, EventReceiving, EventDecommissioning:
		return true
	}
	return false
}

// Normalize validates an event input and returns it with ids normalised.
// Rules that need the subject item (CheckStep, custody) are the caller's.
func (in EventInput) Normalize() (EventInput, error) {
	if !Recordable(in.Type) {
		return in, Errorf(CodeInvalid, "event type %q cannot be recorded here", in.Type)
	}
	id, err := normID("id", in.ID)
	if err != nil {
		return in, err
	}
	in.ID = id
	if len(in.ReadPoint) > MaxPlaceLen || len(in.BizLocation) > MaxPlaceLen || len(in.Region) > MaxFieldLen ||
		len(in.Disposition) > MaxFieldLen || len(in.Equipment) > MaxFieldLen || len(in.Operator) > MaxFieldLen {
		return in, Errorf(CodeInvalid, "%s: a text field is too long", in.ID)
	}
	if in.ParamsHash != "" {
		if b, err := hex.DecodeString(in.ParamsHash); err != nil || len(b) != 32 {
			return in, Errorf(CodeInvalid, "%s: paramsHash must be hex SHA-256", in.ID)
		}
	}
	if in.DestinationEnterprise != "" && in.Type != EventShipping {
		return in, Errorf(CodeInvalid, "%s: destinationEnterprise is for shipping only", in.ID)
	}
	switch in.Type {
	case EventPacking, EventUnpacking:
		if len(in.Children) == 0 || len(in.Children) > MaxChildren {
			return in, Errorf(CodeInvalid, "%s: %s needs 1-%d children", in.ID, in.Type, MaxChildren)
		}
		for i, c := range in.Children {
			if in.Children[i], err = normID("child", c); err != nil {
				return in, err
			}
			if in.Children[i] == in.ID {
				return in, Errorf(CodeInvalid, "%s cannot contain itself", in.ID)
			}
		}
	case EventTransforming:
		in.Inputs = append([]Input(nil), in.Inputs...)
		ii := ItemInput{ID: in.ID, Inputs: in.Inputs}
		if err := ii.normInputs(); err != nil {
			return in, err
		}
		if len(ii.Inputs) == 0 {
			return in, Errorf(CodeInvalid, "%s: transforming needs inputs", in.ID)
		}
		in.Inputs = ii.Inputs
	case EventShipping:
		if in.Destination == "" {
			return in, Errorf(CodeInvalid, "%s: shipping needs a destination org", in.ID)
		}
		if in.DestinationEnterprise != "" {
			e, err := identifier.NormalizeUSCC(in.DestinationEnterprise)
			if err != nil {
				return in, Errorf(CodeInvalidIdentifier, "%s: destinationEnterprise %q is not a valid 统一社会信用代码", in.ID, in.DestinationEnterprise)
			}
			in.DestinationEnterprise = e
		}
	case EventProcessStep:
		if in.Step == "" || len(in.Step) > MaxFieldLen {
			return in, Errorf(CodeInvalid, "%s: process_step needs a step code", in.ID)
		}
	}
	return in, nil
}

// CheckStep validates a process step code for an item of industry ind.
func CheckStep(ind Industry, step string) error {
	if ind != IndustryPCB {
		return nil
	}
	if _, err := identifier.ParsePCBStep(step); err != nil {
		return Errorf(CodeInvalid, "step %q is not a PCB process step", step)
	}
	return nil
}

// Trace is the result of a backward or forward trace.
type Trace struct {
	Root      string      `json:"root"`
	Nodes     []TraceNode `json:"nodes"`
	Truncated bool        `json:"truncated"`
}

// TraceNode is one item reached by a trace.
type TraceNode struct {
	ID    string `json:"id"`
	Depth int    `json:"depth"`
	Via   string `json:"via"` // parent | input (backward); child | output (forward)
}

// ItemVersion is one committed version of an item record (GetHistoryForKey).
type ItemVersion struct {
	TxID    string `json:"txId"`
	At      string `json:"at"`
	Deleted bool   `json:"deleted,omitempty"`
	Item    *Item  `json:"item,omitempty"`
}
