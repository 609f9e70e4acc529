package chaincode

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// MaxBatch is the most items (or events) one transaction accepts.
const MaxBatch = domain.MaxTxBatch

// registerItems registers a batch of items under the caller org's prefixes
// (operator or admin). Each item gets its own outcome: created, unchanged
// (identical re-registration) or rejected with an error (INVALID*,
// NOT_FOUND for an unassigned prefix or a parent/input neither on the
// ledger nor earlier in the batch, FORBIDDEN for another org's prefix or
// parent, CONFLICT for an existing id with other content or a GS1 key —
// GTIN + serial, GTIN + lot of a lot-level item — another item holds).
//
// Cost per new item: one read (all item keys of the batch in one
// GetMultipleStates), the item key with its owner-AND-majority endorsement
// policy, and one relation key per parent/input; an item with a GS1 index
// key (gs1.go) adds that key to the same GetMultipleStates and one write.
// Per transaction: one manifest of the created ids and its anchor in the
// owner's anchor collection (regbatch.go). Prefixes and parents outside the
// batch are read once per batch.
func (c *RegistryContract) registerItems(ctx contractapi.TransactionContextInterface, itemsJSON string) (*domain.BatchResult, error) {
	who, err := requireRole(ctx, domain.Writers("registry:RegisterItems")...)
	if err != nil {
		return nil, err
	}
	inputs, err := decodeBatch[domain.ItemInput]("items", itemsJSON)
	if err != nil {
		return nil, err
	}
	b, err := newBatch(ctx.GetStub(), who)
	if err != nil {
		return nil, err
	}
	res, err := b.register(inputs)
	if err != nil {
		return nil, err
	}
	return res, emit(ctx, EvItemsRegistered, b.changed.IDs()...)
}

// batch is the state of one registration transaction.
type batch struct {
	stub    shim.ChaincodeStubInterface
	who     Caller
	at      string
	owners  map[string]string       // prefix -> owner MSP ("" unassigned), read once
	known   map[string]*domain.Item // id -> item on the ledger or created in this batch (nil: absent)
	gs1     map[string]string       // GS1 index key -> id holding it ("": free), read with the items
	policy  policyCache
	changed IDSet
	created []string              // ids created by this transaction, for its manifest
	cfg     *Config               // read on first GTIN
	holders map[string]domain.GCP // GTIN-14 -> assignment of its GCP
}

func newBatch(stub shim.ChaincodeStubInterface, who Caller) (*batch, error) {
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	return &batch{stub: stub, who: who, at: at, owners: map[string]string{},
		known: map[string]*domain.Item{}, gs1: map[string]string{}, policy: policyCache{}}, nil
}

func (b *batch) register(inputs []domain.ItemInput) (*domain.BatchResult, error) {
	norm := make([]domain.ItemInput, len(inputs))
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		norm[i], errs[i] = in.Normalize()
	}
	if err := b.prefetch(norm, errs); err != nil {
		return nil, err
	}
	b.stub.StartWriteBatch()
	res := &domain.BatchResult{Results: make([]domain.ItemResult, len(inputs)), TxID: b.stub.GetTxID()}
	for i, in := range norm {
		outcome, err := "", errs[i]
		if err == nil {
			outcome, err = b.one(in)
		}
		r := domain.ItemResult{ID: in.ID, Status: outcome}
		if r.ID == "" {
			r.ID = inputs[i].ID
		}
		if err != nil {
			if domain.CodeOf(err) == domain.CodeInternal {
				return nil, err
			}
			r.Status, r.Error = domain.ResultRejected, asDomainError(err)
		}
		res.Results[i] = r
	}
	if err := anchorRegistration(b.stub, b.policy, b.who.MSP, b.created); err != nil {
		return nil, err
	}
	if err := b.stub.FinishWriteBatch(); err != nil {
		return nil, fmt.Errorf("write batch: %w", err)
	}
	return res, nil
}

// prefetch reads every valid item key of the batch and the GS1 index keys
// the items would take in one call.
func (b *batch) prefetch(norm []domain.ItemInput, errs []error) error {
	var keys, idsOf, gkeys []string
	seen := map[string]bool{}
	for i, in := range norm {
		if errs[i] != nil {
			continue
		}
		gk, err := gs1KeyOf(in)
		if err != nil {
			errs[i] = err
			continue
		}
		if _, ok := b.gs1[gk]; gk != "" && !ok {
			b.gs1[gk] = ""
			gkeys = append(gkeys, gk)
		}
		if seen[in.ID] {
			continue
		}
		seen[in.ID] = true
		_, k, err := itemKeyOf(in.ID)
		if err != nil {
			errs[i] = err
			continue
		}
		keys, idsOf = append(keys, k), append(idsOf, in.ID)
	}
	if len(keys)+len(gkeys) == 0 {
		return nil
	}
	vals, err := b.stub.GetMultipleStates(append(keys, gkeys...)...)
	if err != nil {
		return fmt.Errorf("get states: %w", err)
	}
	for i, v := range vals[len(keys):] {
		b.gs1[gkeys[i]] = string(v)
	}
	for i, v := range vals[:len(keys)] {
		if v == nil {
			b.known[idsOf[i]] = nil
			continue
		}
		var it domain.Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("corrupt item %s: %w", idsOf[i], err)
		}
		// A record its owner never anchored (written by a coalition without
		// the owner) is not a registration: the owner's registration
		// overwrites it (validation decides whether the coalition's own
		// state-based policy, if it set one, lets it).
		if ok, err := itemAnchored(b.stub, keys[i], &it); err != nil {
			return err
		} else if !ok {
			b.known[idsOf[i]] = nil
			continue
		}
		b.known[idsOf[i]] = &it
	}
	return nil
}

