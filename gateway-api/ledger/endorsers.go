package ledger

import (
	"errors"
	"slices"
	"sync/atomic"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/profile"
)

// Endorsers names the orgs a registration is endorsed by, so the Fabric
// gateway asks them all at once.
//
// Without named orgs the gateway endorses in two rounds: first on a peer of
// its own org, then, from the chaincode interest that peer reported, on the
// other orgs the policies need. A registration's chaincode run (per-item
// keys, policies, anchors) is most of its latency, so the two rounds double
// it. A RegisterItems transaction of org O needs, whatever its items: the
// chaincode-level MAJORITY (creation of its keys), O (its anchor collection
// anchor_<O> and the owner's state-based policy of what it changes) and a
// majority of the other orgs (owned mutable records: owner AND a majority of
// the others). O plus, in rotation, enough other orgs for both (3 of 4 orgs, 4 of 5 or 6) is such a
// set; the rotation spreads the chaincode work over every org's peer.
//
// Naming the orgs changes who is asked, not what is required: every peer
// still validates the transaction against the same policies, and a set that
// does not satisfy them (an org added since the API started, items whose
// parent another org owns) is invalidated with ENDORSEMENT_POLICY_FAILURE,
// which writes nothing; Fabric.Submit then submits again with the gateway's
// own plan (as it does when a named org's peer cannot endorse).
type Endorsers struct {
	orgs []string // every org of the channel, profile order
	next atomic.Uint64
}

// NewEndorsers plans over the given MSP IDs (every org of the channel).
func NewEndorsers(orgs []string) *Endorsers {
	return &Endorsers{orgs: slices.Clone(orgs)}
}

// For is the orgs to name for a registration by an identity of own: own
// and, in rotation, the next other orgs up to the larger of the channel's
// majority and own + a majority of the others. Nil (the gateway plans)
// when own is not one of the orgs.
func (e *Endorsers) For(own string) []string {
	if e == nil || !slices.Contains(e.orgs, own) {
		return nil
	}
	// the chaincode's MAJORITY, and the owner AND a majority of the other
	// orgs (anchor collections, owned records: chaincode/sbe.go): with 5
	// orgs that is 4, not 3
	n := len(e.orgs)
	need := min(n, max(n/2+1, 1+(n-1)/2+1))
	others := make([]string, 0, len(e.orgs)-1)
	for _, o := range e.orgs {
		if o != own {
			others = append(others, o)
		}
	}
	out := []string{own}
	start := int(e.next.Add(1) % uint64(max(1, len(others))))
	for i := 0; len(out) < need && i < len(others); i++ {
		out = append(out, others[(start+i)%len(others)])
	}
	return out
}

// fallBack reports whether a submit that named its endorsing orgs should be
// tried again with the gateway's own plan: not when the chaincode refused
// (every org's peer runs the same code) nor on an MVCC conflict (the retry
// loop handles it, still in parallel); yes when the named set did not
// satisfy the policies or a named org could not endorse.
func fallBack(err error) bool {
	if err == nil {
		return false
	}
	if _, coded := profile.ChaincodeError(err); coded {
		return false
	}
	var ce *client.CommitError
	if errors.As(err, &ce) && profile.IsConflictCode(ce.Code) {
		return false
	}
	var cse *client.CommitStatusError
	if errors.As(err, &cse) {
		return false // submitted; its outcome is unknown: not resubmitted here
	}
	return true
}
