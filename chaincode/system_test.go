package chaincode

import (
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

func TestPingReportsCallerAndTxTime(t *testing.T) {
	l := fakestub.NewLedger()
	var got *PingResult
	mustTx(t, l, who(t, makerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		got, err = NewSystemContract().ping(ctx)
		return err
	})
	want := PingResult{MSP: makerMSP, Role: domain.RoleOperator, User: "operator@MakerMSP", TxTime: "2025-01-01T00:00:01Z"}
	if *got != want {
		t.Fatalf("got %+v, want %+v", *got, want)
	}
}

func TestTouchWritesOneKeyAndOneEvent(t *testing.T) {
	l := fakestub.NewLedger()
	s := mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSystemContract().touch(ctx, "k1", "v")
		return err
	})
	if n := len(s.Writes()); n != 1 {
		t.Fatalf("%d writes", n)
	}
	if ev := onlyEvent(t, s); ev.Type != EvSystemTouched || len(ev.IDs) != 1 || ev.IDs[0] != "k1" {
		t.Fatalf("event %+v", ev)
	}
}

func TestTouchRefusesCallerWithoutRole(t *testing.T) {
	l := fakestub.NewLedger()
	_, err := tx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSystemContract().touch(ctx, "k1", "v")
		return err
	})
	wantCode(t, err, domain.CodeForbidden)
}

func TestSetConfig(t *testing.T) {
	cfg := `{"authority":"PlatformMSP","regulators":["RegulatorMSP","MarketMSP"]}`
	tests := []struct {
		name string
		id   *fakestub.Identity
		arg  string
		code domain.Code
	}{
		{"the regulator sets it", who(t, regulatorMSP, domain.RoleRegulator), cfg, ""},
		{"the authority admin may not add a regulator (self-promotion)", who(t, platformMSP, domain.RoleAdmin),
			`{"authority":"PlatformMSP","regulators":["RegulatorMSP","PlatformMSP"]}`, domain.CodeForbidden},
		{"a regulator role in another org is refused", who(t, makerMSP, domain.RoleRegulator), cfg, domain.CodeForbidden},
		{"an authority operator is refused", who(t, platformMSP, domain.RoleOperator), cfg, domain.CodeForbidden},
		{"another org's admin is refused", who(t, makerMSP, domain.RoleAdmin), cfg, domain.CodeForbidden},
		{"an empty authority is invalid", who(t, platformMSP, domain.RoleAdmin), `{"authority":""}`, domain.CodeInvalid},
		{"bad JSON is invalid", who(t, platformMSP, domain.RoleAdmin), `{`, domain.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := fakestub.NewLedger()
			s, err := tx(t, l, tc.id, func(ctx contractapi.TransactionContextInterface) error {
				_, err := NewSystemContract().setConfig(ctx, tc.arg)
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
			var got *Config
			mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
				got, err = NewSystemContract().getConfig(ctx)
				return err
			})
			if !got.IsRegulator("MarketMSP") || got.Authority != platformMSP {
				t.Fatalf("config %+v", got)
			}
			k, _ := key(objConfig)
			if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != owned(regulatorMSP) {
				t.Fatalf("config SBE orgs %v", orgs)
			}
			// a config key without the regulator's anchor is ignored
			l.PutPrivateData(AnchorCollection(regulatorMSP), k, []byte("other"))
			mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
				got, err = NewSystemContract().getConfig(ctx)
				return err
			})
			if got.IsRegulator("MarketMSP") {
				t.Fatalf("unanchored config honoured: %+v", got)
			}
		})
	}
}

func TestInitConfig(t *testing.T) {
	l := fakestub.NewLedger()
	_, err := tx(t, l, who(t, makerMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSystemContract().initConfig(ctx)
		return err
	})
	wantCode(t, err, domain.CodeForbidden)
	for range 2 { // the second call is a no-op
		mustTx(t, l, who(t, regulatorMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewSystemContract().initConfig(ctx)
			return err
		})
	}
	k, _ := key(objConfig)
	if p, _ := describePolicy(l.ValidationParameter(k)); p != owned(regulatorMSP) {
		t.Fatalf("config policy %q", p)
	}
	if ok, _ := anchoredValue(l.NewTx(who(t, partnerMSP, "")), regulatorMSP, k, l.State(k)); !ok {
		t.Fatal("config not anchored by the regulator")
	}
	// a config key a majority created without the regulator blocks nothing
	// silently: InitConfig reports the conflict
	l2 := fakestub.NewLedger()
	l2.PutState(k, []byte(`{"authority":"PlatformMSP","regulators":["PlatformMSP"]}`))
	_, err = tx(t, l2, who(t, regulatorMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSystemContract().initConfig(ctx)
		return err
	})
	wantCode(t, err, domain.CodeConflict)
}
