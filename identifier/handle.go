package identifier

import (
	"slices"
	"strconv"
	"time"
)

// Handle.net REST API response codes used by the resolution view.
const (
	ResponseSuccess        = 1   // values follow
	ResponseHandleNotFound = 100 // no such handle
	ResponseInvalidHandle  = 102 // the handle is not syntactically valid
	ResponseValuesNotFound = 200 // the handle exists but no value matched the query
)

// Handle value types an idchain item resolves to.
const (
	TypeURL   = "URL"   // public page of the item
	TypeDesc  = "DESC"  // human-readable description
	TypeOwner = "OWNER" // owner enterprise prefix
	TypeGTIN  = "GTIN"  // GTIN-14 of the product
	TypeEmail = "EMAIL" // contact address
)

// Handle data formats (Handle.net REST "data.format").
const (
	FormatString = "string"
	FormatBase64 = "base64"
	FormatHex    = "hex"
)

// DefaultHandleTTL is the usual Handle value time-to-live, in seconds.
const DefaultHandleTTL = 86400

// HandleData is a value's payload.
type HandleData struct {
	Format string `json:"format"`
	Value  string `json:"value"`
}

// HandleValue is one typed value of a Handle record.
type HandleValue struct {
	Index     int        `json:"index"`
	Type      string     `json:"type"`
	Data      HandleData `json:"data"`
	TTL       int        `json:"ttl"`
	Timestamp string     `json:"timestamp"` // UTC, RFC 3339 with seconds
}

// HandleRecord is the body of a Handle.net REST resolution response:
// GET /api/handles/{handle}.
type HandleRecord struct {
	ResponseCode int           `json:"responseCode"`
	Handle       string        `json:"handle"`
	Message      string        `json:"message,omitempty"`
	Values       []HandleValue `json:"values,omitempty"`
}

// NewHandleValue returns a string-format value. ts is rendered in UTC with
// second precision, so the caller controls determinism (the chaincode passes
// its transaction timestamp).
func NewHandleValue(index int, typ, value string, ttl int, ts time.Time) HandleValue {
	return HandleValue{
		Index:     index,
		Type:      typ,
		Data:      HandleData{Format: FormatString, Value: value},
		TTL:       ttl,
		Timestamp: ts.UTC().Truncate(time.Second).Format(time.RFC3339),
	}
}

// NewHandleRecord returns a successful record for handle with the values
// ordered by index. It rejects (INVALID_HANDLE_VALUE) an index below 1, a
// repeated index, an empty type, an unknown data format and a negative TTL.
func NewHandleRecord(handle string, values []HandleValue) (HandleRecord, error) {
	vs := slices.Clone(values)
	slices.SortFunc(vs, func(a, b HandleValue) int { return a.Index - b.Index })
	for i, v := range vs {
		at := " (index " + strconv.Itoa(v.Index) + ")"
		switch {
		case v.Index < 1:
			return HandleRecord{}, newError(CodeInvalidHandleValue, -1, "value index must be at least 1"+at)
		case i > 0 && vs[i-1].Index == v.Index:
			return HandleRecord{}, newError(CodeInvalidHandleValue, -1, "value index is used twice"+at)
		case v.Type == "":
			return HandleRecord{}, newError(CodeInvalidHandleValue, -1, "value type is empty"+at)
		case v.Data.Format != FormatString && v.Data.Format != FormatBase64 && v.Data.Format != FormatHex:
			return HandleRecord{}, newError(CodeInvalidHandleValue, -1, "value format "+strconv.Quote(v.Data.Format)+" is not string, base64 or hex"+at)
		case v.TTL < 0:
			return HandleRecord{}, newError(CodeInvalidHandleValue, -1, "value ttl is negative"+at)
		}
	}
	return HandleRecord{ResponseCode: ResponseSuccess, Handle: handle, Values: vs}, nil
}

// HandleNotFound is the response for a valid handle that does not exist.
func HandleNotFound(handle string) HandleRecord {
	return HandleRecord{ResponseCode: ResponseHandleNotFound, Handle: handle, Message: "Handle Not Found"}
}

// HandleInvalid is the response for a handle that does not parse; err, if
// an *Error, supplies the message.
func HandleInvalid(handle string, err error) HandleRecord {
	msg := "Invalid Handle"
	if e, ok := err.(*Error); ok {
		msg += ": " + e.Message()
	}
	return HandleRecord{ResponseCode: ResponseInvalidHandle, Handle: handle, Message: msg}
}

// Filter keeps the values whose index is in indexes or whose type is in types
// (exact, case-sensitive), as the Handle.net ?index=&type= query parameters
// do. With no indexes and no types it returns r unchanged. When a successful
// record has no value left, the response code becomes 200 (values not found).
func (r HandleRecord) Filter(indexes []int, types []string) HandleRecord {
	if r.ResponseCode != ResponseSuccess || len(indexes) == 0 && len(types) == 0 {
		return r
	}
	var kept []HandleValue
	for _, v := range r.Values {
		if slices.Contains(indexes, v.Index) || slices.Contains(types, v.Type) {
			kept = append(kept, v)
		}
	}
	r.Values = kept
	if len(kept) == 0 {
		r.ResponseCode = ResponseValuesNotFound
		r.Message = "Values Not Found"
	}
	return r
}
