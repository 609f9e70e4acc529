package chaincode

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
)

// exampleEvents returns the events of idchain's EPCIS 2.0 example
// documents (epcis/testdata/examples), in file order.
func exampleEvents(tb testing.TB) []json.RawMessage {
	tb.Helper()
	var out []json.RawMessage
	for _, d := range epcistest.Examples(tb) {
		res, err := epcis.ParseEPCISDocument(d.Body, epcis.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		for _, o := range res {
			if o.Record == nil {
				tb.Fatalf("%s: %v", d.Name, o.Error)
			}
			out = append(out, o.Record.Event)
		}
	}
	return out
}

var jobSeq int

func captureTx(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, events []json.RawMessage) ([]epcis.EventOutcome, error) {
	tb.Helper()
	jobSeq++
	chunk, err := captureJob(tb, l, id, events, epcis.CaptureOptions{JobID: fmt.Sprintf("job-%d", jobSeq), Total: len(events)})
	if chunk == nil {
		return nil, err
	}
	return chunk.Outcomes, err
}

func captureJob(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, events []json.RawMessage, opt epcis.CaptureOptions) (*epcis.CaptureChunk, error) {
	tb.Helper()
	b, _ := json.Marshal(events)
	o, _ := json.Marshal(opt)
	var res *epcis.CaptureChunk
	_, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) error {
		var err error
		res, err = captureEPCIS(ctx, string(b), string(o))
		return err
	})
	return res, err
}

func queryAs(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, params, bookmark string) epcis.Page {
	tb.Helper()
	v, _ := url.ParseQuery(params)
	q, derr := epcis.Options{}.ParseQuery(v)
	if derr != nil {
		tb.Fatal(derr)
	}
	qb, _ := json.Marshal(q)
	var page epcis.Page
	mustTx(tb, l, id, func(ctx contractapi.TransactionContextInterface) error {
		var err error
		page, err = queryEPCIS(ctx, string(qb), "", bookmark)
		return err
	})
	return page
}

func TestEPCISStoreCapturesExamples(t *testing.T) {
	l := fakestub.NewLedger()
	events := exampleEvents(t)
	maker := who(t, makerMSP, domain.RoleOperator)
	res, err := captureTx(t, l, maker, events)
	if err != nil {
		t.Fatal(err)
	}
	// Every event is recorded except the one of reused-eventid.jsonld: it
	// reuses the eventID of an earlier, different event and is refused.
	recorded, dup := 0, 0
	for _, r := range res {
		switch r.Status {
		case domain.ResultRecorded:
			recorded++
		case domain.ResultRejected:
			if r.Error == nil || r.Error.Code != domain.CodeConflict {
				t.Errorf("event %d rejected: %v", r.Index, r.Error)
			}
			dup++
		default:
			t.Errorf("event %d: %s", r.Index, r.Status)
		}
	}
	if recorded != len(events)-1 || dup != 1 {
		t.Fatalf("%d recorded, %d refused of %d", recorded, dup, len(events))
	}
	t.Logf("%d of %d example events recorded, %d eventID conflict", recorded, len(events), dup)

	// Capturing the same events again changes nothing.
	again, err := captureTx(t, l, maker, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if res[i].Status == domain.ResultRecorded && r.Status != domain.ResultUnchanged {
			t.Errorf("event %d: second capture %s", i, r.Status)
		}
	}

	// Visibility: the capturing org and the regulator see the events,
	// another org none.
	regulator := who(t, regulatorMSP, domain.RoleRegulator)
	partner := who(t, partnerMSP, domain.RoleOperator)
	if n := len(queryAs(t, l, maker, "perPage=500", "").Events); n != recorded {
		t.Errorf("maker sees %d, want %d", n, recorded)
	}
	if n := len(queryAs(t, l, regulator, "perPage=500", "").Events); n != recorded {
		t.Errorf("regulator sees %d, want %d", n, recorded)
	}
	if n := len(queryAs(t, l, partner, "perPage=500", "").Events); n != 0 {
		t.Errorf("partner sees %d of maker's events", n)
	}

	// MATCH_epc with the URN and with the Digital Link of the same object
	// finds the same events (object-urn, object-digital-link, aggregation,
	// transaction, error-declaration and query-document name it).
	byURN := queryAs(t, l, maker, "MATCH_epc=urn:epc:id:sgtin:6901234.012345.S100", "")
	byDL := queryAs(t, l, maker, "MATCH_epc=https://id.gs1.org/01/06901234123456/21/S100", "")
	if len(byURN.Events) < 5 || len(byURN.Events) != len(byDL.Events) {
		t.Fatalf("MATCH_epc by URN %d, by Digital Link %d", len(byURN.Events), len(byDL.Events))
	}
	for _, e := range byURN.Events {
		if !slices.Contains(e.EPCs, "https://id.gs1.org/01/06901234123456/21/S100") {
			t.Errorf("event %s does not name the EPC: %v", e.EventID, e.EPCs)
		}
	}
	if n := len(queryAs(t, l, maker, "eventType=AssociationEvent", "").Events); n == 0 {
		t.Error("no AssociationEvent found")
	}
	if n := len(queryAs(t, l, maker, "eventType=TransactionEvent&EQ_bizStep=shipping", "").Events); n == 0 {
		t.Error("no TransactionEvent with bizStep shipping found")
	}
}

