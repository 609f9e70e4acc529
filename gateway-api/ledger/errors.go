package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// errUnavailable is what callers see when Fabric could not be reached or did
// not answer in time; the cause is wrapped for the log.
var errUnavailable = domain.Errorf(domain.CodeUnavailable, "ledger unavailable, retry later")

// mapError turns a fabric-gateway error into the API vocabulary (which
// errors are retryable is profile.RetryableCall's rule): chaincode
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
	if e, ok := profile.ChaincodeError(err); ok {
		return e
	}
	var ce *client.CommitError
	if errors.As(err, &ce) {
		if profile.IsConflictCode(ce.Code) {
			return fmt.Errorf("%s: %w: %w", fn, domain.Errorf(domain.CodeConflict,
				"transaction %s was invalidated by a concurrent update (%s); retry", ce.TransactionID, ce.Code), err)
		}
		return fmt.Errorf("%s: %w", fn, err)
	}
	if profile.RetryableCall(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", fn, errUnavailable, err)
	}
	return fmt.Errorf("%s: %w", fn, err)
}
