package profile

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
