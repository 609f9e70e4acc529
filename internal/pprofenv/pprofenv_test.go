package pprofenv

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestStartRefusesAnAddressOffLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.0.0.5:6060", ":6060", "nonsense"} {
		if err := Start(addr); err == nil {
			t.Errorf("Start(%q) accepted", addr)
		}
	}
}

func TestStartServesTheProfileIndex(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := Start(addr); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "goroutine") {
		t.Fatalf("index: %d %.200s", res.StatusCode, b)
	}
}
