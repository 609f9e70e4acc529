package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

func TestInspectionRetryRecordsOnceAndStoresTheDetail(t *testing.T) {
	a := newTestAPI(t)
	a.seed("88.118.8/KB-1")
	body := `{"id":"88.118.8/KB-1","model":"M1","results":[{"code":"HIPOT","pass":true}],"equipment":"EQ-7","detail":{"kv":3000}}`
	decodeResp := func(t *testing.T, b []byte) inspectionResponse {
		t.Helper()
		var out inspectionResponse
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	// The inspection commits, storing its detail fails.
	a.ledger.fail[ledger.FnStoreDetail] = domain.Errorf(domain.CodeUnavailable, "owner peer down")
	rec := a.do("POST", "/v1/inspections", "maker-inspector", body)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("detail failing: status %d %s, want 503", rec.Code, rec.Body)
	}
	var failed struct {
		Inspection inspectionResponse `json:"inspection"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &failed); err != nil || failed.Inspection.TxID == "" {
		t.Fatalf("the error body does not name the recorded inspection: %s", rec.Body)
	}

	// The client re-sends: the same inspection is answered, the detail stored.
	delete(a.ledger.fail, ledger.FnStoreDetail)
	rec = a.do("POST", "/v1/inspections", "maker-inspector", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("retry: status %d %s", rec.Code, rec.Body)
	}
	out := decodeResp(t, rec.Body.Bytes())
	if !out.Replayed || out.TxID != failed.Inspection.TxID || out.DetailTxID == "" || out.DetailHash == "" {
		t.Fatalf("retry answered %+v, want the first inspection (%s) replayed and the detail stored", out, failed.Inspection.TxID)
	}
	if n := a.ledger.submitted(ledger.FnRecordInspect); n != 1 {
		t.Fatalf("%d inspections recorded, want 1", n)
	}
	if n := a.ledger.submitted(ledger.FnStoreDetail); n != 1 {
		t.Fatalf("%d details stored, want 1", n)
	}

	// Other results are a new inspection (a retest).
	retest := `{"id":"88.118.8/KB-1","model":"M1","results":[{"code":"HIPOT","pass":false}],"equipment":"EQ-7","detail":{"kv":3000}}`
	rec = a.do("POST", "/v1/inspections", "maker-inspector", retest)
	if rec.Code != http.StatusCreated || decodeResp(t, rec.Body.Bytes()).Replayed {
		t.Fatalf("retest: status %d %s, want a new inspection", rec.Code, rec.Body)
	}
	if n := a.ledger.submitted(ledger.FnRecordInspect); n != 2 {
		t.Fatalf("%d inspections recorded, want 2", n)
	}
}
