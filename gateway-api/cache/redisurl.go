package cache

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// universalOptions reads the Redis URL into options for
// redis.NewUniversalClient, through go-redis's own URL parsers:
//
//	redis://[user:pass@]host:port[/db][?opts]            one node (redis.ParseURL; rediss:// for TLS)
//	redis://[user:pass@]host1:port1,host2:port2[?opts]   Redis Cluster seeds (redis.ParseClusterURL)
//	redis-cluster://[user:pass@]host:port[,host:port…]   Redis Cluster, also with one seed
//	redis-sentinel://[user:pass@]host:port[,host:port…][/db]?master_name=NAME[&password=…]
//	                                                     Sentinel (redis.ParseFailoverURL): the hosts are
//	                                                     sentinels, userinfo is the sentinels' credentials,
//	                                                     username/password in the query the master's
//	host1:port1,host2:port2                              Cluster seeds without a scheme
//
// rediss-cluster:// and rediss-sentinel:// use TLS. Options are go-redis's
// snake_case query parameters (dial_timeout, pool_size, …).
func universalOptions(raw string) (*redis.UniversalOptions, error) {
	opts, err := parseRedisURL(raw)
	if err != nil {
		return nil, fmt.Errorf("cache: Redis URL %q: %w", RedactURL(raw), err)
	}
	opts.PoolSize = max(opts.PoolSize, 64)
	return opts, nil
}

func parseRedisURL(raw string) (*redis.UniversalOptions, error) {
	if raw == "" {
		return nil, errors.New("empty")
	}
	if !strings.Contains(raw, "://") {
		raw = "redis-cluster://" + raw
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	tls := strings.HasPrefix(scheme, "rediss")
	base := "redis"
	if tls {
		base = "rediss"
	}
	switch scheme {
	case "redis", "rediss":
		if u, hosts, err := seedURL(base, rest); err != nil {
			return nil, err
		} else if len(hosts) > 1 {
			return clusterOptions(u)
		}
		o, err := redis.ParseURL(raw)
		if err != nil {
			return nil, err
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, ClientName: o.ClientName, DB: o.DB, Protocol: o.Protocol,
			Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig, PoolSize: o.PoolSize,
		}, nil
	case "redis-cluster", "rediss-cluster":
		u, _, err := seedURL(base, rest)
		if err != nil {
			return nil, err
		}
		return clusterOptions(u)
	case "redis-sentinel", "rediss-sentinel":
		u, _, err := seedURL(base, rest)
		if err != nil {
			return nil, err
		}
		o, err := redis.ParseFailoverURL(u)
		if err != nil {
			return nil, err
		}
		if o.MasterName == "" {
			return nil, errors.New("a Sentinel URL needs ?master_name=")
		}
		return &redis.UniversalOptions{
			Addrs: o.SentinelAddrs, MasterName: o.MasterName, ClientName: o.ClientName, DB: o.DB, Protocol: o.Protocol,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig, PoolSize: o.PoolSize,
			RouteByLatency: o.RouteByLatency, RouteRandomly: o.RouteRandomly,
		}, nil
	}
	return nil, fmt.Errorf("unknown scheme %q (redis, rediss, redis-cluster, redis-sentinel)", scheme)
}

// clusterOptions reads a redis:// URL with addr= seeds (ParseClusterURL).
func clusterOptions(u string) (*redis.UniversalOptions, error) {
	o, err := redis.ParseClusterURL(u)
	if err != nil {
		return nil, err
	}
	return &redis.UniversalOptions{
		Addrs: o.Addrs, IsClusterMode: true, ClientName: o.ClientName, Protocol: o.Protocol,
		Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig, PoolSize: o.PoolSize,
		ReadOnly: o.ReadOnly, RouteByLatency: o.RouteByLatency, RouteRandomly: o.RouteRandomly,
	}, nil
}

// seedURL rewrites "[userinfo@]h1:p1,h2:p2[/path][?query]" (after the
// scheme) into the form go-redis parses: the first host in the authority,
// the others as addr= parameters. hosts lists them all.
func seedURL(scheme, rest string) (u string, hosts []string, err error) {
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo, hostlist := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostlist = authority[:i+1], authority[i+1:]
	}
	for _, h := range strings.Split(hostlist, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		return "", nil, errors.New("no host")
	}
	var extra []string
	for _, h := range hosts[1:] {
		extra = append(extra, "addr="+url.QueryEscape(h))
	}
	if len(extra) > 0 {
		sep := "?"
		if strings.Contains(tail, "?") {
			sep = "&"
		}
		tail += sep + strings.Join(extra, "&")
	}
	return scheme + "://" + userinfo + hosts[0] + tail, hosts, nil
}

// RedactURL hides the password of a Redis URL (for logs and errors).
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 && !strings.ContainsAny(rest[:i], "/?") {
		rest = "xxxxx" + rest[i:]
	}
	if i := strings.Index(rest, "password="); i >= 0 {
		end := strings.IndexByte(rest[i:], '&')
		if end < 0 {
			end = len(rest) - i
		}
		rest = rest[:i] + "password=xxxxx" + rest[i+end:]
	}
	return scheme + "://" + rest
}
