package chaincode

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const (
	gtin13 = "6901234567892"  // GTIN-13 as printed
	gtin14 = "06901234567892" // the same, as stored
)

// gs1Lot is a generic lot carrying the test GTIN and lot L1.
func gs1Lot(id, lot string) domain.ItemInput {
	return domain.ItemInput{ID: makerPfx + "/" + id, Kind: domain.KindLot, Industry: domain.IndustryGeneric, GTIN: gtin13, Lot: lot}
}

// gs1Unit is a serialized unit of lot L1 with the test GTIN.
func gs1Unit(id, serial string) domain.ItemInput {
	return domain.ItemInput{ID: makerPfx + "/" + id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric,
		GTIN: gtin13, Lot: "L1", Serial: serial}
}

func gs1State(tb testing.TB, l *fakestub.Ledger, obj string, attrs ...string) string {
	tb.Helper()
	k, err := key(obj, attrs...)
	if err != nil {
		tb.Fatal(err)
	}
	return string(l.State(k))
}

func findByGTIN(tb testing.TB, l *fakestub.Ledger, gtin, lot, serial string) (*domain.GS1Match, error) {
	tb.Helper()
	var m *domain.GS1Match
	_, err := tx(tb, l, who(tb, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
		m, err = NewRegistryContract().findByGTIN(ctx, gtin, lot, serial)
		return err
	})
	return m, err
}

func TestRegisterItemsWritesOneGS1IndexKeyPerGS1Item(t *testing.T) {
	l := newWorld(t)
	caseWithGTIN := domain.ItemInput{ID: makerPfx + "/CASE", Kind: domain.KindCase, Industry: domain.IndustryGeneric, GTIN: gtin13}
	unitOfLot := domain.ItemInput{ID: makerPfx + "/U-LOT", Kind: domain.KindUnit, Industry: domain.IndustryGeneric, GTIN: gtin13, Lot: "L1"}
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator),
		gs1Lot("LOT1", "L1"), gs1Unit("U1", "0001"), caseWithGTIN, unitOfLot, generic(makerPfx+"/PLAIN", domain.KindCase, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := gs1State(t, l, objGS1, gtin14, "0001"); got != makerPfx+"/U1" {
		t.Errorf("gs1 key of the unit holds %q", got)
	}
	if got := gs1State(t, l, objGS1Lot, gtin14, "L1"); got != makerPfx+"/LOT1" {
		t.Errorf("gs1lot key of the lot holds %q", got)
	}
	if keys := l.Keys("\x00" + objGS1); len(keys) != 2 {
		t.Errorf("GS1 index keys %q, want the unit's and the lot's only", keys)
	}
	// 5 items: 5 item keys, 2 GS1 keys, the manifest; no extra write for
	// the case, the unserialized unit and the plain item.
	if c := s.Calls; c["PutState"] != 8 || c["GetState"] != 5+2+1+2+5+2 || c["GetMultipleStates"] != 1 {
		t.Errorf("calls %v", c)
	}
}

