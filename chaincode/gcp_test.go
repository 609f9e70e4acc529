package chaincode

import (
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

func TestAssignGCP(t *testing.T) {
	l := newWorld(t) // 6901234 → maker
	try := func(id string, gcp, owner string) error {
		_, err := tx(t, l, who(t, id, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewRegistryContract().assignGCP(ctx, gcp, owner)
			return err
		})
		return err
	}
	if err := try(platformMSP, "6901234", makerMSP); err != nil {
		t.Fatalf("same assignment again: %v", err)
	}
	wantCode(t, try(platformMSP, "6901234", partnerMSP), domain.CodeConflict)
	wantCode(t, try(platformMSP, "69012345", partnerMSP), domain.CodeConflict) // lies under the maker's
	wantCode(t, try(platformMSP, "123", partnerMSP), domain.CodeInvalid)
	wantCode(t, try(platformMSP, "1234567890123", partnerMSP), domain.CodeInvalid)
	wantCode(t, try(makerMSP, "7001234", makerMSP), domain.CodeForbidden) // not the authority
	if err := try(platformMSP, "7001234", partnerMSP); err != nil {
		t.Fatal(err)
	}
	var got []domain.GCP
	mustTx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
		got, err = NewRegistryContract().listGCPs(ctx, "")
		return err
	})
	if len(got) != 2 || got[0].GCP != "6901234" || got[0].Owner != makerMSP || got[1].Owner != partnerMSP {
		t.Fatalf("gcps %+v", got)
	}
	k, _ := key(objGCP, "7001234")
	if p, _ := describePolicy(l.ValidationParameter(k)); p != owned(platformMSP) {
		t.Fatalf("gcp policy %q", p)
	}
}

// A squatter's item carrying the maker's GTIN (written past the honest
// code, anchored by the squatter itself) is not what FindByGTIN answers.
func TestFindByGTINIgnoresASquatter(t *testing.T) {
	l := newWorld(t)
	id := partnerPfx + "/SQUAT"
	putItem(t, l, domain.Item{ID: id, Owner: partnerMSP, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, GTIN: gtin14, Serial: "0009"})
	gk, _ := key(objGS1, gtin14, "0009")
	l.PutState(gk, []byte(id))
	_, err := tx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().findByGTIN(ctx, gtin13, "", "0009")
		return err
	})
	wantCode(t, err, domain.CodeNotFound)
	// the maker's genuine item under its GCP resolves
	mustRegister(t, l, gs1Unit("U9", "0010"))
	var m *domain.GS1Match
	mustTx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
		m, err = NewRegistryContract().findByGTIN(ctx, gtin13, "", "0010")
		return err
	})
	if m.ID != makerPfx+"/U9" {
		t.Fatalf("match %+v", m)
	}
}

// Keys a coalition wrote without the maker (an item copy, a GS1 index key
// pointing elsewhere) neither count nor block the maker's registration.
func TestRegistrationOverwritesUnanchoredKeys(t *testing.T) {
	l := newWorld(t)
	in := gs1Unit("U7", "0077")
	k, _ := ItemKey(identifier.MustParse(in.ID))
	l.PutState(k, []byte(`{"id":"`+in.ID+`","owner":"MakerMSP","kind":"unit","status":"released"}`))
	gk, _ := key(objGS1, gtin14, "0077")
	l.PutState(gk, []byte(partnerPfx+"/ELSEWHERE"))
	res, _, err := register(t, l, who(t, makerMSP, domain.RoleOperator), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); len(got) != 1 || got[0] != "created" {
		t.Fatalf("results %v", got)
	}
	if it := getItem(t, l, in.ID); it.Status != domain.StatusRegistered || it.TxID == "" {
		t.Fatalf("item %+v", it)
	}
	if got := string(l.State(gk)); got != in.ID {
		t.Fatalf("gs1 index holds %q", got)
	}
}