// one registers one normalised item and returns its outcome.
func (b *batch) one(in domain.ItemInput) (string, error) {
	p, k, err := itemKeyOf(in.ID)
	if err != nil {
		return "", err
	}
	owner, err := b.ownerOf(p.Prefix)
	if err != nil {
		return "", err
	}
	if owner != b.who.MSP {
		return "", domain.Errorf(domain.CodeForbidden, "prefix %s belongs to %s, not %s", p.Prefix, owner, b.who.MSP)
	}
	if err := requirePrefixOwner(b.who, owner, p.Prefix, "register under "+p.Prefix); err != nil {
		return "", err
	}
	if in.GTIN != "" {
		// requirePrefixOwner made the caller's enterprise the prefix's
		if err := b.requireGTIN(owner, b.who.Enterprise, in.GTIN); err != nil {
			return "", err
		}
	}
	gk, err := gs1KeyOf(in)
	if err != nil {
		return "", err
	}
	fp := in.Fingerprint()
	if cur := b.known[in.ID]; cur != nil {
		if cur.RegHash != fp || cur.Owner != owner {
			return "", domain.Errorf(domain.CodeConflict, "%s is already registered with other content", in.ID)
		}
		if gk != "" && b.gs1[gk] == "" {
			// Registered before the GS1 index existed: index it now.
			if err := b.putGS1(gk, in.ID); err != nil {
				return "", err
			}
		}
		return domain.ResultUnchanged, nil
	}
	if holder := b.gs1[gk]; gk != "" && holder != "" && holder != in.ID {
		// only a genuine holder takes the key: a registered (anchored) item
		// carrying this GTIN under its owner's GCP; an index key planted
		// without one is overwritten
		if ok, err := b.genuineHolder(holder, in); err != nil {
			return "", err
		} else if ok {
			return "", domain.Errorf(domain.CodeConflict, "%s: GTIN %s %s is already registered as %s",
				in.ID, in.GTIN, gs1Label(in), holder)
		}
	}
	if in.Parent != "" {
		par, err := b.item(in.Parent)
		if err != nil {
			return "", err
		}
		if par.Owner != b.who.MSP {
			return "", domain.Errorf(domain.CodeForbidden, "parent %s belongs to %s", in.Parent, par.Owner)
		}
		if err := requireOwner(b.who, par.Owner, par.ID, "register a child of"); err != nil {
			return "", err
		}
	}
	for _, x := range in.Inputs {
		if _, err := b.item(x.ID); err != nil {
			return "", err
		}
	}
	it := &domain.Item{
		ID: in.ID, Kind: in.Kind, Industry: in.Industry, Owner: owner, Model: in.Model, GTIN: in.GTIN,
		Lot: in.Lot, Serial: in.Serial, Parent: in.Parent, Inputs: in.Inputs, Attributes: in.Attributes,
		Status: domain.StatusRegistered, RegHash: fp, Units: in.Units, CreatedAt: b.at, TxID: b.stub.GetTxID(),
	}
	if err := b.write(k, it); err != nil {
		return "", err
	}
	if gk != "" {
		if err := b.putGS1(gk, in.ID); err != nil {
			return "", err
		}
	}
	b.known[in.ID] = it
	b.created = append(b.created, p.String())
	b.changed.Add(in.ID, in.Parent)
	for _, x := range in.Inputs {
		b.changed.Add(x.ID)
	}
	return domain.ResultCreated, nil
}

// write puts the item, its owner policy and its relation keys (the
// transaction's manifest anchors it, anchorRegistration).
func (b *batch) write(k string, it *domain.Item) error {
	if err := putJSON(b.stub, k, it); err != nil {
		return err
	}
	if err := setKeyPolicy(b.stub, b.policy, k, classOwned, it.Owner); err != nil {
		return err
	}
	if it.Parent != "" {
		if err := putRel(b.stub, objRel, it.Parent, it.ID); err != nil {
			return err
		}
	}
	for _, x := range it.Inputs {
		if err := putRel(b.stub, objRelIn, x.ID, it.ID); err != nil {
			return err
		}
	}
	return nil
}