func TestFindByGTIN(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Unit("U1", "0001"), gs1Unit("U2", "0002"), gs1Lot("LOT1", "L1"))
	onlyUnits := newWorld(t)
	mustRegister(t, onlyUnits, gs1Unit("U9", "0009"))
	tests := []struct {
		name              string
		l                 *fakestub.Ledger
		gtin, lot, serial string
		want              *domain.GS1Match
		code              domain.Code
	}{
		{"a serial names its item", l, gtin14, "", "0002", &domain.GS1Match{ID: makerPfx + "/U2", Level: "item"}, ""},
		{"a GTIN-13 is normalised", l, gtin13, "", "0001", &domain.GS1Match{ID: makerPfx + "/U1", Level: "item"}, ""},
		{"a serial with its own lot names the item", l, gtin14, "L1", "0001", &domain.GS1Match{ID: makerPfx + "/U1", Level: "item"}, ""},
		{"a serial with another lot is not found", l, gtin14, "L2", "0001", nil, domain.CodeNotFound},
		{"an unknown serial is not found", l, gtin14, "", "9999", nil, domain.CodeNotFound},
		{"a lot names the lot item", l, gtin14, "L1", "", &domain.GS1Match{ID: makerPfx + "/LOT1", Level: "lot"}, ""},
		{"an unknown lot is not found", l, gtin14, "L9", "", nil, domain.CodeNotFound},
		{"a GTIN alone gives a lot item as the product", l, gtin14, "", "", &domain.GS1Match{ID: makerPfx + "/LOT1", Level: "product"}, ""},
		{"a GTIN alone gives a unit when there is no lot item", onlyUnits, gtin14, "", "", &domain.GS1Match{ID: makerPfx + "/U9", Level: "product"}, ""},
		{"an unknown GTIN is not found", l, "4006381333931", "", "", nil, domain.CodeNotFound},
		{"a bad check digit is an invalid identifier", l, "06901234567893", "", "0001", nil, domain.CodeInvalidIdentifier},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findByGTIN(t, tc.l, tc.gtin, tc.lot, tc.serial)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestRegisterItemsRefusesATakenGS1Key(t *testing.T) {
	t.Run("a serial registered in an earlier batch", func(t *testing.T) {
		l := newWorld(t)
		mustRegister(t, l, gs1Unit("U1", "0001"))
		res, _, err := register(t, l, who(t, makerMSP, domain.RoleOperator), gs1Unit("U1B", "0001"), gs1Unit("U2", "0002"))
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(res); !reflect.DeepEqual(got, []string{"rejected:CONFLICT", "created"}) {
			t.Fatalf("results %v", got)
		}
		if _, err := readItem(t, l, makerPfx+"/U1B"); err == nil {
			t.Error("the conflicting item was written")
		}
		if got := gs1State(t, l, objGS1, gtin14, "0001"); got != makerPfx+"/U1" {
			t.Errorf("index now names %q", got)
		}
	})
	t.Run("a serial twice in one batch: the first item wins", func(t *testing.T) {
		l := newWorld(t)
		res, _, err := register(t, l, who(t, makerMSP, domain.RoleOperator),
			gs1Unit("U1", "0001"), gs1Unit("U1B", "0001"), gs1Unit("U1", "0001"))
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(res); !reflect.DeepEqual(got, []string{"created", "rejected:CONFLICT", "unchanged"}) {
			t.Fatalf("results %v", got)
		}
	})
	t.Run("a rejected item does not take the key", func(t *testing.T) {
		l := newWorld(t)
		orphan := gs1Unit("U0", "0001")
		orphan.Parent = makerPfx + "/NOPE"
		res, _, err := register(t, l, who(t, makerMSP, domain.RoleOperator), orphan, gs1Unit("U1", "0001"))
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(res); !reflect.DeepEqual(got, []string{"rejected:NOT_FOUND", "created"}) {
			t.Fatalf("results %v", got)
		}
	})
	t.Run("another org's serial of the same GTIN", func(t *testing.T) {
		l := newWorld(t)
		mustRegister(t, l, gs1Unit("U1", "0001"))
		theirs := gs1Unit("X", "0001")
		theirs.ID = partnerPfx + "/X"
		res, _, err := register(t, l, who(t, partnerMSP, domain.RoleOperator), theirs)
		if err != nil {
			t.Fatal(err)
		}
		// the GTIN lies under the maker's GCP: the partner may not use it
		if got := statuses(res); !reflect.DeepEqual(got, []string{"rejected:FORBIDDEN"}) {
			t.Fatalf("results %v", got)
		}
	})
	t.Run("a lot registered twice under two ids", func(t *testing.T) {
		l := newWorld(t)
		res, _, err := register(t, l, who(t, makerMSP, domain.RoleOperator), gs1Lot("LOT1", "L1"), gs1Lot("LOT1B", "L1"))
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(res); !reflect.DeepEqual(got, []string{"created", "rejected:CONFLICT"}) {
			t.Fatalf("results %v", got)
		}
	})
}

func TestIdenticalReRegistrationWritesNothing(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Lot("LOT1", "L1"), gs1Unit("U1", "0001"))
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), gs1Lot("LOT1", "L1"), gs1Unit("U1", "0001"))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); !reflect.DeepEqual(got, []string{"unchanged", "unchanged"}) {
		t.Fatalf("results %v", got)
	}
	if w := s.Writes(); len(w) != 0 {
		t.Fatalf("re-registration wrote %+v", w)
	}
}