func TestEPCISStorePages(t *testing.T) {
	l := fakestub.NewLedger()
	events := exampleEvents(t)
	maker := who(t, makerMSP, domain.RoleOperator)
	if _, err := captureTx(t, l, maker, events); err != nil {
		t.Fatal(err)
	}
	all := queryAs(t, l, maker, "perPage=500", "")
	seen := map[string]bool{}
	bookmark, pages := "", 0
	for {
		p := queryAs(t, l, maker, "perPage=7", bookmark)
		pages++
		for _, e := range p.Events {
			if seen[e.EventID] {
				t.Fatalf("event %s on two pages", e.EventID)
			}
			seen[e.EventID] = true
		}
		if len(p.Events) > 7 {
			t.Fatalf("page of %d", len(p.Events))
		}
		if bookmark = p.Bookmark; bookmark == "" || pages > 20 {
			break
		}
	}
	if len(seen) != len(all.Events) || pages < 2 {
		t.Fatalf("%d events over %d pages, want %d", len(seen), pages, len(all.Events))
	}
	_, err := tx(t, l, maker, func(ctx contractapi.TransactionContextInterface) error {
		_, err := queryEPCIS(ctx, `{"PerPage":5}`, "", "\x00epcisall\x00")
		return err
	})
	wantCode(t, err, domain.CodeInvalid)
}

