package ledger

import (
	"errors"
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

func TestMapErrorNeverReportsAnInvalidatedTransactionAsSuccess(t *testing.T) {
	err := mapError("registry:RegisterItems", &client.CommitError{TransactionID: "t1", Code: peer.TxValidationCode_MVCC_READ_CONFLICT})
	if domain.CodeOf(err) != domain.CodeConflict {
		t.Fatalf("MVCC conflict mapped to %v, want CONFLICT", err)
	}
	err = mapError("x", status.Error(codes.Unavailable, "down"))
	if domain.CodeOf(err) != domain.CodeUnavailable {
		t.Fatalf("unavailable mapped to %v", err)
	}
	if domain.CodeOf(mapError("x", errors.New("boom"))) != domain.CodeInternal {
		t.Fatal("unknown error not INTERNAL")
	}
}

func TestChaincodeErrorsKeepTheirCode(t *testing.T) {
	err := status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, NOT_FOUND: 88.1/X is not registered")
	got := mapError("registry:GetItem", err)
	if !errors.Is(got, domain.ErrNotFound) {
		t.Fatalf("mapped to %v, want NOT_FOUND", got)
	}
	if profile.RetryableCall(err) {
		t.Fatal("a chaincode rule error is retried")
	}
}
