package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/status"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// errUnavailable is what callers see when Fabric could not be reached or did
// not answer in time; the cause is wrapped for the log.
var errUnavailable = domain.Errorf(domain.CodeUnavailable, "ledger unavailable, retry later")

// mapError turns a fabric-gateway error into the API vocabulary: chaincode
// errors become *domain.Error with their own code; connectivity problems
// become UNAVAILABLE; the rest stays unmapped (INTERNAL), wrapped for the log.
func mapError(fn string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if e, ok := chaincodeError(err); ok {
		return e
	}
	var ce *client.CommitError
	if errors.As(err, &ce) {
		if isConflictCode(ce.Code) {
			return fmt.Errorf("%s: %w: %w", fn, domain.Errorf(domain.CodeConflict,
				"transaction %s was invalidated by a concurrent update (%s); retry", ce.TransactionID, ce.Code), err)
		}
		return fmt.Errorf("%s: %w", fn, err)
	}
	if transient(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", fn, errUnavailable, err)
	}
	return fmt.Errorf("%s: %w", fn, err)
}

// chaincodeError extracts the chaincode's coded error, if any: from the
// per-peer details of an endorse error, or from the status message of an
// evaluate error ("... chaincode response 500, NOT_FOUND: ...").
func chaincodeError(err error) (*domain.Error, bool) {
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

func isConflictCode(c peer.TxValidationCode) bool {
	return c == peer.TxValidationCode_MVCC_READ_CONFLICT || c == peer.TxValidationCode_PHANTOM_READ_CONFLICT
}

// transient reports whether a failed call may succeed if retried: an
// endorsement or ordering failure not caused by the chaincode's own rules,
// or a gRPC connectivity error.
func transient(err error) bool {
	if _, ok := chaincodeError(err); ok {
		return false
	}
	var ce *client.CommitError
	if errors.As(err, &ce) {
		return isConflictCode(ce.Code)
	}
	var cse *client.CommitStatusError
	if errors.As(err, &cse) {
		// The transaction may still commit: re-submitting could apply it
		// twice. Not retried here.
		return false
	}
	var se *client.SubmitError
	if errors.As(err, &se) {
		return true
	}
	// Connectivity, discovery, Raft leader, unreachable chaincode server.
	return profile.IsTransient(err)
}
