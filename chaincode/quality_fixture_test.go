package chaincode

import (
	"encoding/json"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Fixtures of the quality and sharing tests: items and relations written
// straight into the committed state, as the registry and trace contracts
// would have written them.

func putItem(tb testing.TB, l *fakestub.Ledger, it domain.Item) {
	tb.Helper()
	if it.Owner == "" {
		it.Owner = makerMSP
	}
	if it.Status == "" {
		it.Status = domain.StatusRegistered
	}
	id := identifier.MustParse(it.ID)
	k, err := ItemKey(id)
	if err != nil {
		tb.Fatal(err)
	}
	// an item counts only under a prefix its owner holds: assign it, as
	// the authority would have, unless the test did
	if pk, _ := PrefixKey(id.Prefix); l.State(pk) == nil {
		pb, _ := json.Marshal(domain.Prefix{Prefix: id.Prefix, Owner: it.Owner})
		putAnchored(l, DefaultAuthority, pk, pb)
	}
	b, _ := json.Marshal(it)
	putAnchored(l, it.Owner, k, b)
}

func getItem(tb testing.TB, l *fakestub.Ledger, id string) domain.Item {
	tb.Helper()
	k, _ := ItemKey(identifier.MustParse(id))
	var it domain.Item
	if err := json.Unmarshal(l.State(k), &it); err != nil {
		tb.Fatalf("item %s: %v", id, err)
	}
	return it
}

// link writes a forward relation: aggregation (rel) or transformation (relin).
func link(tb testing.TB, l *fakestub.Ledger, obj, from, to string) {
	tb.Helper()
	k, err := key(obj, from, to)
	if err != nil {
		tb.Fatal(err)
	}
	l.PutState(k, marker)
}

func putPlan(tb testing.TB, l *fakestub.Ledger, p domain.Plan) *domain.Plan {
	tb.Helper()
	b, _ := json.Marshal(p)
	var out *domain.Plan
	mustTx(tb, l, who(tb, makerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().putPlan(ctx, string(b))
		return err
	})
	return out
}

func inspect(tb testing.TB, l *fakestub.Ledger, id string, hash string, results ...domain.TestResult) (*domain.InspectionResult, error) {
	tb.Helper()
	in, _ := json.Marshal(domain.InspectionInput{ID: id, Results: results, Equipment: "EQ-7"})
	var out *domain.InspectionResult
	_, err := tx(tb, l, who(tb, makerMSP, domain.RoleInspector), func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().recordInspection(ctx, string(in), hash)
		return err
	})
	return out, err
}

func release(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, id string) (*domain.Release, *fakestub.Stub, error) {
	tb.Helper()
	var out *domain.Release
	s, err := tx(tb, l, by, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().release(ctx, id)
		return err
	})
	return out, s, err
}

func recall(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, id string) (*fakestub.Stub, error) {
	tb.Helper()
	return tx(tb, l, by, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewQualityContract().recall(ctx, id, "contaminated raw material")
		return err
	})
}

func v(code string, x float64) domain.TestResult { return domain.TestResult{Code: code, Value: &x} }

func b(code string, ok bool) domain.TestResult { return domain.TestResult{Code: code, Pass: &ok} }

// stovePass and stoveFail are results for the example gas stove plan.
func stovePass() []domain.TestResult {
	return []domain.TestResult{v("EARTH_OHM", 0.1), b("HIPOT", true), v("LEAK_MA", 0.75), b("GAS_TIGHT", true)}
}

func stoveFail() []domain.TestResult {
	return []domain.TestResult{v("EARTH_OHM", 0.11), b("HIPOT", true), v("LEAK_MA", 0.2)}
}

const (
	stoveModel = "JZT-2B"
	stove1     = "88.118.8/KB-0001"
	stove2     = "88.118.8/KB-0002"
	stoveLot   = "88.118.8/LOT-20261127"
)

// stoveLedger has the example stove plan, a lot and two units in it.
func stoveLedger(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := fakestub.NewLedger()
	putPlan(tb, l, domain.ExampleGasStovePlan(stoveModel))
	putItem(tb, l, domain.Item{ID: stoveLot, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: stoveModel})
	for _, id := range []string{stove1, stove2} {
		putItem(tb, l, domain.Item{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: stoveModel, Parent: stoveLot})
		link(tb, l, objRel, stoveLot, id)
	}
	return l
}

// putAnchored writes a committed record with its content anchor in org's
// anchor collection, as the contracts would have.
func putAnchored(l *fakestub.Ledger, org, k string, b []byte) {
	l.PutState(k, b)
	l.PutPrivateData(AnchorCollection(org), k, digest(b))
}
