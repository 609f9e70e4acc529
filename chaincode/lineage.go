package chaincode

import (
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// Bounds of lineage walks.
const (
	defaultTraceDepth = 10
	maxTraceDepth     = 50
	defaultTraceLimit = 1000
	maxTraceLimit     = 10000
)

// Links between items (domain.TraceNode.Via).
const (
	viaParent    = "parent"    // registered aggregation parent (unit→lot)
	viaContainer = "container" // packed into (unit→case→pallet)
	viaInput     = "input"     // transformation input (material lot→batch)
	viaChild     = "child"     // forward rel key: registered child or packed content
	viaOutput    = "output"    // forward relin key
	viaHolder    = "holder"    // a case or pallet holding the item
)

// direction selects the links a lineage walk follows.
type direction int

const (
	// up: parent, container, inputs (record order) — the ancestors.
	up direction = iota
	// down: rel children then relin outputs (key order) — the descendants.
	down
	// holders: the container, or a case/pallet parent, transitively — the
	// logistic units holding the item.
	holders
	// affected: down, plus the holders of the root and of every item
	// reached (followed upward only): every item whose derived view
	// (recall, lineage) changes with the root's.
	affected
)

// itemSource reads an item for a walk (NOT_FOUND when absent): the ledger,
// or a transaction's working set (recorder.item) so that walks see the
// transaction's own changes.
type itemSource func(id string) (*domain.Item, error)

func ledgerItems(stub shim.ChaincodeStubInterface) itemSource {
	return func(id string) (*domain.Item, error) {
		it, _, err := loadItem(stub, id)
		if err != nil {
			return nil, err
		}
		return &it, nil
	}
}

// lineage is the one walker over the item graph: bounded breadth first,
// neighbours in a fixed order, every item visited once.
type lineage struct {
	stub  shim.ChaincodeStubInterface
	items itemSource
	dir   direction
	depth int // levels below/above the root
	limit int // items visited
}

// walk visits every item reached from root (root excluded) until visit
// stops it; truncated reports that depth or limit cut the walk. Items that
// are not registered end their branch.
func (l lineage) walk(root string, visit func(domain.TraceNode) (stop bool, err error)) (truncated bool, err error) {
	seen := map[string]bool{root: true}
	level := []domain.TraceNode{{ID: root}}
	n := 0
	for d := 1; len(level) > 0; d++ {
		var next []domain.TraceNode
		for _, cur := range level {
			ns, err := l.next(cur)
			if err != nil {
				return false, err
			}
			for _, nb := range ns {
				if seen[nb.ID] {
					continue
				}
				if d > l.depth || n == l.limit {
					return true, nil
				}
				seen[nb.ID] = true
				nb.Depth = d
				n++
				if stop, err := visit(nb); err != nil || stop {
					return false, err
				}
				next = append(next, nb)
			}
		}
		level = next
	}
	return false, nil
}

// ids walks from root and returns the ids reached in visiting order.
func (l lineage) ids(root string) ([]string, bool, error) {
	var out []string
	truncated, err := l.walk(root, func(n domain.TraceNode) (bool, error) {
		out = append(out, n.ID)
		return false, nil
	})
	return out, truncated, err
}

// next lists the neighbours of cur in the walk's direction.
func (l lineage) next(cur domain.TraceNode) ([]domain.TraceNode, error) {
	switch {
	case l.dir == up:
		it, err := l.item(cur.ID)
		if it == nil || err != nil {
			return nil, err
		}
		return upLinks(*it), nil
	case l.dir == down:
		return l.forward(cur.ID)
	case l.dir == holders || cur.Via == viaHolder:
		return l.holdersOf(cur.ID)
	}
	fwd, err := l.forward(cur.ID)
	if err != nil {
		return nil, err
	}
	h, err := l.holdersOf(cur.ID)
	return append(fwd, h...), err
}

// item reads id through the source; nil without error when absent.
func (l lineage) item(id string) (*domain.Item, error) {
	it, err := l.items(id)
	if domain.CodeOf(err) == domain.CodeNotFound {
		return nil, nil
	}
	return it, err
}

// upLinks lists the items directly above it: parent, container, inputs.
func upLinks(it domain.Item) []domain.TraceNode {
	var out []domain.TraceNode
	if it.Parent != "" {
		out = append(out, domain.TraceNode{ID: it.Parent, Via: viaParent})
	}
	if it.Container != "" {
		out = append(out, domain.TraceNode{ID: it.Container, Via: viaContainer})
	}
	for _, in := range it.Inputs {
		out = append(out, domain.TraceNode{ID: in.ID, Via: viaInput})
	}
	return out
}

// forward lists the rel children then relin outputs of id in key order,
// reading at most limit+1 keys of each (enough to detect a cut).
func (l lineage) forward(id string) ([]domain.TraceNode, error) {
	var out []domain.TraceNode
	for _, rel := range []struct{ obj, via string }{{objRel, viaChild}, {objRelIn, viaOutput}} {
		err := eachKey(l.stub, rel.obj, []string{id}, l.limit+1, func(k string) error {
			to, err := lastAttr(l.stub, k)
			out = append(out, domain.TraceNode{ID: to, Via: rel.via})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	it, err := l.item(id)
	if err != nil {
		return nil, err
	}
	return append(out, packedChildren(it, l.limit+1)...), nil
}

// holdersOf lists what directly holds id: its container, and its parent
// when that is a case or pallet (registered case→pallet).
func (l lineage) holdersOf(id string) ([]domain.TraceNode, error) {
	it, err := l.item(id)
	if it == nil || err != nil {
		return nil, err
	}
	var out []domain.TraceNode
	if it.Container != "" {
		out = append(out, domain.TraceNode{ID: it.Container, Via: viaHolder})
	}
	if it.Parent != "" && it.Parent != it.Container {
		p, err := l.item(it.Parent)
		if err != nil {
			return nil, err
		}
		if p != nil && domain.HoldsGoods(p.Kind) {
			out = append(out, domain.TraceNode{ID: it.Parent, Via: viaHolder})
		}
	}
	return out, nil
}

// eachKey calls fn for at most max keys of a partial composite key range.
// The range read is not paginated, so it also works in transactions that
// write (the peer refuses paginated queries there).
func eachKey(stub shim.ChaincodeStubInterface, objectType string, attrs []string, max int, fn func(key string) error) error {
	it, err := stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return fmt.Errorf("range %s: %w", objectType, err)
	}
	defer it.Close()
	for n := 0; n < max && it.HasNext(); n++ {
		kv, err := it.Next()
		if err != nil {
			return fmt.Errorf("range %s: %w", objectType, err)
		}
		if err := fn(kv.Key); err != nil {
			return err
		}
	}
	return nil
}

// cachedItems wraps a source so each item is read once per walk set.
func cachedItems(src itemSource) itemSource {
	memo := map[string]*domain.Item{}
	miss := map[string]error{}
	return func(id string) (*domain.Item, error) {
		if it, ok := memo[id]; ok {
			return it, nil
		}
		if err, ok := miss[id]; ok {
			return nil, err
		}
		it, err := src(id)
		if err != nil {
			if domain.CodeOf(err) == domain.CodeNotFound {
				miss[id] = err
			}
			return nil, err
		}
		memo[id] = it
		return it, nil
	}
}

// descendants returns every item affected by a change of id (the affected
// walk: forward lineage and the cases/pallets holding any of it), at most
// limit of them, at most maxTraceDepth levels.
func descendants(stub shim.ChaincodeStubInterface, src itemSource, id string, limit int) ([]string, bool, error) {
	l := lineage{stub: stub, items: cachedItems(src), dir: affected, depth: maxTraceDepth, limit: limit}
	return l.ids(id)
}

// traceBackward walks from id to its ancestors: parents, containers and
// transformation inputs, breadth first, at most maxDepth levels and limit nodes.
func (c *TraceContract) traceBackward(ctx ctxI, id, maxDepth, limit string) (*domain.Trace, error) {
	return trace(ctx.GetStub(), up, id, maxDepth, limit)
}

// traceForward walks from id to its descendants: children and
// transformation outputs, breadth first, bounded like traceBackward.
func (c *TraceContract) traceForward(ctx ctxI, id, maxDepth, limit string) (*domain.Trace, error) {
	return trace(ctx.GetStub(), down, id, maxDepth, limit)
}

func trace(stub shim.ChaincodeStubInterface, dir direction, id, maxDepth, limit string) (*domain.Trace, error) {
	depth, err := boundedInt("maxDepth", maxDepth, defaultTraceDepth, maxTraceDepth)
	if err != nil {
		return nil, err
	}
	max, err := boundedInt("limit", limit, defaultTraceLimit, maxTraceLimit)
	if err != nil {
		return nil, err
	}
	root, _, err := loadItem(stub, id)
	if err != nil {
		return nil, err
	}
	tr := &domain.Trace{Root: root.ID, Nodes: []domain.TraceNode{}}
	l := lineage{stub: stub, items: cachedItems(ledgerItems(stub)), dir: dir, depth: depth, limit: max}
	tr.Truncated, err = l.walk(root.ID, func(n domain.TraceNode) (bool, error) {
		tr.Nodes = append(tr.Nodes, n)
		return false, nil
	})
	return tr, err
}

func boundedInt(name, s string, def, max int) (int, error) {
	if s == "" || s == "0" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, domain.Errorf(domain.CodeInvalid, "%s must be 1-%d", name, max)
	}
	return n, nil
}
