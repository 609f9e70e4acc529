// Package redistest starts a throw-away redis-server for tests that need
// the real Redis (no fake).
package redistest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Start runs a redis-server without persistence on a free loopback port for
// the test and returns a client; it skips when the binary is not installed
// (fails under IDCHAIN_TEST_STRICT=1, as make test sets).
func Start(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
			tb.Fatal("redis-server not installed (apt-get install -y redis-server)")
		}
		tb.Skip("redis-server not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", tb.TempDir())
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	tb.Cleanup(func() { rdb.Close() })
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return rdb
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("redis-server did not start")
	return nil
}
