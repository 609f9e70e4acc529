package chaincode

import (
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// GS1 company prefixes (GCP). The authority assigns them to orgs as it
// assigns 标识 prefixes; an item's GTIN must lie under a GCP its owner holds
// (RegisterItems: FORBIDDEN otherwise), and FindByGTIN ignores an item whose
// GTIN does not, so nobody can squat another maker's GTIN.
// Keys: gcp, gcpown (keys.go).

// assignGCP assigns a GS1 company prefix to ownerMSP; authority admin only.
// The same assignment again is unchanged; a GCP that is taken, or that
// contains or is contained in one already assigned to another org, is
// CONFLICT.
func (c *RegistryContract) assignGCP(ctx contractapi.TransactionContextInterface, gcp, ownerMSP string) (*domain.GCP, error) {
	return assignGCPTo(ctx, gcp, ownerMSP, "")
}

// assignGCPTo assigns a GCP to ownerMSP itself (enterprise "") or to one of
// the enterprises it hosts; an assignment to another holder — another org,
// or another enterprise of the same org, or the org itself — is CONFLICT.
func assignGCPTo(ctx contractapi.TransactionContextInterface, gcp, ownerMSP, enterprise string) (*domain.GCP, error) {
	who, cfg, err := requireAuthority(ctx)
	if err != nil {
		return nil, err
	}
	if !domain.ValidGCP(gcp) {
		return nil, domain.Errorf(domain.CodeInvalid, "a GS1 company prefix is 4-12 digits, got %q", gcp)
	}
	if ownerMSP == "" || !slices.Contains(cfg.Orgs, ownerMSP) {
		return nil, domain.Errorf(domain.CodeInvalid, "owner %q is not an org of the consortium", ownerMSP)
	}
	stub := ctx.GetStub()
	for n := 4; n <= len(gcp); n++ { // gcp itself or a shorter GCP it lies under
		cur, found, err := loadGCP(stub, cfg, gcp[:n])
		if err != nil {
			return nil, err
		}
		if found && (cur.Owner != ownerMSP || cur.Enterprise != enterprise || n < len(gcp)) {
			return nil, domain.Errorf(domain.CodeConflict, "GS1 company prefix %s is assigned to %s", cur.GCP, actorName(cur.Owner, cur.Enterprise))
		}
		if found {
			return &cur, emit(ctx, EvGCPAssigned)
		}
	}
	k, err := GCPKey(gcp)
	if err != nil {
		return nil, err
	}
	if b, err := stub.GetState(k); err != nil {
		return nil, err
	} else if b != nil {
		return nil, domain.Errorf(domain.CodeConflict, "GS1 company prefix %s has a record the authority did not anchor", gcp)
	}
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	rec := domain.GCP{GCP: gcp, Owner: ownerMSP, Enterprise: enterprise, AssignedBy: who.MSP, AssignedAt: at, TxID: stub.GetTxID()}
	pc := policyCache{}
	if err := putRecord(stub, pc, k, rec, classAssign, cfg.Authority, cfg.Authority); err != nil {
		return nil, err
	}
	ok, err := key(objGCPOwn, ownerMSP, gcp)
	if err != nil {
		return nil, err
	}
	if err := stub.PutState(ok, marker); err != nil {
		return nil, err
	}
	if err := setKeyPolicy(stub, pc, ok, classAssign, cfg.Authority); err != nil {
		return nil, err
	}
	return &rec, emit(ctx, EvGCPAssigned, gcp)
}

// listGCPs lists the GCP assignments (of ownerMSP when given), in key order,
// at most maxList (bounded scan; more are not listed).
func (c *RegistryContract) listGCPs(ctx contractapi.TransactionContextInterface, ownerMSP string) ([]domain.GCP, error) {
	stub := ctx.GetStub()
	cfg, err := loadConfig(ctx)
	if err != nil {
		return nil, err
	}
	out := []domain.GCP{}
	_, err = eachKV(stub, objGCP, nil, maxList, "", func(k string, v []byte) error {
		var g domain.GCP
		if err := unmarshalRecord(v, &g); err != nil {
			return err
		}
		if ownerMSP != "" && g.Owner != ownerMSP {
			return nil
		}
		if ok, err := hasAnchor(stub, cfg.Authority, k); err != nil || !ok {
			return err
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

// loadGCP reads an anchored GCP assignment.
func loadGCP(stub shim.ChaincodeStubInterface, cfg Config, gcp string) (domain.GCP, bool, error) {
	var g domain.GCP
	k, err := key(objGCP, gcp)
	if err != nil {
		return g, false, err
	}
	found, err := getAnchored(stub, k, &g, false, func() string { return cfg.Authority })
	return g, found, err
}

// gtinHolder returns the assignment of the GCP a GTIN-14 lies under (the
// zero GCP, Owner "", for none).
func gtinHolder(stub shim.ChaincodeStubInterface, cfg Config, gtin14 string) (domain.GCP, error) {
	for _, p := range domain.GCPCandidates(gtin14) {
		g, found, err := loadGCP(stub, cfg, p)
		if err != nil || found {
			return g, err
		}
	}
	return domain.GCP{}, nil
}

// holds reports whether the GCP assignment g belongs to org owner and
// enterprise ent ("" = the org itself).
func holds(g domain.GCP, owner, ent string) bool {
	return g.Owner != "" && g.Owner == owner && g.Enterprise == ent
}
