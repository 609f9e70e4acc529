//go:build integration

package network

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/idchain/idchain/profile"
)

// mustProfile loads the running network's profile.
func mustProfile(tb testing.TB) *profile.Profile {
	tb.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		tb.Fatalf("no running network (run make up): %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustSession opens a gateway session for a user, closed at test end.
func mustSession(tb testing.TB, p *profile.Profile, user string) *profile.Session {
	tb.Helper()
	s, err := p.Open(user, profile.DefaultTimeouts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// touchResult is the answer of system:Touch.
type touchResult struct {
	Key  string `json:"key"`
	TxID string `json:"txId"`
}

// pingResult is the answer of system:Ping.
type pingResult struct {
	MSP  string `json:"msp"`
	Role string `json:"role"`
	User string `json:"user"`
}

// touch submits system:Touch and waits for a valid commit, retrying while the
// network recovers. It returns the transaction id and block number.
func touch(ctx context.Context, s *profile.Session, key string) (string, uint64, error) {
	var txID string
	var block uint64
	err := profile.Retry(ctx, profile.DefaultBackoff, func(ctx context.Context) error {
		result, st, err := s.SubmitCommitted(ctx, "system:Touch", key, "v")
		if err != nil {
			return err
		}
		var r touchResult
		if err := json.Unmarshal(result, &r); err != nil {
			return fmt.Errorf("touch result %q: %w", result, err)
		}
		txID, block = st.TransactionID, st.BlockNumber
		return nil
	})
	return txID, block, err
}

func ping(ctx context.Context, s *profile.Session) (pingResult, error) {
	var r pingResult
	err := profile.Retry(ctx, profile.DefaultBackoff, func(context.Context) error {
		out, err := s.Contract().EvaluateTransaction("system:Ping")
		if err != nil {
			return err
		}
		return json.Unmarshal(out, &r)
	})
	return r, err
}

// uniqueKey returns a key no earlier run has used.
func uniqueKey(tb testing.TB) string {
	return fmt.Sprintf("nettest/%s/%d", tb.Name(), time.Now().UnixNano())
}

// nodeCtl runs network/node.sh ACTION NAME.
func nodeCtl(tb testing.TB, action, name string) {
	tb.Helper()
	script, err := nodeScript()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("bash", script, action, name).CombinedOutput()
	if err != nil {
		tb.Fatalf("node.sh %s %s: %v\n%s", action, name, err, out)
	}
}

func nodeScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "network", "node.sh")
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("network/node.sh not found above %s", dir)
		}
		dir = parent
	}
}

// restartAfterTest makes sure name runs again when the test ends and that the
// whole network serves every path again, so later tests (other packages too)
// do not inherit a half-recovered network.
func restartAfterTest(tb testing.TB, p *profile.Profile, name string) {
	tb.Cleanup(func() {
		nodeCtl(tb, "start", name)
		if err := p.WaitReady(context.Background(), 2*time.Minute); err != nil {
			tb.Errorf("network not ready again after restarting %s: %v", name, err)
		}
	})
}

// waitHeight polls an operations endpoint until the channel height reaches
// at least want.
func waitHeight(ctx context.Context, operations, channel string, want uint64) (uint64, error) {
	var got uint64
	var err error
	for ctx.Err() == nil {
		got, err = profile.BlockHeight(ctx, operations, channel)
		if err == nil && got >= want {
			return got, nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return got, fmt.Errorf("height at %s is %d, want >= %d: %v (%w)", operations, got, want, err, ctx.Err())
}

// firstUserWithRole returns the org's first user that has an idchain.role.
func firstUserWithRole(tb testing.TB, org profile.Org) profile.User {
	tb.Helper()
	for _, u := range org.Users {
		if u.Role != "" {
			return u
		}
	}
	tb.Fatalf("org %s has no user with a role", org.Name)
	return profile.User{}
}
