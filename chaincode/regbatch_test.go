package chaincode

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// A registration writes one manifest of the created ids (append-only) and
// one anchor of it in the owner's collection, no per-item anchor; its
// items read as registered.
func TestRegistrationWritesOneAnchorPerTransaction(t *testing.T) {
	l := newWorld(t)
	items := []domain.ItemInput{generic(makerPfx+"/B", domain.KindCase, ""), generic(makerPfx+"/A", domain.KindCase, "")}
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), items...)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := RegBatchKey(s.GetTxID())
	m := l.State(k)
	want := manifestFormat + "\n" + makerMSP + "\n" + s.GetTxID() + "\n" + makerPfx + "/A\n" + makerPfx + "/B"
	if string(m) != want {
		t.Fatalf("manifest %q, want %q", m, want)
	}
	if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != allOrgs {
		t.Fatalf("manifest policy %s, want %s", orgs, allOrgs)
	}
	if a := l.PrivateData(AnchorCollection(makerMSP), k); string(a) != string(digest(m)) {
		t.Fatalf("anchor %q, want the manifest's digest", a)
	}
	for _, in := range items {
		ik, _ := ItemKey(identifier.MustParse(in.ID))
		if l.PrivateData(AnchorCollection(makerMSP), ik) != nil {
			t.Fatalf("per-item anchor of %s written", in.ID)
		}
	}
	if s.Calls["PutPrivateData"] != 1 {
		t.Fatalf("%d private writes, want 1", s.Calls["PutPrivateData"])
	}
	for _, r := range res.Results {
		if it, err := readItem(t, l, r.ID); err != nil || it.ID != r.ID {
			t.Fatalf("read %s: %+v %v", r.ID, it, err)
		}
	}
	// A re-registration creating nothing writes no manifest.
	_, s2, err := register(t, l, who(t, makerMSP, domain.RoleOperator), items...)
	if err != nil {
		t.Fatal(err)
	}
	if k2, _ := RegBatchKey(s2.GetTxID()); l.State(k2) != nil || s2.Calls["PutPrivateData"] != 0 {
		t.Fatalf("unchanged batch wrote a manifest")
	}
}

// A coalition without the owner creates a record under a new key naming the
// owner and an anchored registration transaction of the owner's: the key is
// not in that manifest, so every read ignores it (the record's own id field
// does not count, the key does).
func TestItemNotInAnchoredManifestIsNotRegistered(t *testing.T) {
	l := newWorld(t)
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), generic(makerPfx+"/REAL", domain.KindCase, ""), generic(makerPfx+"/REAL2", domain.KindCase, ""))
	if err != nil {
		t.Fatal(err)
	}
	real := getItem(t, l, makerPfx+"/REAL")
	for _, claimed := range []string{makerPfx + "/FORGED", makerPfx + "/REAL"} {
		forged := real
		forged.ID = claimed
		b, _ := json.Marshal(forged)
		k, _ := ItemKey(identifier.MustParse(makerPfx + "/FORGED"))
		l.PutState(k, b)
		if forged.TxID != s.GetTxID() {
			t.Fatal("fixture")
		}
		if _, err := readItem(t, l, makerPfx+"/FORGED"); domain.CodeOf(err) != domain.CodeNotFound {
			t.Fatalf("forged record claiming id %s: err %v, want NOT_FOUND", claimed, err)
		}
	}
	// The owner's registration of that id overwrites the unanchored copy.
	res := mustRegister(t, l, generic(makerPfx+"/FORGED", domain.KindCase, ""))
	if res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("owner's registration: %+v", res.Results[0])
	}
	if _, err := readItem(t, l, makerPfx+"/FORGED"); err != nil {
		t.Fatal(err)
	}
}

// A manifest without the owner's anchor (written by a coalition running the
// honest code without the owner's collection), or one that does not match
// its anchor, registers nothing.
func TestUnanchoredOrAlteredManifestRegistersNothing(t *testing.T) {
	l := newWorld(t)
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), generic(makerPfx+"/M0", domain.KindCase, ""), generic(makerPfx+"/M1", domain.KindCase, ""))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := RegBatchKey(s.GetTxID())

	altered := l.Clone()
	altered.PutState(k, []byte(strings.Replace(string(l.State(k)), makerPfx+"/M1", makerPfx+"/M2", 1)))
	ik, _ := ItemKey(identifier.MustParse(makerPfx + "/M2"))
	b, _ := json.Marshal(domain.Item{ID: makerPfx + "/M2", Kind: domain.KindCase, Industry: domain.IndustryGeneric, Owner: makerMSP, TxID: s.GetTxID()})
	altered.PutState(ik, b)
	if _, err := readItem(t, altered, makerPfx+"/M2"); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("item of an altered manifest: %v, want NOT_FOUND", err)
	}

	unanchored := l.Clone()
	unanchored.PutPrivateData(AnchorCollection(makerMSP), k, nil)
	if _, err := readItem(t, unanchored, makerPfx+"/M1"); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("item of an unanchored manifest: %v, want NOT_FOUND", err)
	}
	// Another org's anchor of the same manifest does not count for the maker.
	unanchored.PutPrivateData(AnchorCollection(partnerMSP), k, digest(l.State(k)))
	if _, err := readItem(t, unanchored, makerPfx+"/M1"); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("item anchored by another org: %v, want NOT_FOUND", err)
	}
}