// An item registered before the index existed gets its key when it is
// registered again unchanged.
func TestReRegistrationIndexesAnItemRegisteredBeforeTheIndex(t *testing.T) {
	l := newWorld(t)
	in, err := gs1Unit("U1", "0001").Normalize()
	if err != nil {
		t.Fatal(err)
	}
	putItem(t, l, domain.Item{ID: in.ID, Kind: in.Kind, Industry: in.Industry, GTIN: in.GTIN, Lot: in.Lot, Serial: in.Serial,
		RegHash: in.Fingerprint(), CreatedAt: "2025-01-01T00:00:00Z", TxID: "old"})
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), gs1Unit("U1", "0001"))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); !reflect.DeepEqual(got, []string{"unchanged"}) {
		t.Fatalf("results %v", got)
	}
	// the index key and its policy (the owner's)
	if w := s.Writes(); len(w) != 2 || w[0].Op != "put" || w[1].Op != "meta" || w[1].Key != w[0].Key || gs1State(t, l, objGS1, gtin14, "0001") != in.ID {
		t.Fatalf("writes %+v", w)
	}
	if it := getItem(t, l, in.ID); it.TxID != "old" {
		t.Fatalf("item rewritten: %+v", it)
	}
}

// Units with a GTIN cost one more read (in the same GetMultipleStates), one
// more write and its state-based policy each.
func TestRegisterGS1ItemsStateCallsPerItem(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(makerPfx+"/CASE", domain.KindCase, ""))
	const n = 1000
	items := make([]domain.ItemInput, n)
	for i := range items {
		items[i] = unit(i, makerPfx+"/CASE")
		items[i].GTIN = gtin13
	}
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), items...)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Calls
	if c["GetState"] != 2*n+4+5+2+2 || c["PutState"] != 3*n+1 || c["SetStateValidationParameter"] != 2*n+1 || c["PutPrivateData"] != 1 || c["GetMultipleStates"] != 1 {
		t.Fatalf("calls %v", c)
	}
}

// Two executions of a batch with GS1 keys, one of them taken twice, write
// the same, and FindByGTIN answers through the contract API.
func TestRegisterGS1ItemsIsDeterministic(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Unit("U0", "0000"))
	var items []domain.ItemInput
	for i := range 20 {
		items = append(items, gs1Unit(fmt.Sprintf("U%d", 20-i), fmt.Sprintf("%04d", i%7)))
	}
	items = append(items, gs1Lot("LOT2", "L2"), gs1Lot("LOT3", "L2"))
	arg, _ := json.Marshal(items)
	cc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	run := func() (*fakestub.Ledger, []fakestub.Write, []byte) {
		c := l.Clone()
		s := c.NewTxAt(who(t, makerMSP, domain.RoleOperator), "txdet", at)
		resp := cc.Invoke(s.SetArgs("registry:RegisterItems", string(arg)))
		if resp.Status != 200 {
			t.Fatalf("invoke: %d %s", resp.Status, resp.Message)
		}
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		return c, s.Writes(), resp.Payload
	}
	c1, w1, p1 := run()
	_, w2, p2 := run()
	if !reflect.DeepEqual(w1, w2) || string(p1) != string(p2) {
		t.Fatal("two executions of the same proposal differ")
	}
	var res domain.BatchResult
	if err := json.Unmarshal(p1, &res); err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, r := range res.Results {
		if r.Status == domain.ResultCreated {
			created++
		}
	}
	if created != 6+1 { // serials 0001-0006 (0000 is taken) and lot L2
		t.Fatalf("%d created: %s", created, p1)
	}
	resp := cc.Invoke(c1.NewTx(who(t, partnerMSP, "")).SetArgs("registry:FindByGTIN", gtin13, "L2", ""))
	if resp.Status != 200 || string(resp.Payload) != `{"id":"`+makerPfx+`/LOT2","level":"lot"}` {
		t.Fatalf("FindByGTIN: %d %s %s", resp.Status, resp.Message, resp.Payload)
	}
}
