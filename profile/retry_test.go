package profile

import (
	"errors"
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/idchain/idchain/domain"
)

func TestRetryableCallRetriesTransientErrorsOnly(t *testing.T) {
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
		{"a chaincode rule", status.Error(codes.Unknown, "chaincode response 500, NOT_FOUND: 88.1/X"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RetryableCall(tt.err); got != tt.want {
				t.Fatalf("RetryableCall = %v, want %v", got, tt.want)
			}
		})
	}
}
