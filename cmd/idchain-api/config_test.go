package main

import (
	"io"
	"testing"
)

func TestPublicOriginIsConfiguredNeverGuessed(t *testing.T) {
	for _, tc := range []struct{ configured, addr, want string }{
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", ":8080", "http://localhost:8080"},
		{"https://id.example.cn/", "127.0.0.1:8080", "https://id.example.cn"},
		{"http://10.0.0.2:9000", "127.0.0.1:8080", "http://10.0.0.2:9000"},
	} {
		if got, err := publicOrigin(tc.configured, tc.addr); err != nil || got != tc.want {
			t.Errorf("publicOrigin(%q, %q) = %q, %v; want %q", tc.configured, tc.addr, got, err, tc.want)
		}
	}
	for _, bad := range []string{"id.example.cn", "ftp://id.example.cn", "https://", "https://id.example.cn/v?x=1", "https://u:p@id.example.cn"} {
		if got, err := publicOrigin(bad, "127.0.0.1:8080"); err == nil {
			t.Errorf("publicOrigin(%q) = %q, want an error", bad, got)
		}
	}
}

func TestConfigReadsProxiesAndRefusesBadOnes(t *testing.T) {
	env := map[string]string{"IDCHAIN_TRUSTED_PROXIES": "10.0.0.0/8", "IDCHAIN_OPS_ADDR": "127.0.0.1:19090"}
	c, err := parseConfig([]string{"idchain-api"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || len(c.trustedProxies) != 1 || c.opsAddr != "127.0.0.1:19090" || c.publicURL != "http://127.0.0.1:8080" {
		t.Fatalf("config %+v %v", c, err)
	}
	env["IDCHAIN_TRUSTED_PROXIES"] = "the-load-balancer"
	if _, err := parseConfig([]string{"idchain-api"}, func(k string) string { return env[k] }, io.Discard); err == nil {
		t.Fatal("a proxy name that is no IP or CIDR was accepted")
	}
}
