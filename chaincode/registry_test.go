package chaincode

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const (
	makerPfx   = "88.100.1"
	partnerPfx = "88.200.2"
)

// newWorld returns a ledger with the maker's and partner's prefixes assigned.
func newWorld(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := fakestub.NewLedger()
	for p, org := range map[string]string{makerPfx: makerMSP, partnerPfx: partnerMSP} {
		mustTx(tb, l, who(tb, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewRegistryContract().assignPrefix(ctx, p, org)
			return err
		})
	}
	// the maker holds the GS1 company prefix of the test GTINs (6901234…)
	mustTx(tb, l, who(tb, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().assignGCP(ctx, "6901234", makerMSP)
		return err
	})
	return l
}

// register submits items as id and returns the result and the stub.
func register(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, items ...domain.ItemInput) (*domain.BatchResult, *fakestub.Stub, error) {
	tb.Helper()
	b, err := json.Marshal(items)
	if err != nil {
		tb.Fatal(err)
	}
	var res *domain.BatchResult
	s, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		res, err = NewRegistryContract().registerItems(ctx, string(b))
		return err
	})
	return res, s, err
}

func mustRegister(tb testing.TB, l *fakestub.Ledger, items ...domain.ItemInput) *domain.BatchResult {
	tb.Helper()
	res, _, err := register(tb, l, who(tb, makerMSP, domain.RoleOperator), items...)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res.Results {
		if r.Status == domain.ResultRejected {
			tb.Fatalf("%s rejected: %v", r.ID, r.Error)
		}
	}
	return res
}

func unit(n int, parent string) domain.ItemInput {
	return domain.ItemInput{ID: fmt.Sprintf("%s/U%05d", makerPfx, n), Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
		Model: "GS-1", Serial: fmt.Sprintf("S%05d", n), Parent: parent}
}

func generic(id string, kind domain.Kind, parent string) domain.ItemInput {
	return domain.ItemInput{ID: id, Kind: kind, Industry: domain.IndustryGeneric, Parent: parent}
}

func readItem(tb testing.TB, l *fakestub.Ledger, id string) (*domain.Item, error) {
	tb.Helper()
	var it *domain.Item
	_, err := tx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		it, err = NewRegistryContract().getItem(ctx, id)
		return err
	})
	return it, err
}

func TestAssignPrefix(t *testing.T) {
	tests := []struct {
		name   string
		id     *fakestub.Identity
		prefix string
		owner  string
		code   domain.Code
	}{
		{"the authority admin assigns a new prefix", who(t, platformMSP, domain.RoleAdmin), "88.300.3", "ThirdMSP", ""},
		{"assigning again to the same owner is accepted", who(t, platformMSP, domain.RoleAdmin), makerPfx, makerMSP, ""},
		{"upper case is normalised", who(t, platformMSP, domain.RoleAdmin), "88.100.1", makerMSP, ""},
		{"another owner for an assigned prefix conflicts", who(t, platformMSP, domain.RoleAdmin), makerPfx, partnerMSP, domain.CodeConflict},
		{"an authority operator is refused", who(t, platformMSP, domain.RoleOperator), "88.300.3", "ThirdMSP", domain.CodeForbidden},
		{"a member admin is refused", who(t, makerMSP, domain.RoleAdmin), "88.300.3", makerMSP, domain.CodeForbidden},
		{"a malformed prefix is invalid", who(t, platformMSP, domain.RoleAdmin), "88..3", "ThirdMSP", domain.CodeInvalidIdentifier},
		{"an empty owner is invalid", who(t, platformMSP, domain.RoleAdmin), "88.300.3", "", domain.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newWorld(t)
			s, err := tx(t, l, tc.id, func(ctx contractapi.TransactionContextInterface) error {
				_, err := NewRegistryContract().assignPrefix(ctx, tc.prefix, tc.owner)
				return err
			})
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			onlyEvent(t, s)
			pk, _ := PrefixKey(tc.prefix)
			if orgs, _ := describePolicy(l.ValidationParameter(pk)); orgs != owned(platformMSP) {
				t.Fatalf("prefix SBE %v", orgs)
			}
		})
	}
}

func TestListAndGetPrefixes(t *testing.T) {
	l := newWorld(t)
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().assignPrefix(ctx, "88.100.9", makerMSP)
		return err
	})
	var got []domain.Prefix
	mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		got, err = NewRegistryContract().listPrefixes(ctx, makerMSP)
		return err
	})
	if len(got) != 2 || got[0].Prefix != makerPfx || got[1].Prefix != "88.100.9" || got[0].Owner != makerMSP {
		t.Fatalf("prefixes %+v", got)
	}
	_, err := tx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().getPrefix(ctx, "88.999")
		return err
	})
	wantCode(t, err, domain.CodeNotFound)
}
