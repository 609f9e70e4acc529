//go:build integration

// Package integration runs the chaincode rules against the running network
// (network/.run/profile.json, started with `make network-up`).
package chaincode

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

func load(t *testing.T) *profile.Profile {
	t.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no network profile (run make network-up): %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// session is a user's gateway session and the profile it came from.
type session struct {
	*profile.Session
	p *profile.Profile
}

func open(t *testing.T, p *profile.Profile, user string) session {
	t.Helper()
	s, err := p.Open(user, profile.DefaultTimeouts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return session{s, p}
}

// submit submits fn, waits for its commit and then for every peer to reach
// that block: the commit status covers only the gateway's own peer, and the
// next transaction may be endorsed through another org's peer.
func submit(t *testing.T, s session, fn string, out any, args ...string) {
	t.Helper()
	res, commit, err := s.Contract().SubmitAsync(fn, client.WithArguments(args...))
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	st, err := commit.Status()
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	if !st.Successful {
		t.Fatalf("%s: tx %s invalid: %s", fn, st.TransactionID, st.Code)
	}
	settle(t, s.p, st.BlockNumber+1)
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
	}
}

// settle waits until every peer's ledger height reaches height.
func settle(t *testing.T, p *profile.Profile, height uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, o := range p.Orgs {
		for _, peer := range o.Peers {
			for {
				h, err := profile.BlockHeight(context.Background(), peer.Operations, p.Channel)
				if err == nil && h >= height {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s stays below height %d: %v", peer.Name, height, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}

func evaluate(t *testing.T, s session, fn string, out any, args ...string) {
	t.Helper()
	res, err := s.Contract().EvaluateTransaction(fn, args...)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
}

// world assigns fresh prefixes for this run to the maker and the partner.
func world(t *testing.T, p *profile.Profile) (maker, partner string) {
	t.Helper()
	run := time.Now().UnixNano() % 1_000_000_000
	maker, partner = fmt.Sprintf("88.901.%d", run), fmt.Sprintf("88.902.%d", run)
	admin := open(t, p, "platform-admin")
	submit(t, admin, "registry:AssignPrefix", nil, maker, "MakerMSP")
	submit(t, admin, "registry:AssignPrefix", nil, partner, "PartnerMSP")
	// the maker's GS1 company prefix (the demo's too; assigning it again to
	// the same org returns the assignment unchanged)
	submit(t, admin, "registry:AssignGCP", nil, "6901234", "MakerMSP")
	return maker, partner
}

func items(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRegisterTenThousandItemsAndReadBack(t *testing.T) {
	p := load(t)
	maker, _ := world(t, p)
	op := open(t, p, "maker-operator")
	const total, batch = 10000, 1000
	for start := 0; start < total; start += batch {
		in := make([]domain.ItemInput, batch)
		for i := range in {
			in[i] = domain.ItemInput{ID: fmt.Sprintf("%s/U%06d", maker, start+i), Kind: domain.KindUnit, Industry: domain.IndustryGeneric, Model: "M1"}
		}
		var res domain.BatchResult
		submit(t, op, "registry:RegisterItems", &res, items(t, in))
		for _, r := range res.Results {
			if r.Status != domain.ResultCreated {
				t.Fatalf("%s: %s %v", r.ID, r.Status, r.Error)
			}
		}
	}
	n, bookmark := 0, ""
	for range 500 { // the maker keeps prefixes (and items) of earlier runs
		var page domain.Page[domain.Item]
		evaluate(t, op, "registry:ListItems", &page, "MakerMSP", "", "", "1000", bookmark)
		for _, it := range page.Records {
			if it.ID[:len(maker)] == maker {
				n++
			}
		}
		if bookmark = page.Bookmark; bookmark == "" {
			break
		}
	}
	if n != total {
		t.Fatalf("read back %d items, want %d", n, total)
	}
}

func TestAnOrgCannotRegisterUnderAnotherOrgsPrefix(t *testing.T) {
	p := load(t)
	maker, _ := world(t, p)
	var res domain.BatchResult
	submit(t, open(t, p, "partner-operator"), "registry:RegisterItems", &res,
		items(t, []domain.ItemInput{{ID: maker + "/X1", Kind: domain.KindCase, Industry: domain.IndustryGeneric}}))
	if e := res.Results[0].Error; e == nil || e.Code != domain.CodeForbidden {
		t.Fatalf("result %+v", res.Results[0])
	}
}

// A majority of orgs that excludes the owner satisfies the chaincode policy
// but not the owner-only policy on the item key: validation refuses it.
func TestNonOwnerPeersCannotEndorseAChangeToAnOwnedKey(t *testing.T) {
	p := load(t)
	maker, _ := world(t, p)
	op := open(t, p, "maker-operator")
	caseID, unitID := maker+"/CASE", maker+"/UNIT"
	submit(t, op, "registry:RegisterItems", nil, items(t, []domain.ItemInput{
		{ID: caseID, Kind: domain.KindCase, Industry: domain.IndustryGeneric},
		{ID: unitID, Kind: domain.KindUnit, Industry: domain.IndustryGeneric}}))
	pack := items(t, []domain.EventInput{{Type: domain.EventPacking, ID: caseID, Children: []string{unitID}}})
	status := func(orgs ...string) peer.TxValidationCode {
		prop, err := op.Contract().NewProposal("trace:RecordEvents", client.WithArguments(pack), client.WithEndorsingOrganizations(orgs...))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := prop.Endorse()
		if err != nil {
			t.Fatal(err)
		}
		commit, err := tx.Submit()
		if err != nil {
			t.Fatal(err)
		}
		st, err := commit.Status()
		if err != nil {
			t.Fatal(err)
		}
		return st.Code
	}
	if got := status("PartnerMSP", "PlatformMSP", "RegulatorMSP"); got != peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
		t.Fatalf("non-owner endorsement: %v, want ENDORSEMENT_POLICY_FAILURE", got)
	}
	if got := status("MakerMSP", "PartnerMSP", "PlatformMSP"); got != peer.TxValidationCode_VALID {
		t.Fatalf("owner endorsement: %v", got)
	}
}

func TestTraceAcrossLotUnitsCasePallet(t *testing.T) {
	p := load(t)
	maker, _ := world(t, p)
	op := open(t, p, "maker-operator")
	lot, cs, pal := maker+"/LOT", maker+"/CASE", maker+"/PAL"
	in := []domain.ItemInput{{ID: lot, Kind: domain.KindLot, Industry: domain.IndustryGeneric},
		{ID: cs, Kind: domain.KindCase, Industry: domain.IndustryGeneric},
		{ID: pal, Kind: domain.KindPallet, Industry: domain.IndustryGeneric}}
	var units []string
	for i := range 3 {
		u := fmt.Sprintf("%s/U%d", maker, i)
		units = append(units, u)
		in = append(in, domain.ItemInput{ID: u, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, Parent: lot})
	}
	submit(t, op, "registry:RegisterItems", nil, items(t, in))
	submit(t, op, "trace:RecordEvents", nil, items(t, []domain.EventInput{
		{Type: domain.EventPacking, ID: cs, Children: units},
		{Type: domain.EventPacking, ID: pal, Children: []string{cs}}}))
	var back, fwd domain.Trace
	evaluate(t, op, "trace:TraceBackward", &back, units[0], "", "")
	evaluate(t, op, "trace:TraceForward", &fwd, pal, "", "")
	if len(back.Nodes) != 3 || back.Nodes[2].ID != pal {
		t.Fatalf("backward %+v", back)
	}
	if len(fwd.Nodes) != 4 || fwd.Nodes[0].ID != cs {
		t.Fatalf("forward %+v", fwd)
	}

	// A recall of the lot reads on every unit and on the case and pallet
	// holding them, from the next evaluate on.
	var rc domain.Recall
	submit(t, open(t, p, "maker-qa"), "quality:Recall", &rc, lot, "integration test recall")
	for _, id := range append([]string{cs, pal}, units...) {
		var v domain.Verification
		evaluate(t, op, "public:Verify", &v, id)
		if !v.Recalled || v.Status != domain.StatusRecalled || v.Recall == nil || v.Recall.ID != lot {
			t.Fatalf("%s after the lot's recall: %+v", id, v)
		}
	}
}

// The GS1 index on the network: a serial and a lot resolve with
// registry:FindByGTIN, and another org cannot use the maker's GTIN (it lies
// under the maker's GS1 company prefix).
func TestGS1IndexResolvesAndRefusesADuplicateSerial(t *testing.T) {
	p := load(t)
	maker, partner := world(t, p)
	run := maker[len("88.901."):]
	const gtin = "06901234567892"
	lot, unit, serial, lotNo := maker+"/LOT", maker+"/UNIT", "G"+run, "L"+run
	var res domain.BatchResult
	submit(t, open(t, p, "maker-operator"), "registry:RegisterItems", &res, items(t, []domain.ItemInput{
		{ID: lot, Kind: domain.KindLot, Industry: domain.IndustryGeneric, GTIN: gtin, Lot: lotNo},
		{ID: unit, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, GTIN: gtin, Lot: lotNo, Serial: serial, Parent: lot}}))
	for _, r := range res.Results {
		if r.Status != domain.ResultCreated {
			t.Fatalf("%s: %s %v", r.ID, r.Status, r.Error)
		}
	}
	submit(t, open(t, p, "partner-operator"), "registry:RegisterItems", &res, items(t, []domain.ItemInput{
		{ID: partner + "/COPY", Kind: domain.KindUnit, Industry: domain.IndustryGeneric, GTIN: gtin, Serial: serial}}))
	if e := res.Results[0].Error; e == nil || e.Code != domain.CodeForbidden {
		t.Fatalf("the maker's GTIN registered by the partner: %+v", res.Results[0])
	}
	reader := open(t, p, "partner-operator")
	for _, tc := range []struct{ lot, serial, id, level string }{
		{"", serial, unit, domain.GS1LevelItem},
		{lotNo, serial, unit, domain.GS1LevelItem},
		{lotNo, "", lot, domain.GS1LevelLot},
	} {
		var m domain.GS1Match
		evaluate(t, reader, "registry:FindByGTIN", &m, gtin, tc.lot, tc.serial)
		if m.ID != tc.id || m.Level != tc.level {
			t.Errorf("FindByGTIN(%s, %q, %q) = %+v, want %s %s", gtin, tc.lot, tc.serial, m, tc.id, tc.level)
		}
	}
	if _, err := reader.Contract().EvaluateTransaction("registry:FindByGTIN", gtin, "", serial+"X"); err == nil {
		t.Error("an unknown serial was found")
	}
}
