package cache

import (
	"slices"
	"strings"
	"testing"
)

func TestRedisURLForms(t *testing.T) {
	tests := []struct {
		name, url  string
		addrs      []string
		cluster    bool
		master     string
		db         int
		user, pass string
		tls        bool
	}{
		{"one node", "redis://127.0.0.1:6380/2", []string{"127.0.0.1:6380"}, false, "", 2, "", "", false},
		{"one node with TLS and credentials", "rediss://app:s3cret@cache.example:6380/0", []string{"cache.example:6380"}, false, "", 0, "app", "s3cret", true},
		{"cluster from comma-separated seeds", "redis://:pw@10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000", []string{"10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"}, true, "", 0, "", "pw", false},
		{"cluster with one seed", "redis-cluster://10.0.0.1:7000?dial_timeout=2s", []string{"10.0.0.1:7000"}, true, "", 0, "", "", false},
		{"cluster seeds without a scheme", "10.0.0.1:7000,10.0.0.2:7001", []string{"10.0.0.1:7000", "10.0.0.2:7001"}, true, "", 0, "", "", false},
		{"cluster over TLS", "rediss-cluster://a:7000,b:7000", []string{"a:7000", "b:7000"}, true, "", 0, "", "", true},
		{"sentinel", "redis-sentinel://s1:26379,s2:26379,s3:26379/1?master_name=idchain&password=masterpw",
			[]string{"s1:26379", "s2:26379", "s3:26379"}, false, "idchain", 1, "", "masterpw", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := universalOptions(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.Addrs, tt.addrs) || o.IsClusterMode != tt.cluster || o.MasterName != tt.master || o.DB != tt.db {
				t.Fatalf("got addrs %v cluster %v master %q db %d", o.Addrs, o.IsClusterMode, o.MasterName, o.DB)
			}
			if o.Username != tt.user || o.Password != tt.pass || (o.TLSConfig != nil) != tt.tls {
				t.Fatalf("got user %q password %q TLS %v", o.Username, o.Password, o.TLSConfig != nil)
			}
			if o.PoolSize < 64 {
				t.Errorf("pool size %d, want at least 64", o.PoolSize)
			}
		})
	}
}

func TestSentinelURLCredentials(t *testing.T) {
	o, err := universalOptions("redis-sentinel://sentuser:sentpw@s1:26379?master_name=m&username=app&password=apppw")
	if err != nil {
		t.Fatal(err)
	}
	if o.SentinelUsername != "sentuser" || o.SentinelPassword != "sentpw" || o.Username != "app" || o.Password != "apppw" {
		t.Fatalf("sentinel %q/%q master %q/%q", o.SentinelUsername, o.SentinelPassword, o.Username, o.Password)
	}
}

func TestBadRedisURLsAreRefusedWithoutTheirPassword(t *testing.T) {
	for _, u := range []string{
		"",
		"memcached://127.0.0.1:11211",
		"redis-sentinel://s1:26379",           // no master_name
		"redis://:topsecret@127.0.0.1:6379/x", // bad db
		"redis://127.0.0.1:6379?no_such_option=1",   // unknown option
		"redis-cluster://:topsecret@a:7000?bogus=1", // unknown option
		"redis://",
	} {
		_, err := universalOptions(u)
		if err == nil {
			t.Errorf("%q: accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%q: error shows the password: %v", u, err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://u:pw@h:1/0": "redis://xxxxx@h:1/0",
		"redis-sentinel://s:1?master_name=m&password=pw&db=1": "redis-sentinel://s:1?master_name=m&password=xxxxx&db=1",
		"redis://h:1": "redis://h:1",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRedisURL(f *testing.F) {
	for _, s := range []string{"redis://127.0.0.1:6380/0", "a:1,b:2", "redis-sentinel://u:p@s:1,t:2/3?master_name=m", "rediss-cluster://x@y:1?addr=z:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := universalOptions(s)
		if err == nil && len(o.Addrs) == 0 {
			t.Fatalf("%q: no addresses", s)
		}
	})
}
