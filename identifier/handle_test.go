package identifier_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/idchain/idchain/identifier"
)

func exampleRecord(t *testing.T) identifier.HandleRecord {
	t.Helper()
	ts := time.Date(2024, 3, 15, 8, 30, 0, 999, time.FixedZone("CST", 8*3600))
	id := identifier.MustParse("88.608.8899/META_zj02")
	r, err := identifier.NewHandleRecord(id.String(), []identifier.HandleValue{
		identifier.NewHandleValue(4, identifier.TypeGTIN, "09506000134352", identifier.DefaultHandleTTL, ts),
		identifier.NewHandleValue(1, identifier.TypeURL, "https://idchain.example/items/88.608.8899/META_zj02", identifier.DefaultHandleTTL, ts),
		identifier.NewHandleValue(2, identifier.TypeDesc, "四层电路板", identifier.DefaultHandleTTL, ts),
		identifier.NewHandleValue(3, identifier.TypeOwner, id.Prefix, identifier.DefaultHandleTTL, ts),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestHandleRecordJSON(t *testing.T) {
	r := exampleRecord(t).Filter([]int{1}, nil)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"responseCode":1,"handle":"88.608.8899/META_zj02","values":[{"index":1,"type":"URL",` +
		`"data":{"format":"string","value":"https://idchain.example/items/88.608.8899/META_zj02"},"ttl":86400,"timestamp":"2024-03-15T00:30:00Z"}]}`
	if string(b) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", b, want)
	}
}

func TestHandleRecordFilter(t *testing.T) {
	r := exampleRecord(t)
	for i, v := range r.Values {
		if v.Index != i+1 {
			t.Fatalf("values not ordered by index: %+v", r.Values)
		}
	}
	tests := []struct {
		name      string
		indexes   []int
		types     []string
		wantCode  int
		wantIndex []int
	}{
		{"no filter keeps everything", nil, nil, identifier.ResponseSuccess, []int{1, 2, 3, 4}},
		{"by type", nil, []string{"GTIN"}, identifier.ResponseSuccess, []int{4}},
		{"index or type", []int{2}, []string{"URL"}, identifier.ResponseSuccess, []int{1, 2}},
		{"types are case-sensitive", nil, []string{"url"}, identifier.ResponseValuesNotFound, nil},
		{"an unknown index", []int{9}, nil, identifier.ResponseValuesNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Filter(tt.indexes, tt.types)
			var idx []int
			for _, v := range got.Values {
				idx = append(idx, v.Index)
			}
			if got.ResponseCode != tt.wantCode || len(idx) != len(tt.wantIndex) {
				t.Fatalf("Filter = code %d indexes %v, want %d %v", got.ResponseCode, idx, tt.wantCode, tt.wantIndex)
			}
			for i := range idx {
				if idx[i] != tt.wantIndex[i] {
					t.Fatalf("Filter indexes %v, want %v", idx, tt.wantIndex)
				}
			}
		})
	}
}

func TestNewHandleRecordRejects(t *testing.T) {
	ts := time.Unix(0, 0)
	v := func(index int, typ string) identifier.HandleValue {
		return identifier.NewHandleValue(index, typ, "x", 60, ts)
	}
	bad := v(1, "URL")
	bad.Data.Format = "admin"
	neg := v(1, "URL")
	neg.TTL = -1
	tests := []struct {
		name   string
		values []identifier.HandleValue
		reason string
	}{
		{"index 0", []identifier.HandleValue{v(0, "URL")}, "value index must be at least 1 (index 0)"},
		{"a repeated index", []identifier.HandleValue{v(2, "URL"), v(2, "DESC")}, "value index is used twice (index 2)"},
		{"an empty type", []identifier.HandleValue{v(1, "")}, "value type is empty (index 1)"},
		{"an unknown format", []identifier.HandleValue{bad}, `value format "admin" is not string, base64 or hex (index 1)`},
		{"a negative ttl", []identifier.HandleValue{neg}, "value ttl is negative (index 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identifier.NewHandleRecord("88.1/x", tt.values)
			wantError(t, err, identifier.ErrInvalidHandleValue, -1, tt.reason)
		})
	}
}

func TestHandleErrorRecords(t *testing.T) {
	if r := identifier.HandleNotFound("88.1/x"); r.ResponseCode != 100 || r.Values != nil {
		t.Errorf("HandleNotFound = %+v", r)
	}
	_, err := identifier.Parse("88.1/a b")
	r := identifier.HandleInvalid("88.1/a b", err)
	if r.ResponseCode != 102 || r.Message != "Invalid Handle: suffix contains ' ' at byte 6" {
		t.Errorf("HandleInvalid = %+v", r)
	}
}
