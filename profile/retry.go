package profile

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/idchain/idchain/domain"
)

// Backoff bounds a retry loop: delays grow from Initial, doubling up to Max,
// until Total has passed.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Total   time.Duration
}

// DefaultBackoff covers a peer or orderer restart (listening after ~4 s,
// discovery and a Raft leader after ~10 s more on a loaded machine).
var DefaultBackoff = Backoff{Initial: 250 * time.Millisecond, Max: 4 * time.Second, Total: 60 * time.Second}

// Retry calls fn until it succeeds, returns a non-transient error, the
// backoff's Total passes or ctx ends; it returns fn's last error.
func Retry(ctx context.Context, b Backoff, fn func(context.Context) error) error {
	deadline := time.Now().Add(b.Total)
	delay := b.Initial
	for {
		err := fn(ctx)
		if err == nil || !IsTransient(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, b.Max)
	}
}

// IsTransient reports whether a fabric-gateway error is worth retrying
// unchanged: unreachable or restarting nodes, missing discovery data, no Raft
// leader, timeouts. Errors returned by the chaincode itself are not.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var t transient
	if errors.As(err, &t) {
		return true
	}
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch st.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	case codes.FailedPrecondition:
		return strings.Contains(st.Message(), "no combination of peers")
	case codes.Aborted:
		// Endorsement failed. A chaincode error ("chaincode response 500, ...")
		// is final; an unreachable chaincode server or peer is not.
		for _, d := range st.Details() {
			if detail, ok := d.(*gateway.ErrorDetail); ok && strings.Contains(detail.GetMessage(), "chaincode response") {
				return false
			}
		}
		return !strings.Contains(st.Message(), "received unsuccessful response from orderer")
	}
	return false
}

// RetryableCall reports whether a failed evaluate or submit may be sent
// again unchanged: never when the chaincode refused it by its own rules; a
// commit invalidated by a concurrent update (MVCC or phantom read) and a
// failed submit to the orderer, yes; a commit whose status is unknown, no
// (the transaction may still commit, so a re-submit could apply it twice);
// otherwise as IsTransient (connectivity, discovery, Raft leader,
// unreachable chaincode server). It is the rule of the API's ledger client.
func RetryableCall(err error) bool {
	if _, ok := ChaincodeError(err); ok {
		return false
	}
	var ce *client.CommitError
	if errors.As(err, &ce) {
		return IsConflictCode(ce.Code)
	}
	var cse *client.CommitStatusError
	if errors.As(err, &cse) {
		return false
	}
	var se *client.SubmitError
	if errors.As(err, &se) {
		return true
	}
	return IsTransient(err)
}

// IsConflictCode reports whether a commit was invalidated by a concurrent
// update (a retry may succeed).
func IsConflictCode(c peer.TxValidationCode) bool {
	return c == peer.TxValidationCode_MVCC_READ_CONFLICT || c == peer.TxValidationCode_PHANTOM_READ_CONFLICT
}

// ChaincodeError extracts the chaincode's coded error, if any: from the
// per-peer details of an endorse error, or from the status message of an
// evaluate error ("... chaincode response 500, NOT_FOUND: ...").
func ChaincodeError(err error) (*domain.Error, bool) {
	st, ok := status.FromError(err)
	if !ok {
		return nil, false
	}
	for _, d := range st.Details() {
		if gd, ok := d.(*gateway.ErrorDetail); ok {
			if e, ok := domain.ParseError(gd.GetMessage()); ok {
				return e, true
			}
		}
	}
	return domain.ParseError(st.Message())
}

// ChaincodeMessage returns the message of the first chaincode error carried
// by a gateway error ("FORBIDDEN: ..."), or "".
func ChaincodeMessage(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if detail, ok := d.(*gateway.ErrorDetail); ok {
			msg := detail.GetMessage()
			if _, rest, found := strings.Cut(msg, "chaincode response "); found {
				if _, text, ok := strings.Cut(rest, ", "); ok {
					return text
				}
			}
		}
	}
	return ""
}

// transient marks an error as worth retrying whatever its gRPC status.
type transient struct{ err error }

func (t transient) Error() string { return t.err.Error() }
func (t transient) Unwrap() error { return t.err }

func unwrapTransient(err error) error {
	var t transient
	if errors.As(err, &t) {
		return t.err
	}
	return err
}
