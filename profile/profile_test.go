package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const sample = `{"channel":"idchain","chaincode":"idchain","redisUrl":"redis://127.0.0.1:6380/0",
 "orgs":[{"mspId":"MakerMSP","name":"maker","peer":{"name":"peer0.maker","address":"127.0.0.1:7200"},
   "peers":[{"name":"peer0.maker","address":"127.0.0.1:7200"}],
   "users":[{"name":"maker-operator","role":"operator","cert":"c.pem","key":"k.pem"}]}],
 "orderers":[{"name":"orderer1","address":"127.0.0.1:7010"}]}`

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestLoadFindsOrgsUsersAndNodes(t *testing.T) {
	p, err := Load(writeFile(t, "profile.json", sample))
	if err != nil {
		t.Fatal(err)
	}
	org, u, err := p.User("maker-operator")
	if err != nil || org.MSPID != "MakerMSP" || u.Role != "operator" {
		t.Fatalf("User = %+v %+v %v", org, u, err)
	}
	if _, err := p.Org("MakerMSP"); err != nil {
		t.Errorf("Org by MSP id: %v", err)
	}
	if _, _, err := p.PeerByName("peer0.maker"); err != nil {
		t.Errorf("PeerByName: %v", err)
	}
	if _, err := p.Orderer("orderer9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown orderer: err = %v, want ErrNotFound", err)
	}
	if _, _, err := p.User("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
}

func TestLoadRejectsIncompleteProfiles(t *testing.T) {
	if _, err := Load(writeFile(t, "profile.json", `{"channel":"idchain"}`)); err == nil {
		t.Fatal("Load accepted a profile without chaincode and orgs")
	}
}

func TestReadEnvFileAcceptsPlainExportAndQuotedLines(t *testing.T) {
	env, err := ReadEnvFile(writeFile(t, "env", "# comment\nA=1\nexport B=two\nC=\"three 3\"\n\nD='x=y'\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two", "C": "three 3", "D": "x=y"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
}

func TestIsTransientSeparatesRestartsFromChaincodeErrors(t *testing.T) {
	withDetail := func(code codes.Code, msg, detail string) error {
		st, err := status.New(code, msg).WithDetails(&gateway.ErrorDetail{Message: detail})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Errorf("wrapped: %w", st.Err())
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"an unreachable peer is transient", status.Error(codes.Unavailable, "connection refused"), true},
		{"missing discovery data is transient", status.Error(codes.FailedPrecondition, "no combination of peers can be derived"), true},
		{"a stopped chaincode server is transient", withDetail(codes.Aborted, "failed to endorse transaction", "connection refused"), true},
		{"a chaincode error is final", withDetail(codes.Aborted, "failed to endorse transaction", "chaincode response 500, FORBIDDEN: no role"), false},
		{"a bad argument is final", status.Error(codes.InvalidArgument, "bad"), false},
		{"a plain error is final", errors.New("boom"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTransient(tc.err); got != tc.want {
				t.Errorf("IsTransient = %v, want %v", got, tc.want)
			}
		})
	}
	if msg := ChaincodeMessage(cases[3].err); msg != "FORBIDDEN: no role" {
		t.Errorf("ChaincodeMessage = %q", msg)
	}
}

func TestRetryStopsOnFinalErrors(t *testing.T) {
	calls := 0
	final := errors.New("final")
	err := Retry(context.Background(), DefaultBackoff, func(context.Context) error { calls++; return final })
	if !errors.Is(err, final) || calls != 1 {
		t.Fatalf("Retry = %v after %d calls, want final after 1", err, calls)
	}
	calls = 0
	b := Backoff{Initial: 1, Max: 1, Total: 1 << 40}
	err = Retry(context.Background(), b, func(context.Context) error {
		calls++
		if calls < 3 {
			return status.Error(codes.Unavailable, "down")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Retry = %v after %d calls, want success after 3", err, calls)
	}
}
