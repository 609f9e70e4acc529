package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/gateway-api/ledger/ledgertest"
)

// fakeLedger is a small in-memory stand-in for the chaincode: enough rules
// to drive the handlers (prefix ownership, idempotent registration, parents).
type fakeLedger struct {
	mu       sync.Mutex
	users    map[string]Principal
	prefixes map[string]string // prefix → owner MSP
	items    map[string]domain.Item
	consents []domain.Consent
	events   []domain.EventInput // recorded by RecordEvents
	insps    []domain.Inspection // recorded by RecordInspection
	fail     map[string]error    // fn → error to return
	submits  []ledger.Call
	txs      int
	// epcisPage answers epcis:QueryEvents; queries records its calls.
	epcisPage []byte
	queries   []ledger.Call
	// epcisEvents answer epcis:GetEvent by eventID (absent: NOT_FOUND),
	// epcisJobs epcis:ListCaptureJobs.
	epcisEvents map[string][]byte
	epcisJobs   []byte
}

func newFakeLedger(users map[string]Principal) *fakeLedger {
	return &fakeLedger{users: users, prefixes: map[string]string{"88.118.8": "MakerMSP"},
		items: map[string]domain.Item{}, fail: map[string]error{}}
}

func (f *fakeLedger) Evaluate(_ context.Context, call ledger.Call) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[call.Fn]; err != nil {
		return nil, err
	}
	switch call.Fn {
	case ledger.FnGetItem, ledger.FnVerify:
		it, ok := f.items[call.Args[0]]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "item %s not found", call.Args[0])
		}
		if call.Fn == ledger.FnVerify {
			return json.Marshal(domain.Verification{ID: it.ID, Genuine: true, Status: it.Status, Maker: it.Owner,
				Released: it.Status == domain.StatusReleased})
		}
		return json.Marshal(it)
	case ledger.FnGetProvenance:
		it, ok := f.items[call.Args[0]]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "%s is not registered", call.Args[0])
		}
		return json.Marshal(domain.Provenance{Item: it})
	case ledger.FnGetInspections:
		list := []domain.Inspection{}
		for _, in := range f.insps {
			if in.ID == call.Args[0] {
				list = append(list, in)
			}
		}
		return json.Marshal(list)
	case ledger.FnGetPrefix:
		owner, ok := f.prefixes[call.Args[0]]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "prefix %s is not assigned", call.Args[0])
		}
		return json.Marshal(domain.Prefix{Prefix: call.Args[0], Owner: owner, TxID: "tx-assign-" + call.Args[0]})
	case ledger.FnListConsents:
		return json.Marshal(f.consents)
	case ledger.FnReadShared:
		return json.Marshal(domain.SharedDetail{Category: domain.CategoryInspectionDetail, Data: []byte(`{"raw":1}`), Access: call.Args[0]})
	case ledger.FnPing:
		return []byte(`{}`), nil
	case ledger.FnEPCISQuery:
		f.queries = append(f.queries, call)
		if f.epcisPage == nil {
			return []byte(`{"events":[]}`), nil
		}
		return f.epcisPage, nil
	case ledger.FnEPCISGetEvent:
		f.queries = append(f.queries, call)
		if b, ok := f.epcisEvents[call.Args[0]]; ok {
			return b, nil
		}
		return nil, domain.Errorf(domain.CodeNotFound, "no event %s", call.Args[0])
	case ledger.FnEPCISListJobs:
		f.queries = append(f.queries, call)
		if f.epcisJobs == nil {
			return []byte(`{"jobs":[]}`), nil
		}
		return f.epcisJobs, nil
	}
	return []byte(`{}`), nil
}

