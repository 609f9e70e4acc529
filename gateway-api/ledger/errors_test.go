package ledger

import (
	"errors"
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/idchain/idchain/domain"
)

func TestTransientErrorsAreRetriedOthersNot(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"MVCC read conflict", &client.CommitError{Code: peer.TxValidationCode_MVCC_READ_CONFLICT}, true},
		{"phantom read conflict", &client.CommitError{Code: peer.TxValidationCode_PHANTOM_READ_CONFLICT}, true},
		{"endorsement policy failure", &client.CommitError{Code: peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE}, false},
		{"peer unavailable", status.Error(codes.Unavailable, "connection refused"), true},
		{"discovery not ready", status.Error(codes.FailedPrecondition, "no combination of peers can be derived"), true},
		{"no raft leader", status.Error(codes.Unavailable, "no orderers could successfully process"), true},
		{"a domain error", domain.Errorf(domain.CodeForbidden, "no"), false},
		{"an unknown error", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(tt.err); got != tt.want {
				t.Fatalf("transient = %v, want %v", got, tt.want)
			}
		})
	}
}

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
	if transient(err) {
		t.Fatal("a chaincode rule error is retried")
	}
}
