//go:build integration

package quality

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// world is one run's fresh prefix, items and plan on the shared network.
type world struct {
	t                                *testing.T
	p                                *profile.Profile
	admin, op, insp, qa              *user
	partnerOp, partnerQA, reg        *user
	prefix, model, lot, unit1, unit2 string
	secret                           []byte
	firstBlock                       uint64
}

func newWorld(t *testing.T) *world {
	p := loadProfile(t)
	run := time.Now().UTC().Format("150405") + fmt.Sprint(time.Now().UnixNano()%1000)
	w := &world{
		t: t, p: p, admin: connect(t, p, "platform-admin"), op: connect(t, p, "maker-operator"),
		insp: connect(t, p, "maker-inspector"), qa: connect(t, p, "maker-qa"),
		partnerOp: connect(t, p, "partner-operator"), partnerQA: connect(t, p, "partner-qa"), reg: connect(t, p, "regulator"),
		prefix: "88.777." + run, model: "JZT-IT" + run,
	}
	w.lot, w.unit1, w.unit2 = w.prefix+"/LOT-1", w.prefix+"/KB-1", w.prefix+"/KB-2"
	w.secret = []byte(fmt.Sprintf(`{"earthCurve":[0.031,0.033],"rig":"PRIVATE-%s-CAL"}`, run))
	_, blk, err := submit(w.admin.contract("registry"), "AssignPrefix", client.WithArguments(w.prefix, "MakerMSP"))
	if err != nil {
		t.Fatalf("AssignPrefix: %v", err)
	}
	w.firstBlock = blk
	items := []domain.ItemInput{
		{ID: w.lot, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: w.model, Attributes: map[string]string{"productionDate": "2026-11-27"}},
		{ID: w.unit1, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: w.model, Serial: "1", Parent: w.lot},
		{ID: w.unit2, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: w.model, Serial: "2", Parent: w.lot},
	}
	arg, _ := json.Marshal(items)
	res := decode[domain.BatchResult](t, w.ok(submitRes(w.op.contract("registry"), "RegisterItems", string(arg))))
	for _, r := range res.Results {
		if r.Status != domain.ResultCreated {
			t.Fatalf("RegisterItems: %+v", r)
		}
	}
	plan, _ := json.Marshal(domain.ExampleGasStovePlan(w.model))
	w.ok(submitRes(w.qa.contract("quality"), "PutPlan", string(plan)))
	return w
}