func (f *fakeLedger) Submit(_ context.Context, call ledger.Call) (ledger.Committed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[call.Fn]; err != nil {
		return ledger.Committed{}, err
	}
	f.txs++
	tx := fmt.Sprintf("tx%d", f.txs)
	f.submits = append(f.submits, call)
	var out any
	ev := domain.ChaincodeEvent{Type: call.Fn, TxID: tx} // the ids it lists, as the chaincode would
	switch call.Fn {
	case ledger.FnRegisterItems:
		var in []domain.ItemInput
		if err := json.Unmarshal([]byte(call.Args[0]), &in); err != nil {
			return ledger.Committed{}, domain.Errorf(domain.CodeInvalid, "items JSON: %v", err)
		}
		res := f.register(f.users[call.User].MSPID, in, tx)
		for i, r := range res.Results {
			if r.Status == domain.ResultCreated {
				ev.IDs = append(ev.IDs, r.ID) // the chaincode adds parents too
				if in[i].Parent != "" {
					ev.IDs = append(ev.IDs, in[i].Parent)
				}
			}
		}
		out = res
	case ledger.FnAssignPrefix:
		p, owner := call.Args[0], call.Args[1]
		cur, ok := f.prefixes[p]
		switch {
		case ok && cur != owner:
			return ledger.Committed{}, domain.Errorf(domain.CodeConflict, "prefix %s is assigned to %s", p, cur)
		case ok: // the chaincode is idempotent: the existing record
			out = domain.Prefix{Prefix: p, Owner: owner, TxID: "tx-assign-" + p}
		default:
			f.prefixes[p] = owner
			out = domain.Prefix{Prefix: p, Owner: owner, TxID: tx}
		}
	case ledger.FnRecordEvents:
		var in []domain.EventInput
		if err := json.Unmarshal([]byte(call.Args[0]), &in); err != nil {
			return ledger.Committed{}, domain.Errorf(domain.CodeInvalid, "events JSON: %v", err)
		}
		var res domain.BatchResult
		for _, e := range in {
			r := domain.ItemResult{ID: e.ID, Status: domain.ResultRecorded}
			if _, ok := f.items[e.ID]; !ok {
				r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeNotFound, "%s is not registered", e.ID)
			} else {
				f.events = append(f.events, e)
				ev.IDs = append(ev.IDs, e.ID)
			}
			res.Results = append(res.Results, r)
		}
		out = res
	case ledger.FnRecordInspect:
		var in domain.InspectionInput
		if err := json.Unmarshal([]byte(call.Args[0]), &in); err != nil {
			return ledger.Committed{}, domain.Errorf(domain.CodeInvalid, "inspection JSON: %v", err)
		}
		rec := domain.Inspection{InspectionInput: in, ID: in.ID, Judgement: domain.Judgement{Passed: true},
			PlanVersion: 1, InspectorMSP: f.users[call.User].MSPID, DetailHash: call.Args[1],
			At: time.Now().UTC().Format(time.RFC3339Nano), TxID: tx}
		f.insps = append(f.insps, rec)
		ev.IDs = []string{in.ID}
		out = domain.InspectionResult{Judgement: rec.Judgement, PlanVersion: 1, TxID: tx}
	case ledger.FnRelease:
		id := call.Args[0]
		it := f.items[id]
		it.Status = domain.StatusReleased
		f.items[id] = it
		ev.IDs = []string{id}
		out = domain.Release{ID: id, By: it.Owner, TxID: tx}
	case ledger.FnRecall:
		ev.IDs = []string{call.Args[0]}
		out = map[string]string{"txId": tx}
	case ledger.FnRecordAccess:
		out = domain.AccessRecord{ID: tx, Subject: call.Args[0], Category: domain.Category(call.Args[1]), Consent: call.Args[2]}
	default:
		out = map[string]string{"txId": tx}
	}
	b, _ := json.Marshal(out)
	return ledger.Committed{Result: b, TxID: tx, Block: uint64(f.txs), Event: ev}, nil
}

