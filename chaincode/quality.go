package chaincode

import (
	"encoding/hex"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Quality keys: see the key schema in keys.go.
const (
	// maxScan bounds every non-paginated range read of a submit (Fabric
	// refuses paginated queries in transactions that write).
	maxScan = 10000
)

// QualityContract holds inspection plans, inspections, private detail,
// releases and recalls.
type QualityContract struct {
	contractapi.Contract
}

func init() { addContract(func() contractapi.ContractInterface { return NewQualityContract() }) }

// NewQualityContract returns the "quality" contract.
func NewQualityContract() *QualityContract {
	c := new(QualityContract)
	c.Name = "quality"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *QualityContract) GetEvaluateTransactions() []string {
	return []string{"GetPlan", "GetEnterprisePlan", "GetInspections"}
}

// PlanKey is the key of the plan in force for an owner's model: the org's own
// plan when ent is "", else the plan of enterprise ent hosted by owner (see
// keys.go: plan and entplan).
func PlanKey(owner, ent, model string) (string, error) {
	if ent == "" {
		return key(objPlan, owner, model)
	}
	return key(objEntPlan, owner, ent, model)
}

// DetailKey is the private key of one detail record.
func DetailKey(category domain.Category, id string) (string, error) {
	return key(objDetail, string(category), id)
}

// SaltKey is the key of a detail record's salt in the owner's implicit
// collection (next to DetailKey).
func SaltKey(category domain.Category, id string) (string, error) {
	return key(objDetailSalt, string(category), id)
}

// ImplicitCollection is the implicit private collection of an org.
func ImplicitCollection(msp string) string { return "_implicit_org_" + msp }

// putPlan stores a new version of the caller's plan for a model: the plan of
// the caller's enterprise when it acts for one, else its org's own plan.
// Sending the same plan again returns the version in force unchanged.
func (c *QualityContract) putPlan(ctx contractapi.TransactionContextInterface, planJSON string) (*domain.Plan, error) {
	caller, err := requireRole(ctx, domain.Writers("quality:PutPlan")...)
	if err != nil {
		return nil, err
	}
	var in domain.Plan
	if err := parseJSONArg("plan", planJSON, &in); err != nil {
		return nil, err
	}
	p := domain.Plan{Model: in.Model, Industry: in.Industry, Items: in.Items, Example: in.Example,
		Owner: caller.MSP, Enterprise: caller.Enterprise}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := requireEnterprise(caller, caller.Enterprise, "put an inspection plan"); err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	k, err := PlanKey(caller.MSP, caller.Enterprise, p.Model)
	if err != nil {
		return nil, err
	}
	// Only the owner's anchored plan is the one in force: a copy a majority
	// planted without the owner is overwritten, not answered as unchanged.
	var old domain.Plan
	exists, err := getAnchored(stub, k, &old, false, func() string { return caller.MSP })
	if err != nil {
		return nil, err
	}
	if !exists {
		old = domain.Plan{}
	}
	if exists && samePlan(old, p) {
		return &old, emit(ctx, EvPlanPut)
	}
	p.Version = old.Version + 1
	if p.UpdatedAt, _, err = stamp(stub); err != nil {
		return nil, err
	}
	p.UpdatedBy, p.TxID = caller.User, stub.GetTxID()
	if err := putRecord(stub, nil, k, p, classOwned, caller.MSP, caller.MSP); err != nil {
		return nil, err
	}
	return &p, emit(ctx, EvPlanPut)
}

// samePlan compares the content an owner controls.
func samePlan(a, b domain.Plan) bool {
	if a.Industry != b.Industry || a.Example != b.Example || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		x, y := a.Items[i], b.Items[i]
		if x.Code != y.Code || x.Name != y.Name || x.Unit != y.Unit || x.Kind != y.Kind ||
			x.Required != y.Required || !sameLimit(x.Min, y.Min) || !sameLimit(x.Max, y.Max) {
			return false
		}
	}
	return true
}

