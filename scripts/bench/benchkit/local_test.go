package benchkit

import "testing"

func TestLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		name, addr string
		ok         bool
	}{
		{"IPv4 loopback", "127.0.0.1:7100", true},
		{"another 127/8 address", "127.0.0.9:7100", true},
		{"IPv6 loopback", "[::1]:7100", true},
		{"localhost", "localhost:8080", true},
		{"a private address", "10.0.0.5:7100", false},
		{"a host name", "peer0.maker.example:7100", false},
		{"no port", "127.0.0.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := loopbackHost(tc.addr); (err == nil) != tc.ok {
				t.Fatalf("loopbackHost(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
			}
		})
	}
	if err := LoopbackURL("http://192.168.1.2:8080"); err == nil {
		t.Fatal("a private-range API URL was accepted")
	}
	if err := LoopbackURL("http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
}
