package chaincode

import (
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// Bounds of lineage queries.
const (
	defaultTraceDepth = 10
	maxTraceDepth     = 50
	defaultTraceLimit = 1000
	maxTraceLimit     = 10000
)

// traceBackward walks from id to its ancestors: parents, containers and
// transformation inputs, breadth first, at most maxDepth levels and limit nodes.
func (c *TraceContract) traceBackward(ctx ctxI, id, maxDepth, limit string) (*domain.Trace, error) {
	stub := ctx.GetStub()
	return walk(stub, id, maxDepth, limit, func(cur string) ([]domain.TraceNode, error) {
		it, _, err := loadItem(stub, cur)
		if domain.CodeOf(err) == domain.CodeNotFound {
			return nil, nil // an ancestor outside the ledger ends the walk
		}
		if err != nil {
			return nil, err
		}
		var up []domain.TraceNode
		if it.Parent != "" {
			up = append(up, domain.TraceNode{ID: it.Parent, Via: "parent"})
		}
		if it.Container != "" {
			up = append(up, domain.TraceNode{ID: it.Container, Via: "container"})
		}
		for _, in := range it.Inputs {
			up = append(up, domain.TraceNode{ID: in.ID, Via: "input"})
		}
		return up, nil
	})
}

// traceForward walks from id to its descendants: children and
// transformation outputs, breadth first, bounded like traceBackward.
func (c *TraceContract) traceForward(ctx ctxI, id, maxDepth, limit string) (*domain.Trace, error) {
	stub := ctx.GetStub()
	return walk(stub, id, maxDepth, limit, func(cur string) ([]domain.TraceNode, error) {
		var down []domain.TraceNode
		for _, rel := range []struct{ obj, via string }{{objRel, "child"}, {objRelIn, "output"}} {
			_, err := eachKV(stub, rel.obj, []string{cur}, maxTraceLimit, "", func(k string, _ []byte) error {
				n, err := lastAttr(stub, k)
				down = append(down, domain.TraceNode{ID: n, Via: rel.via})
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		return down, nil
	})
}

// walk is a bounded breadth-first search; next lists a node's neighbours.
func walk(stub shim.ChaincodeStubInterface, id, maxDepth, limit string, next func(string) ([]domain.TraceNode, error)) (*domain.Trace, error) {
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
	seen := map[string]bool{root.ID: true}
	level := []string{root.ID}
	for d := 1; len(level) > 0; d++ {
		var nextLevel []string
		for _, cur := range level {
			ns, err := next(cur)
			if err != nil {
				return nil, err
			}
			for _, n := range ns {
				if seen[n.ID] {
					continue
				}
				if d > depth || len(tr.Nodes) == max {
					tr.Truncated = true
					return tr, nil
				}
				seen[n.ID] = true
				n.Depth = d
				tr.Nodes = append(tr.Nodes, n)
				nextLevel = append(nextLevel, n.ID)
			}
		}
		level = nextLevel
	}
	return tr, nil
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