// putGS1 writes a GS1 index key and remembers its holder for the batch.
func (b *batch) putGS1(gk, id string) error {
	if err := b.stub.PutState(gk, []byte(id)); err != nil {
		return fmt.Errorf("put state: %w", err)
	}
	// The registering owner's policy: a coalition without it can no longer
	// overwrite the entry (its Digital Link would answer 404).
	if err := setKeyPolicy(b.stub, b.policy, gk, classOwned, b.who.MSP); err != nil {
		return err
	}
	b.gs1[gk] = id
	return nil
}

// gs1Label names the part of a GS1 key after the GTIN, for messages.
func gs1Label(in domain.ItemInput) string {
	if in.Serial != "" {
		return "serial " + in.Serial
	}
	return "lot " + in.Lot
}

// putRel writes a forward relation key from → to.
func putRel(stub shim.ChaincodeStubInterface, obj, from, to string) error {
	k, err := key(obj, from, to)
	if err != nil {
		return err
	}
	return stub.PutState(k, marker)
}

// ownerOf returns the owner of an assigned prefix, reading it once per batch.
func (b *batch) ownerOf(prefix string) (string, error) {
	owner, ok := b.owners[prefix]
	if !ok {
		rec, found, err := loadPrefix(b.stub, prefix)
		if err != nil {
			return "", err
		}
		if found {
			owner = rec.Owner
		}
		b.owners[prefix] = owner
	}
	if owner == "" {
		return "", domain.Errorf(domain.CodeNotFound, "prefix %s is not assigned", prefix)
	}
	return owner, nil
}

// item returns an item known to the batch or reads it once from the ledger.
func (b *batch) item(id string) (*domain.Item, error) {
	it, ok := b.known[id]
	if !ok {
		_, k, err := itemKeyOf(id)
		if err != nil {
			return nil, err
		}
		var rec domain.Item
		found, err := loadItemRecord(b.stub, k, &rec)
		if err != nil {
			return nil, err
		}
		if found {
			it = &rec
		} else if u, ok, err := loadPackedUnit(b.stub, id); err != nil {
			return nil, err
		} else if ok {
			it = &u
		}
		b.known[id] = it
	}
	if it == nil {
		return nil, domain.Errorf(domain.CodeNotFound, "%s is neither registered nor earlier in the batch", id)
	}
	return it, nil
}

// asDomainError returns err as *domain.Error (INTERNAL for foreign errors).
func asDomainError(err error) *domain.Error {
	if e, ok := err.(*domain.Error); ok {
		return e
	}
	return &domain.Error{Code: domain.CodeOf(err), Message: err.Error()}
}

// requireGTIN refuses a GTIN that does not lie under a GS1 company prefix
// held by owner and enterprise ent ("" = the org itself; FORBIDDEN),
// reading each GTIN's holder once per batch.
func (b *batch) requireGTIN(owner, ent, gtin14 string) error {
	if b.cfg == nil {
		cfg, err := loadConfigStub(b.stub)
		if err != nil {
			return err
		}
		b.cfg, b.holders = &cfg, map[string]domain.GCP{}
	}
	h, ok := b.holders[gtin14]
	if !ok {
		var err error
		if h, err = gtinHolder(b.stub, *b.cfg, gtin14); err != nil {
			return err
		}
		b.holders[gtin14] = h
	}
	if !holds(h, owner, ent) {
		if h.Owner == "" {
			return domain.Errorf(domain.CodeForbidden, "GTIN %s lies under no GS1 company prefix assigned to %s", gtin14, actorName(owner, ent))
		}
		return domain.Errorf(domain.CodeForbidden, "GTIN %s lies under a GS1 company prefix of %s, not %s", gtin14, actorName(h.Owner, h.Enterprise), actorName(owner, ent))
	}
	return nil
}

// genuineHolder reports whether the item id holding the GS1 index key of
// in is registered (anchored), carries that key (GTIN and serial, or GTIN
// and lot) and its owner holds the GCP — the checks findByGTIN makes. An
// entry pointing at another real item of the GTIN is planted, and is
// overwritten.
func (b *batch) genuineHolder(id string, in domain.ItemInput) (bool, error) {
	gtin14 := in.GTIN
	it, err := b.item(id)
	if domain.CodeOf(err) == domain.CodeNotFound || domain.CodeOf(err) == domain.CodeInvalidIdentifier {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	obj, x := objGS1, in.Serial
	if in.Serial == "" {
		obj, x = objGS1Lot, in.Lot
	}
	if !carriesGS1Key(*it, obj, gtin14, x) {
		return false, nil
	}
	ent, err := enterpriseOfID(b.stub, b.who.ents, id)
	if err != nil {
		return false, err
	}
	if err := b.requireGTIN(it.Owner, ent, gtin14); err != nil {
		if domain.CodeOf(err) == domain.CodeForbidden {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