func sameLimit(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// getPlan returns the plan in force for a model of an org (ent "") or of an
// enterprise it hosts.
func (c *QualityContract) getPlan(ctx contractapi.TransactionContextInterface, ownerMSP, ent, model string) (*domain.Plan, error) {
	ent, err := normalizeUSCCOrEmpty(ent)
	if err != nil {
		return nil, err
	}
	p, err := loadPlan(ctxStub(ctx), ownerMSP, ent, model)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// normalizeUSCCOrEmpty normalizes an enterprise id, keeping "" (the org).
func normalizeUSCCOrEmpty(ent string) (string, error) {
	if strings.TrimSpace(ent) == "" {
		return "", nil
	}
	return normalizeUSCC(ent)
}

// loadPlan reads the anchored plan of owner's enterprise ent ("" = the org's
// own plan) for a model. The anchor is the owner org's: the org stays the
// unit of endorsement.
func loadPlan(stub shim.ChaincodeStubInterface, owner, ent, model string) (domain.Plan, error) {
	k, err := PlanKey(owner, ent, model)
	if err != nil {
		return domain.Plan{}, err
	}
	var p domain.Plan
	ok, err := getAnchored(stub, k, &p, false, func() string { return owner })
	if err != nil {
		return p, err
	}
	if ok && ent != "" {
		// A plan of an enterprise counts only under its hosting org's key:
		// another org (with a majority) could anchor one under its own.
		e, found, err := loadEnterprise(stub, ent)
		if err != nil {
			return p, err
		}
		ok = found && e.Org == owner
	}
	if !ok {
		return p, domain.Errorf(domain.CodeNotFound, "no inspection plan of %s for model %q", actorName(owner, ent), model)
	}
	return p, nil
}

// recordInspection judges results against the plan in force for the item's
// model (the plan of its owner org and owning enterprise) and records the inspection. detailHash is the hex SHA-256 of the raw
// detail the caller will store with StoreDetail in its own transaction.
func (c *QualityContract) recordInspection(ctx contractapi.TransactionContextInterface, inputJSON, detailHash string) (*domain.InspectionResult, error) {
	caller, err := requireRole(ctx, domain.Writers("quality:RecordInspection")...)
	if err != nil {
		return nil, err
	}
	var in domain.InspectionInput
	if err := parseJSONArg("inspection", inputJSON, &in); err != nil {
		return nil, err
	}
	hash, err := normHash(detailHash, true)
	if err != nil {
		return nil, err
	}
	if len(in.Equipment) > domain.MaxEquipLen {
		return nil, domain.Errorf(domain.CodeInvalid, "equipment is longer than %d bytes", domain.MaxEquipLen)
	}
	stub := ctxStub(ctx)
	item, itemKey, err := loadOwnedItem(stub, caller, in.ID, "inspect")
	if err != nil {
		return nil, err
	}
	if in.Model == "" {
		in.Model = item.Model
	}
	if in.Model != item.Model {
		return nil, domain.Errorf(domain.CodeInvalid, "%s is model %q, not %q", item.ID, item.Model, in.Model)
	}
	ent, err := enterpriseOfID(stub, caller.ents, item.ID)
	if err != nil {
		return nil, err
	}
	plan, err := loadPlan(stub, item.Owner, ent, in.Model)
	if err != nil {
		return nil, err
	}
	if err := plan.ValidateResults(in.Results); err != nil {
		return nil, err
	}
	next, err := domain.NextStatus(item, false, domain.EventInspecting)
	if err != nil {
		return nil, err
	}
	at, ts, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	in.ID = item.ID
	rec := domain.Inspection{
		InspectionInput: in, Judgement: plan.Judge(in.Results), ID: item.ID, PlanVersion: plan.Version,
		Inspector: caller.ID, InspectorMSP: caller.MSP, DetailHash: hash, At: at, TxID: stub.GetTxID(),
	}
	k, err := InspectionKey(item.ID, ts, rec.TxID)
	if err != nil {
		return nil, err
	}
	if err := putRecord(stub, nil, k, rec, classAppend, "", item.Owner); err != nil {
		return nil, err
	}
	item.Status, item.UpdatedAt = next, at
	if hash != "" {
		setDetailHash(&item, domain.CategoryInspectionDetail, hash)
	}
	if err := writeItem(stub, nil, itemKey, &item); err != nil {
		return nil, err
	}
	res := &domain.InspectionResult{Judgement: rec.Judgement, PlanVersion: plan.Version, TxID: rec.TxID}
	changed := []string{item.ID}
	if shownBelow(item.Kind, domain.EventInspecting) { // its units' views show the inspection
		ids, err := dependents(stub, ledgerItems(stub), item.ID, maxEventIDs-1)
		if err != nil {
			return nil, err
		}
		changed = append(changed, ids...)
	}
	return res, emit(ctx, EvItemInspected, changed...)
}

// getInspections lists the inspections of an item, oldest first.
func (c *QualityContract) getInspections(ctx contractapi.TransactionContextInterface, id string) ([]domain.Inspection, error) {
	p, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return inspectionsOf(ctxStub(ctx), p.String())
}

// inspectionsOf reads at most maxScan inspections of id in key (time) order.
// Inspections the owner did not anchor are ignored.
func inspectionsOf(stub shim.ChaincodeStubInterface, id string) ([]domain.Inspection, error) {
	out := []domain.Inspection{}
	owner, err := ownerOfItem(stub, id)
	if err != nil || owner == "" {
		return out, err
	}
	err = scanAll(stub, objInsp, []string{id}, func(k string, v []byte) error {
		var in domain.Inspection
		if err := unmarshalRecord(v, &in); err != nil {
			return err
		}
		if ok, err := anchoredValue(stub, owner, k, v); err != nil || !ok {
			return err
		}
		out = append(out, in)
		return nil
	})
	return out, err
}

// ownerOfItem returns the owner of the (anchored) item id, "" when id is
// not registered.
func ownerOfItem(stub shim.ChaincodeStubInterface, id string) (string, error) {
	it, _, err := loadItem(stub, id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return "", nil
	}
	return it.Owner, err
}

// normHash validates a hex SHA-256 and returns it lower-case.
func normHash(h string, optional bool) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if h == "" && optional {
		return "", nil
	}
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return "", domain.Errorf(domain.CodeInvalid, "detail hash must be 64 hex digits (SHA-256)")
	}
	return h, nil
}

// setDetailHash records the public hash of a category's private detail.
func setDetailHash(item *domain.Item, cat domain.Category, hash string) {
	if item.DetailHashes == nil {
		item.DetailHashes = map[string]string{}
	}
	item.DetailHashes[string(cat)] = hash
}
