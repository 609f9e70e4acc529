package chaincode

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

func listJobs(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, bookmark string, per int) epcis.JobPage {
	tb.Helper()
	var page epcis.JobPage
	mustTx(tb, l, id, func(ctx contractapi.TransactionContextInterface) error {
		var err error
		page, err = listCaptureJobs(ctx, bookmark, per)
		return err
	})
	return page
}

// TestEPCISListCaptureJobs: an org lists its own jobs whole (a job of two
// transactions is one entry), page by page without repeats; another org's
// jobs are not listed; a regulator lists all; a token of another key
// space is refused.
func TestEPCISListCaptureJobs(t *testing.T) {
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	partner := who(t, partnerMSP, domain.RoleOperator)
	events := exampleEvents(t)
	// M0 in two transactions, M1..M4 in one each; P0 by the partner.
	if _, err := captureJob(t, l, maker, events[:2], epcis.CaptureOptions{JobID: "M0", Total: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := captureJob(t, l, maker, events[2:4], epcis.CaptureOptions{JobID: "M0", Offset: 2, Total: 4}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := captureJob(t, l, maker, events[3+i:4+i], epcis.CaptureOptions{JobID: fmt.Sprintf("M%d", i), Total: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := captureJob(t, l, partner, events[10:11], epcis.CaptureOptions{JobID: "P0", Total: 1}); err != nil {
		t.Fatal(err)
	}

	var ids []string
	bookmark := ""
	for pages := 0; pages < 10; pages++ {
		p := listJobs(t, l, maker, bookmark, 2)
		if len(p.Jobs) > 2 {
			t.Fatalf("a page of %d jobs", len(p.Jobs))
		}
		for _, j := range p.Jobs {
			ids = append(ids, j.JobID)
			if j.JobID == "M0" && (len(j.TxIDs) != 2 || len(j.Outcomes) != 4 || j.FinishedAt == "") {
				t.Fatalf("M0 not whole: %+v", j)
			}
		}
		if bookmark = p.Bookmark; bookmark == "" {
			break
		}
	}
	if fmt.Sprint(ids) != "[M0 M1 M2 M3 M4]" {
		t.Fatalf("maker's jobs %v", ids)
	}
	if p := listJobs(t, l, partner, "", 50); len(p.Jobs) != 1 || p.Jobs[0].JobID != "P0" || p.Bookmark != "" {
		t.Fatalf("partner's jobs %+v", p)
	}
	if p := listJobs(t, l, who(t, regulatorMSP, domain.RoleRegulator), "", 50); len(p.Jobs) != 6 {
		t.Fatalf("the regulator lists %d jobs", len(p.Jobs))
	}
	_, err := tx(t, l, maker, func(ctx contractapi.TransactionContextInterface) error {
		_, err := listCaptureJobs(ctx, "\x00epcisev\x00x\x00", 2)
		return err
	})
	wantCode(t, err, domain.CodeInvalid)
}

// TestEPCISListCaptureJobsSkipsUnanchoredChunks: a job record written
// without its org's anchor is not listed.
func TestEPCISListCaptureJobsSkipsUnanchoredChunks(t *testing.T) {
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	if _, err := captureJob(t, l, maker, exampleEvents(t)[:1], epcis.CaptureOptions{JobID: "REAL", Total: 1}); err != nil {
		t.Fatal(err)
	}
	forged, _ := json.Marshal(epcis.CaptureChunk{JobID: "FAKE", Owner: makerMSP, Total: 1, At: "2026-11-27T00:00:00Z", TxID: "t"})
	k, _ := CaptureJobKey(makerMSP, "FAKE", 0)
	l.PutState(k, forged)
	stray, _ := key(objEPCISJob, "STRAY", "00000000") // a key of another shape
	l.PutState(stray, forged)
	p := listJobs(t, l, maker, "", 10)
	if len(p.Jobs) != 1 || p.Jobs[0].JobID != "REAL" {
		t.Fatalf("jobs %+v", p.Jobs)
	}
}