func (f *fakeLedger) register(msp string, in []domain.ItemInput, tx string) domain.BatchResult {
	var res domain.BatchResult
	for _, it := range in {
		r := domain.ItemResult{ID: it.ID, Status: domain.ResultCreated}
		prefix, _, _ := strings.Cut(it.ID, "/")
		old, exists := f.items[it.ID]
		switch {
		case f.prefixes[prefix] != msp:
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeForbidden, "prefix %s is not owned by %s", prefix, msp)
		case exists && old.Model == it.Model:
			r.Status = domain.ResultUnchanged
		case exists:
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeConflict, "%s exists with other content", it.ID)
		case it.Parent != "" && f.items[it.Parent].ID == "":
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeNotFound, "parent %s not found", it.Parent)
		default:
			f.items[it.ID] = domain.Item{ID: it.ID, Kind: it.Kind, Industry: it.Industry, Owner: msp, Model: it.Model,
				Parent: it.Parent, Status: domain.StatusRegistered, TxID: tx}
		}
		res.Results = append(res.Results, r)
	}
	return res
}

func (f *fakeLedger) submitted(fn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.submits {
		if c.Fn == fn {
			n++
		}
	}
	return n
}

// testUsers mirrors the demo users; the key of each is "key-<name>".
var testUsers = map[string]Principal{
	"platform-admin":   {Name: "platform-admin", MSPID: "PlatformMSP", Role: RoleAdmin},
	"maker-operator":   {Name: "maker-operator", MSPID: "MakerMSP", Role: RoleOperator},
	"maker-inspector":  {Name: "maker-inspector", MSPID: "MakerMSP", Role: RoleInspector},
	"maker-qa":         {Name: "maker-qa", MSPID: "MakerMSP", Role: RoleQA},
	"maker-norole":     {Name: "maker-norole", MSPID: "MakerMSP"},
	"partner-operator": {Name: "partner-operator", MSPID: "PartnerMSP", Role: RoleOperator},
	"partner-qa":       {Name: "partner-qa", MSPID: "PartnerMSP", Role: RoleQA},
	"regulator":        {Name: "regulator", MSPID: "RegulatorMSP", Role: RoleRegulator},
}

type testAPI struct {
	t      *testing.T
	h      http.Handler
	ledger *fakeLedger
}

func newTestAPI(t *testing.T, tweak ...func(*Deps)) *testAPI {
	t.Helper()
	fl := newFakeLedger(testUsers)
	keys := map[string]string{}
	for n := range testUsers {
		keys[HashKey("key-"+n)] = n
	}
	deps := Deps{Ledger: fl, Users: testUsers, Keys: keys, ServiceUser: "platform-admin"}
	for _, f := range tweak {
		f(&deps)
	}
	return &testAPI{t: t, h: NewServer(deps), ledger: fl}
}

// do sends a request as user ("" for none) and returns the recorder.
func (a *testAPI) do(method, path, user, body string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer key-"+user)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

// errorCode decodes an error body, failing the test if it is not one.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) domain.Code {
	t.Helper()
	var body ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == nil {
		t.Fatalf("status %d body %q is not an error body", rec.Code, rec.Body.String())
	}
	return body.Error.Code
}

func (a *testAPI) seed(ids ...string) {
	a.t.Helper()
	for _, id := range ids {
		a.ledger.items[id] = domain.Item{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric,
			Owner: "MakerMSP", Model: "M1", Status: domain.StatusRegistered}
	}
}

func newRequest(method, path, body string) *http.Request {
	return httptest.NewRequest(method, path, strings.NewReader(body))
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Fixture ids (ledgertest.Fixture).
const (
	unitID   = ledgertest.UnitID
	lotID    = ledgertest.LotID
	plainID  = ledgertest.PlainID
	testGTIN = ledgertest.GTIN
)

// fixtureAPI is the test API whose cached reads answer from
// ledgertest.Fixture (writes still go to the fake ledger).
type fixtureAPI struct {
	*testAPI
	reads *ledgertest.Reads
}

func newFixtureAPI(t *testing.T) *fixtureAPI {
	t.Helper()
	r := ledgertest.Fixture()
	return &fixtureAPI{testAPI: newTestAPI(t, func(d *Deps) { d.Reads = r }), reads: r}
}