// ok fails the test on err and returns b.
func (w *world) ok(b []byte, err error) []byte {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func submitRes(c contract, fn string, args ...string) ([]byte, error) {
	b, _, err := submit(c, fn, client.WithArguments(args...))
	return b, err
}

func (w *world) inspect(t *testing.T, id string, pass bool, hash string) domain.InspectionResult {
	t.Helper()
	v := func(x float64) *float64 { return &x }
	ok := pass
	yes := true
	in := domain.InspectionInput{ID: id, Equipment: "EQ-IT", Results: []domain.TestResult{
		{Code: "EARTH_OHM", Value: v(0.05)}, {Code: "HIPOT", Pass: &ok}, {Code: "LEAK_MA", Value: v(0.3)}, {Code: "GAS_TIGHT", Pass: &yes},
	}}
	arg, _ := json.Marshal(in)
	return decode[domain.InspectionResult](t, w.ok(submitRes(w.insp.contract("quality"), "RecordInspection", string(arg), hash)))
}

// storeSecret records unit1's inspection with the secret's hash and stores
// the secret on the maker's peer only.
func (w *world) storeSecret(t *testing.T) {
	t.Helper()
	sum := sha256.Sum256(w.secret)
	w.inspect(t, w.unit1, true, hex.EncodeToString(sum[:]))
	_, _, err := submit(w.insp.contract("quality"), "StoreDetail",
		client.WithArguments(w.unit1, string(domain.CategoryInspectionDetail)),
		client.WithTransient(map[string][]byte{"detail": w.secret}),
		client.WithEndorsingOrganizations("MakerMSP"))
	if err != nil {
		t.Fatalf("StoreDetail: %v", err)
	}
}

func TestPrivateDetailOnlyOnOwnersPeer(t *testing.T) {
	w := newWorld(t)
	w.storeSecret(t)
	rec := decode[domain.AccessRecord](t, w.ok(submitRes(w.reg.contract("sharing"), "RecordAccess",
		w.unit1, string(domain.CategoryInspectionDetail), "", "")))
	for _, o := range w.p.Orgs {
		res, err := evaluate(w.reg.contract("sharing"), "ReadShared", client.WithArguments(rec.ID), client.WithEndorsingOrganizations(o.MSPID))
		if o.MSPID == "MakerMSP" {
			if err != nil {
				t.Fatalf("owner's peer: %v", err)
			}
			if got := decode[domain.SharedDetail](t, res); !bytes.Equal(got.Data, w.secret) {
				t.Fatalf("owner's peer returned %q", got.Data)
			}
			continue
		}
		wantCode(t, err, domain.CodeNotFound)
	}
	w.assertSecretInNoBlock(t)
}

func TestReleaseGateAndRecallThroughGateway(t *testing.T) {
	w := newWorld(t)
	w.inspect(t, w.unit1, true, "")
	if r := w.inspect(t, w.unit2, false, ""); r.Passed || !slices.Equal(r.Failed, []string{"HIPOT"}) {
		t.Fatalf("judgement %+v", r)
	}
	_, err := submitRes(w.qa.contract("quality"), "Release", w.lot)
	wantCode(t, err, domain.CodeReleaseBlocked)
	_, err = submitRes(w.insp.contract("quality"), "Release", w.unit1)
	wantCode(t, err, domain.CodeForbidden)
	w.inspect(t, w.unit2, true, "")
	rel := decode[domain.Release](t, w.ok(submitRes(w.qa.contract("quality"), "Release", w.lot)))
	if rel.By != "MakerMSP" {
		t.Fatalf("release %+v", rel)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, blk, err := submit(w.reg.contract("quality"), "Recall", client.WithArguments(w.lot, "integration test recall"))
	if err != nil {
		t.Fatalf("regulator recall: %v", err)
	}
	events, err := w.reg.net.ChaincodeEvents(ctx, "idchain", client.WithStartBlock(blk))
	if err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		var ce domain.ChaincodeEvent
		if json.Unmarshal(ev.Payload, &ce) == nil && ce.Type == "item.recalled" && slices.Contains(ce.IDs, w.lot) {
			if !slices.Contains(ce.IDs, w.unit1) || !slices.Contains(ce.IDs, w.unit2) {
				t.Fatalf("recall event misses units: %v", ce.IDs)
			}
			break
		}
	}
	_, err = submitRes(w.qa.contract("quality"), "Recall", w.lot, "again")
	wantCode(t, err, domain.CodeConflict)
}

func TestConsentedReadAuditAndRevoke(t *testing.T) {
	w := newWorld(t)
	w.storeSecret(t)
	sharing := func(u *user) contract { return u.contract("sharing") }
	_, err := submitRes(sharing(w.partnerOp), "RecordAccess", w.unit1, string(domain.CategoryInspectionDetail), "", "")
	wantCode(t, err, domain.CodeForbidden)

	in, _ := json.Marshal(domain.ConsentInput{Grantee: "PartnerMSP", Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{w.prefix}, Purpose: "supplier audit", ValidUntil: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	cs := decode[domain.Consent](t, w.ok(submitRes(sharing(w.qa), "GrantConsent", string(in))))
	onward, _ := json.Marshal(domain.ConsentInput{Grantee: "RegulatorMSP", Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{w.unit1}, Purpose: "resale", ValidUntil: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	_, err = submitRes(sharing(w.partnerQA), "GrantConsent", string(onward))
	wantCode(t, err, domain.CodeForbidden)

	rec := decode[domain.AccessRecord](t, w.ok(submitRes(sharing(w.partnerOp), "RecordAccess", w.unit1, string(domain.CategoryInspectionDetail), cs.ID, "")))
	got := decode[domain.SharedDetail](t, w.ok(evaluate(sharing(w.partnerOp), "ReadShared",
		client.WithArguments(rec.ID), client.WithEndorsingOrganizations("MakerMSP"))))
	if !bytes.Equal(got.Data, w.secret) {
		t.Fatalf("shared bytes %q", got.Data)
	}
	audit := decode[domain.Page[domain.AccessRecord]](t, w.ok(evaluate(sharing(w.qa), "ListAccess", client.WithArguments(w.unit1, "", "", "", "", ""))))
	if !slices.ContainsFunc(audit.Records, func(r domain.AccessRecord) bool { return r.ID == rec.ID && r.Accessor == "PartnerMSP" }) {
		t.Fatalf("audit %+v misses the read", audit)
	}
	w.ok(submitRes(sharing(w.qa), "RevokeConsent", cs.ID))
	_, err = evaluate(sharing(w.partnerOp), "ReadShared", client.WithArguments(rec.ID), client.WithEndorsingOrganizations("MakerMSP"))
	wantCode(t, err, domain.CodeForbidden)
	_, err = submitRes(sharing(w.partnerOp), "RecordAccess", w.unit1, string(domain.CategoryInspectionDetail), cs.ID, "")
	wantCode(t, err, domain.CodeForbidden)
	w.assertSecretInNoBlock(t)
}

// assertSecretInNoBlock scans every block from the run's first one to the
// current height for the private bytes.
func (w *world) assertSecretInNoBlock(t *testing.T) {
	t.Helper()
	_, last, err := submit(w.op.contract("system"), "Touch", client.WithArguments("quality-it-scan", "x"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	blocks, err := w.op.net.BlockEvents(ctx, client.WithStartBlock(w.firstBlock))
	if err != nil {
		t.Fatal(err)
	}
	for b := range blocks {
		raw, err := proto.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, w.secret) || bytes.Contains(raw, []byte("PRIVATE-")) && bytes.Contains(raw, w.secret[len(w.secret)-12:]) {
			t.Fatalf("block %d holds the private detail", b.GetHeader().GetNumber())
		}
		if b.GetHeader().GetNumber() >= last {
			return
		}
	}
	t.Fatal("block stream ended early")
}