// Items registered before batch anchors, and an item registered alone,
// have a per-item existence anchor and read as registered.
func TestItemWithPerItemAnchorStillRegistered(t *testing.T) {
	l := newWorld(t)
	putItem(t, l, domain.Item{ID: makerPfx + "/OLD", Kind: domain.KindCase, Industry: domain.IndustryGeneric})
	if _, err := readItem(t, l, makerPfx+"/OLD"); err != nil {
		t.Fatal(err)
	}
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), generic(makerPfx+"/ALONE", domain.KindCase, ""))
	if err != nil {
		t.Fatal(err)
	}
	ik, _ := ItemKey(identifier.MustParse(makerPfx + "/ALONE"))
	if mk, _ := RegBatchKey(s.GetTxID()); l.State(mk) != nil || l.PrivateData(AnchorCollection(makerMSP), ik) == nil {
		t.Fatal("an item registered alone: want its own anchor and no manifest")
	}
	if _, err := readItem(t, l, makerPfx+"/ALONE"); err != nil {
		t.Fatal(err)
	}
}

func TestParseManifestChecksHeaderAndOrder(t *testing.T) {
	m, err := manifestBytes("O", "t1", []string{"p/b", "p/a", "p/a"})
	if err != nil || string(m) != manifestFormat+"\nO\nt1\np/a\np/b" {
		t.Fatalf("%q %v", m, err)
	}
	if p := parseManifest(m, "O", "t1"); p == nil || !p.has("p/a") || !p.has("p/b") || p.has("p/c") {
		t.Fatalf("parsed %+v", p)
	}
	for _, c := range []struct{ owner, tx string }{{"X", "t1"}, {"O", "t2"}} {
		if parseManifest(m, c.owner, c.tx) != nil {
			t.Fatalf("manifest accepted for %s/%s", c.owner, c.tx)
		}
	}
	if parseManifest([]byte(manifestFormat+"\nO\nt1\np/b\np/a"), "O", "t1") != nil {
		t.Fatal("unsorted manifest accepted")
	}
	if _, err := manifestBytes("O", "t1", []string{"p/a\np/z"}); err == nil {
		t.Fatal("id with a line break accepted")
	}
}

// Through contract-api (the memo is installed before every function), a
// page of items of one registration checks its anchor and reads its
// manifest once; called directly (no memo) once per item. Either way the
// reads are the same on every execution, so endorsers agree.
func TestListingOneRegistrationReadsItsManifestOnce(t *testing.T) {
	cc, err := New() // every contract with its before-function hook
	if err != nil {
		t.Fatal(err)
	}
	l := newWorld(t)
	const n = 50
	items := make([]domain.ItemInput, n)
	for i := range items {
		items[i] = unit(i, "")
	}
	mustRegister(t, l, items...)
	list := func() map[string]int {
		s := l.NewTx(who(t, makerMSP, domain.RoleOperator)).SetArgs("registry:ListItems", makerMSP, "", "", "100", "")
		if resp := cc.Invoke(s); resp.Status != 200 || strings.Count(string(resp.Payload), `"owner"`) != n {
			t.Fatalf("ListItems: %d %s %.200s", resp.Status, resp.Message, resp.Payload)
		}
		return s.Calls
	}
	first, second := list(), list()
	if !maps.Equal(first, second) {
		t.Fatalf("two executions read differently: %v / %v", first, second)
	}
	if first["GetPrivateDataHash"] > 3 || first["GetState"] > 5 {
		t.Fatalf("calls %v: want the anchor and the manifest read once for %d items", first, n)
	}
	var direct *fakestub.Stub
	direct, err = tx(t, l, who(t, makerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().listItems(ctx, makerMSP, "", "", "100", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if direct.Calls["GetPrivateDataHash"] < n {
		t.Fatalf("without the memo: calls %v, want one anchor check per item", direct.Calls)
	}
}

// A record under the maker's prefix naming a coalition member as owner,
// anchored by that member (its own collection, which the coalition can
// write), is not an item: the owner must hold the prefix. The maker's own
// registration of the id then creates it.
func TestItemUnderAnotherOrgsPrefixIsNotRegistered(t *testing.T) {
	l := newWorld(t)
	id := makerPfx + "/CLAIMED"
	k, _ := ItemKey(identifier.MustParse(id))
	b, _ := json.Marshal(domain.Item{ID: id, Kind: domain.KindCase, Industry: domain.IndustryGeneric, Owner: partnerMSP, Status: domain.StatusRegistered, TxID: "forged"})
	putAnchored(l, partnerMSP, k, b)
	if _, err := readItem(t, l, id); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("item under the maker's prefix owned by the partner: %v, want NOT_FOUND", err)
	}
	if res := mustRegister(t, l, generic(id, domain.KindCase, "")); res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("the maker's registration: %+v", res.Results[0])
	}
	if it, err := readItem(t, l, id); err != nil || it.Owner != makerMSP {
		t.Fatalf("after the maker's registration: %+v %v", it, err)
	}
}
