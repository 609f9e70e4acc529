package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// getProvenance gathers everything public about an item: record (custody
// applied), events (its lot's and holders' included, see historyOf),
// ancestors, direct children and outputs, inspections, the release that
// applies (own or its lot's, releaseFor) and the recall that applies (own
// or an ancestor's).
func (c *TraceContract) getProvenance(ctx ctxI, id string) (*domain.Provenance, error) {
	stub := ctx.GetStub()
	it, err := viewItem(stub, id)
	if err != nil {
		return nil, err
	}
	p := &domain.Provenance{Item: it, Ancestors: []string{}, Children: []string{}}
	if p.Recall, err = recallOf(stub, it); err != nil {
		return nil, err
	}
	rel, err := relatedOf(stub, it)
	if err != nil {
		return nil, err
	}
	if p.Events, err = historyOf(stub, it, p.Recall, rel); err != nil {
		return nil, err
	}
	back, err := c.traceBackward(ctx, it.ID, "", "")
	if err != nil {
		return nil, err
	}
	for _, n := range back.Nodes {
		p.Ancestors = append(p.Ancestors, n.ID)
	}
	fwd, err := c.traceForward(ctx, it.ID, "1", "")
	if err != nil {
		return nil, err
	}
	for _, n := range fwd.Nodes {
		p.Children = append(p.Children, n.ID)
	}
	if p.Inspections, err = inspectionsOf(stub, it.ID); err != nil {
		return nil, err
	}
	if p.Release, err = releaseFor(stub, it, rel); err != nil {
		return nil, err
	}
	return p, nil
}

// releaseOf returns the release record of id, or nil.
func releaseOf(stub shim.ChaincodeStubInterface, id string) (*domain.Release, error) {
	k, err := ReleaseKey(id)
	if err != nil {
		return nil, err
	}
	b, err := stub.GetState(k)
	if err != nil || b == nil {
		return nil, err
	}
	// Only the owner's anchored release counts.
	owner, err := ownerOfItem(stub, id)
	if err != nil {
		return nil, err
	}
	if ok, err := anchoredValue(stub, owner, k, b); err != nil || !ok {
		return nil, err
	}
	var r domain.Release
	if err := unmarshalRecord(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