func TestEPCISStoreRefusesBadEvents(t *testing.T) {
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	res, err := captureTx(t, l, maker, []json.RawMessage{json.RawMessage(`{"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != domain.ResultRejected || res[0].Error.Code != domain.CodeInvalid {
		t.Fatalf("an ObjectEvent without action: %+v", res[0])
	}
	if keys := l.Keys("\x00" + objEPCISEvent); len(keys) != 0 {
		t.Fatalf("a refused event was written: %v", keys)
	}
	_, err = captureTx(t, l, who(t, makerMSP, domain.RoleInspector), exampleEvents(t)[:1])
	wantCode(t, err, domain.CodeForbidden)
}

// TestEPCISStoreDocumentOutcomes captures the example documents one by
// one, in file order, as an integrator would, and checks each outcome.
func TestEPCISStoreDocumentOutcomes(t *testing.T) {
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	counts := map[string]int{}
	for _, d := range epcistest.Examples(t) {
		parsed, err := epcis.ParseEPCISDocument(d.Body, epcis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var evs []json.RawMessage
		for _, o := range parsed {
			evs = append(evs, o.Record.Event)
		}
		res, err := captureTx(t, l, maker, evs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			counts[r.Status]++
			want := domain.ResultRecorded
			if d.Name == "reused-eventid.jsonld" {
				want = domain.ResultRejected
				if r.Error == nil || r.Error.Code != domain.CodeConflict {
					t.Errorf("%s: %+v, want CONFLICT", d.Name, r.Error)
				}
			}
			if r.Status != want {
				t.Errorf("%s event %d: %s, want %s", d.Name, r.Index, r.Status, want)
			}
		}
	}
	if counts[domain.ResultRejected] != 1 || counts[domain.ResultRecorded] < 15 {
		t.Fatalf("outcomes %v", counts)
	}
	t.Logf("outcomes: %v", counts)
}

// TestEPCISStoreVisibilityFollowsItemsAndConsents: an event naming a
// registered item (by its Digital Link) is seen by the capturing org, the
// item's owner and the regulator; a third org sees it only under an
// "events" consent from the owner covering the item, and never after the
// consent ends.
func TestEPCISStoreVisibilityFollowsItemsAndConsents(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Unit("U1", "0001"), gs1Lot("LOT1", "L1"))
	ev := json.RawMessage(`{"type":"ObjectEvent","action":"OBSERVE","bizStep":"receiving",` +
		`"eventTime":"2026-11-27T08:00:00+08:00","eventTimeZoneOffset":"+08:00",` +
		`"epcList":["https://id.gs1.org/01/` + gtin14 + `/21/0001"],` +
		`"quantityList":[{"epcClass":"https://id.gs1.org/01/` + gtin14 + `/10/L1","quantity":3}]}`)
	res, err := captureTx(t, l, who(t, partnerMSP, domain.RoleOperator), []json.RawMessage{ev})
	if err != nil || res[0].Status != domain.ResultRecorded {
		t.Fatalf("capture: %+v %v", res, err)
	}
	q := "MATCH_epc=https://id.gs1.org/01/" + gtin14 + "/21/0001"
	sees := func(id *fakestub.Identity) bool { return len(queryAs(t, l, id, q, "").Events) == 1 }
	platform := who(t, platformMSP, domain.RoleAdmin)
	for _, c := range []struct {
		name string
		id   *fakestub.Identity
		want bool
	}{
		{"the capturing org", who(t, partnerMSP, domain.RoleOperator), true},
		{"the item's owner", who(t, makerMSP, domain.RoleOperator), true},
		{"the regulator", who(t, regulatorMSP, domain.RoleRegulator), true},
		{"another org", platform, false},
	} {
		if got := sees(c.id); got != c.want {
			t.Errorf("%s sees the event: %v, want %v", c.name, got, c.want)
		}
	}
	page := queryAs(t, l, who(t, makerMSP, domain.RoleOperator), q, "")
	if got := page.Events[0]; !slices.Equal(got.Items, []string{makerPfx + "/LOT1", makerPfx + "/U1"}) || !slices.Equal(got.Parties, []string{makerMSP, partnerMSP}) {
		t.Fatalf("items %v parties %v", got.Items, got.Parties)
	}
	// A consent for inspection detail does not open events; one for events does.
	for _, cat := range []domain.Category{domain.CategoryInspectionDetail, domain.CategoryEvents} {
		if _, err := grant(t, l, who(t, makerMSP, domain.RoleQA), domain.ConsentInput{
			Grantee: platformMSP, Categories: []domain.Category{cat}, Subjects: []string{makerPfx + "/U1"},
			Purpose: "audit", ValidUntil: "2099-01-01T00:00:00Z",
		}); err != nil {
			t.Fatal(err)
		}
		if got, want := sees(platform), cat == domain.CategoryEvents; got != want {
			t.Errorf("after a %s consent the other org sees the event: %v", cat, got)
		}
	}
	if n := len(queryAs(t, l, platform, "perPage=100", "").Events); n != 1 {
		t.Errorf("the consented org lists %d events, want 1", n)
	}
}

// TestEPCISCaptureJobs: a job spread over two transactions reads back
// whole, only by its org; a rollback job with one bad event stores nothing
// but its record; a chunk cannot be written twice.
func TestEPCISCaptureJobs(t *testing.T) {
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	events := exampleEvents(t)[:5]
	if _, err := captureJob(t, l, maker, events[:3], epcis.CaptureOptions{JobID: "J1", Offset: 0, Total: 5}); err != nil {
		t.Fatal(err)
	}
	job := readJob(t, l, maker, "J1")
	if job.FinishedAt != "" || len(job.Outcomes) != 3 {
		t.Fatalf("half a job: %+v", job)
	}
	if _, err := captureJob(t, l, maker, events[3:], epcis.CaptureOptions{JobID: "J1", Offset: 3, Total: 5}); err != nil {
		t.Fatal(err)
	}
	job = readJob(t, l, maker, "J1")
	if job.FinishedAt == "" || len(job.Outcomes) != 5 || len(job.TxIDs) != 2 || job.Outcomes[4].Index != 4 {
		t.Fatalf("whole job: %+v", job)
	}
	_, err := captureJob(t, l, maker, events[3:], epcis.CaptureOptions{JobID: "J1", Offset: 3, Total: 5})
	wantCode(t, err, domain.CodeConflict)
	_, err = tx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		_, err := getCaptureJob(ctx, "J1")
		return err
	})
	wantCode(t, err, domain.CodeNotFound)

	bad := json.RawMessage(`{"type":"ObjectEvent","eventTime":"2026-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00"}`)
	good := exampleEvents(t)[10]
	chunk, err := captureJob(t, l, maker, []json.RawMessage{good, bad}, epcis.CaptureOptions{JobID: "J2", Total: 2, Rollback: true})
	if err != nil {
		t.Fatal(err)
	}
	if !chunk.RolledBack || chunk.Outcomes[0].Status != domain.ResultRejected || chunk.Outcomes[1].Error.Code != domain.CodeInvalid {
		t.Fatalf("rollback job: %+v", chunk)
	}
	rec, _ := epcis.Options{}.NewRecord(good)
	if n := len(queryAs(t, l, maker, "EQ_eventID="+url.QueryEscape(rec.EventID), "").Events); n != 0 {
		t.Fatalf("a rolled back event was stored")
	}
	if j := readJob(t, l, maker, "J2"); !j.RolledBack || j.FinishedAt == "" {
		t.Fatalf("rollback job record: %+v", j)
	}
	if _, err := captureJob(t, l, maker, []json.RawMessage{good}, epcis.CaptureOptions{JobID: "J3", Total: 1, Rollback: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(queryAs(t, l, maker, "EQ_eventID="+url.QueryEscape(rec.EventID), "").Events); n != 1 {
		t.Fatalf("the event captured alone is found %d times", n)
	}
}

func readJob(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, jobID string) *epcis.CaptureJob {
	tb.Helper()
	var job *epcis.CaptureJob
	mustTx(tb, l, id, func(ctx contractapi.TransactionContextInterface) error {
		var err error
		job, err = getCaptureJob(ctx, jobID)
		return err
	})
	return job
}

// TestEPCISStoreIgnoresUnanchoredEvents: an event record and index key
// written without the capturing org's anchor (what a coalition running its
// own chaincode could create) is not served.
func TestEPCISStoreIgnoresUnanchoredEvents(t *testing.T) {
	l := fakestub.NewLedger()
	rec, derr := epcis.Options{}.NewRecord(exampleEvents(t)[0])
	if derr != nil {
		t.Fatal(derr)
	}
	h := epcisHash(rec.EventID)
	s := epcis.Stored{Record: rec, RecordTime: "2026-11-27T00:00:00Z", Owner: makerMSP, Parties: []string{makerMSP}}
	b, _ := json.Marshal(s)
	ek, _ := key(objEPCISEvent, h)
	ik, _ := key(objEPCISBy, makerMSP, "2026-11-27T00:00:00.000000000Z", h)
	l.PutState(ek, b)
	l.PutState(ik, []byte{0})
	if n := len(queryAs(t, l, who(t, makerMSP, domain.RoleOperator), "", "").Events); n != 0 {
		t.Fatalf("an unanchored event is served (%d)", n)
	}
	if _, err := captureTx(t, l, who(t, makerMSP, domain.RoleOperator), exampleEvents(t)[:1]); err != nil {
		t.Fatal(err)
	}
	if n := len(queryAs(t, l, who(t, makerMSP, domain.RoleOperator), "", "").Events); n != 1 {
		t.Fatalf("the captured event: %d", n)
	}
}
