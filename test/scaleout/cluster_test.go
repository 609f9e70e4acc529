//go:build integration

package scaleout

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/gateway-api/scans"
)

// clusterBase is the first Redis Cluster port of the network's block
// (6390–6395 + IDCHAIN_PORT_OFFSET; the network's own Redis is on 6380).
const clusterBase = 6390

// redisCluster is a local Redis Cluster: three masters, one replica each.
type redisCluster struct {
	addrs []string
	nodes map[string]*proc // address → process
	rdb   *redis.ClusterClient
}

// url is the cluster's Redis URL for the API (redis-cluster://seeds).
func (c *redisCluster) url() string { return "redis-cluster://" + strings.Join(c.addrs, ",") }

// startCluster starts six redis-server --cluster-enabled yes nodes (no
// persistence) and joins them with redis-cli --cluster create
// --cluster-replicas 1; the test's cleanup stops every node.
func startCluster(t *testing.T, w world) *redisCluster {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is needed for the Redis Cluster test: %v", bin, err)
		}
	}
	c := &redisCluster{nodes: map[string]*proc{}}
	dir := t.TempDir()
	for i := range 6 {
		port := w.port(clusterBase + i)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		nodeDir := filepath.Join(dir, strconv.Itoa(port))
		if err := os.MkdirAll(nodeDir, 0o700); err != nil {
			t.Fatal(err)
		}
		c.addrs = append(c.addrs, addr)
		c.nodes[addr] = start(t, "redis-cluster-"+strconv.Itoa(port), filepath.Join(w.runDir, "logs", "scaleout-redis-"+strconv.Itoa(port)+".log"),
			nil, "redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", nodeDir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1500",
			"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no")
	}
	for _, addr := range c.addrs {
		host, port, _ := strings.Cut(addr, ":")
		eventually(t, 10*time.Second, func() string {
			if out, err := exec.Command("redis-cli", "-h", host, "-p", port, "ping").CombinedOutput(); err != nil || !strings.Contains(string(out), "PONG") {
				return fmt.Sprintf("%s: %v %s", addr, err, out)
			}
			return ""
		})
	}
	args := append([]string{"--cluster", "create"}, c.addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.rdb = redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.addrs})
	t.Cleanup(func() { c.rdb.Close() })
	c.waitOK(t, "")
	return c
}

// waitOK waits until every live node reports cluster_state:ok, all 16384
// slots are served and (unless dead is "") dead is no master any more.
func (c *redisCluster) waitOK(t *testing.T, dead string) {
	t.Helper()
	eventually(t, 30*time.Second, func() string {
		for addr, p := range c.nodes {
			if p.exited() {
				continue
			}
			host, port, _ := strings.Cut(addr, ":")
			out, err := exec.Command("redis-cli", "-h", host, "-p", port, "cluster", "info").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "cluster_state:ok") || !strings.Contains(string(out), "cluster_slots_ok:16384") {
				return fmt.Sprintf("%s: %v %s", addr, err, out)
			}
		}
		masters := c.masters(t)
		if len(masters) != 3 {
			return fmt.Sprintf("masters %v, want 3", masters)
		}
		for _, m := range masters {
			if m == dead {
				return dead + " still counted as a master"
			}
		}
		return ""
	})
}

// masters lists the addresses serving slots, from CLUSTER SLOTS of a live node.
func (c *redisCluster) masters(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for addr, p := range c.nodes {
		if p.exited() {
			continue
		}
		one := redis.NewClient(&redis.Options{Addr: addr})
		slots, err := one.ClusterSlots(ctx).Result()
		one.Close()
		if err != nil {
			continue
		}
		seen := map[string]bool{}
		var out []string
		for _, s := range slots {
			if len(s.Nodes) > 0 && !seen[s.Nodes[0].Addr] {
				seen[s.Nodes[0].Addr] = true
				out = append(out, s.Nodes[0].Addr)
			}
		}
		return out
	}
	return nil
}

// masterOf is the address of the master serving key's slot.
func (c *redisCluster) masterOf(t *testing.T, key string) string {
	t.Helper()
	ctx := context.Background()
	slot, err := c.rdb.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	slots, err := c.rdb.ClusterSlots(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if int64(s.Start) <= slot && slot <= int64(s.End) {
			return s.Nodes[0].Addr
		}
	}
	t.Fatalf("no master for slot %d", slot)
	return ""
}

// keys lists every idchain key of the cluster (SCAN on each master).
func (c *redisCluster) keys(t *testing.T) []string {
	t.Helper()
	var (
		mu  sync.Mutex
		all []string
	)
	err := c.rdb.ForEachMaster(context.Background(), func(ctx context.Context, m *redis.Client) error {
		ks, err := m.Keys(ctx, "idchain:*").Result()
		mu.Lock()
		all = append(all, ks...)
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// hashTag is the part of a key Redis Cluster hashes: the text between the
// first '{' and the next '}' when it is not empty, else the whole key.
func hashTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// keyGroup names which keys must share a slot: one group per item id (its
// cache entries, generation and scan counter) and one for the dashboard
// counters with their checkpoint; the owner's alerts per owner.
var (
	// a packed unit's entries ({lot}~n) live in its lot's slot, in its group
	cacheKey = regexp.MustCompile(`^idchain:c:\{([^}]+)\}(?:~[1-9][0-9]*)?:(item|verify|prov|gen)$`)
	scanKey  = regexp.MustCompile(`^idchain:s:\{([^}]+)\}$`)
	statsKey = regexp.MustCompile(`^idchain:s:\{stats\}(:\d{4}-\d{2}-\d{2}|cp|cp:txs)$`)
)

// The API's cache, scan counters and dashboard counters on a real Redis
// Cluster, shared by two API replicas: keys that must stay together share a
// hash tag and a slot; a recall written through one replica shows on the
// other's cached verify within 1 s; scans counted on either replica add up;
// the dashboard counters count each registration once although both
// replicas feed them; and when the master holding an item's cache entries
// is killed, a recall written during the failover is never hidden by a
// stale entry once a replica has taken over.
func TestRedisClusterCacheScansStatsAndFailover(t *testing.T) {
	w := mustWorld(t)
	c := startCluster(t, w)
	dir := t.TempDir()
	a := startAPI(t, w, "cluster-a", 8091, c.url(), filepath.Join(dir, "a.checkpoint"))
	b := startAPI(t, w, "cluster-b", 8092, c.url(), filepath.Join(dir, "b.checkpoint"))
	for _, x := range []*api{a, b} {
		if r := x.call(t, "GET", "/readyz", "", nil); !strings.Contains(string(r.body), `"redis":{"status":"ok"}`) {
			t.Fatalf("%s readyz: %s", x.name, r.body)
		}
	}

	// Dashboard counters: count before, register, expect +n+1 exactly once.
	day := scans.DayOf(time.Now()) // the recorder's day (China time): UTC differs from 16:00 to 24:00 UTC
	itemsCell := func() int64 {
		n, _ := c.rdb.HGet(context.Background(), "idchain:s:{stats}:"+day, "items|MakerMSP|kitchen_bath|").Int64() // the org's own records: no enterprise
		return n
	}
	// A fresh cluster has no counters: the feeds replay from block 0 first.
	// A sentinel registration through a answers once a's listener handled
	// it, so a's listener block is then at least the sentinel's block; wait
	// until the dashboard checkpoint passes it.
	newItems(t, a, 0)
	sentinel := a.metric(t, "idchain_event_listener_block")
	if sentinel <= 0 {
		t.Fatalf("a's idchain_event_listener_block is %v", sentinel)
	}
	eventually(t, 60*time.Second, func() string {
		b, err := c.rdb.HGet(context.Background(), "idchain:s:{stats}cp", "block").Uint64()
		if err != nil || float64(b) < sentinel {
			return fmt.Sprintf("dashboard feed at block %d (%v), sentinel in block %v", b, err, sentinel)
		}
		return ""
	})
	before := itemsCell()
	lot, units := newItems(t, a, 3)
	eventually(t, 10*time.Second, func() string {
		if got := itemsCell(); got != before+4 {
			return fmt.Sprintf("dashboard items counter %d, want %d (+4 once, although two replicas count)", got, before+4)
		}
		return ""
	})
	time.Sleep(time.Second) // a double count would show by now
	if got := itemsCell(); got != before+4 {
		t.Fatalf("dashboard items counter %d after settling, want %d", got, before+4)
	}

	// Scans: anonymous verifies on both replicas add up in one counter.
	u0, u1 := units[0], units[1]
	a.verify(t, u0)
	b.verify(t, u0)
	if v := a.verify(t, u0); v.Scans != 3 {
		t.Fatalf("scans of %s after 3 verifies on two replicas: %d", u0, v.Scans)
	}

	// Keys that must stay together share a hash tag (and so a slot).
	keys := c.keys(t)
	ctx := context.Background()
	slotOf := func(k string) int64 {
		s, err := c.rdb.ClusterKeySlot(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	groups := map[string][]string{}
	for _, k := range keys {
		switch {
		case cacheKey.MatchString(k):
			id := cacheKey.FindStringSubmatch(k)[1]
			groups["id "+id] = append(groups["id "+id], k)
		case scanKey.MatchString(k):
			id := scanKey.FindStringSubmatch(k)[1]
			groups["id "+id] = append(groups["id "+id], k)
		case statsKey.MatchString(k):
			groups["stats"] = append(groups["stats"], k)
		case k == "idchain:s:pending", strings.HasPrefix(k, "idchain:s:alerts:{"), strings.HasPrefix(k, "idchain:s:alertseen:{"):
		default:
			t.Errorf("key %q belongs to no known group", k)
		}
	}
	if len(groups["stats"]) < 2 || len(groups["id "+u0]) < 2 {
		t.Fatalf("too few keys to check: stats %v, %s %v", groups["stats"], u0, groups["id "+u0])
	}
	for g, ks := range groups {
		for _, k := range ks[1:] {
			if hashTag(k) != hashTag(ks[0]) || slotOf(k) != slotOf(ks[0]) {
				t.Errorf("group %s: %s (slot %d) and %s (slot %d) are apart", g, k, slotOf(k), ks[0], slotOf(ks[0]))
			}
		}
	}
	t.Logf("%d keys in the cluster, %d groups, all together", len(keys), len(groups))

	// Recall through a, seen through b's cache within 1 s.
	for range 2 { // warm both replicas' view (the second read is a hit)
		a.verify(t, u1)
		b.verify(t, u1)
	}
	hitsBefore := b.metric(t, `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`)
	if v := b.verify(t, u1); v.Recalled {
		t.Fatalf("%s recalled before the recall", u1)
	}
	if b.metric(t, `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`) <= hitsBefore {
		t.Fatal("b's verify is not served from the cluster cache")
	}
	expect(t, "recall unit", a.call(t, "POST", "/v1/items/"+u1+"/recall", "regulator", `{"reason":"集群测试 cluster test"}`), 200)
	d := eventually(t, time.Second, func() string {
		if !b.verify(t, u1).Recalled {
			return "recall through a not visible on b"
		}
		return ""
	})
	t.Logf("recall through a visible on b's cached verify after %s", d)

	// Failover: kill the master holding the lot's and its units' entries
	// (they are apart: find the lot's), recall the lot while it is down.
	target := units[2]
	for range 2 {
		a.verify(t, target)
		b.verify(t, target)
	}
	master := c.masterOf(t, "idchain:c:{"+target+"}:verify")
	t.Logf("killing master %s (holds %s)", master, target)
	c.nodes[master].stop(syscall.SIGKILL)
	start := time.Now()
	expect(t, "recall lot during failover", a.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator", `{"reason":"主节点故障期间 during failover"}`), 200)
	recallTook := time.Since(start)
	d = eventually(t, 5*time.Second, func() string {
		for _, x := range []*api{a, b} {
			if !x.verify(t, target).Recalled {
				return "recall during the failover not visible on " + x.name
			}
		}
		return ""
	})
	t.Logf("recall request during failover took %s; visible on both replicas %s later", recallTook, d)
	c.waitOK(t, master)
	t.Logf("replica promoted %s after the kill; masters %v", time.Since(start), c.masters(t))
	// Once both replicas use the cache again, the entry they serve is fresh.
	for _, x := range []*api{a, b} {
		eventually(t, 20*time.Second, func() string {
			r := x.call(t, "GET", "/readyz", "", nil)
			if !strings.Contains(string(r.body), `"redis":{"status":"ok"}`) {
				return fmt.Sprintf("%s readyz after failover: %s", x.name, r.body)
			}
			return ""
		})
		hits := x.metric(t, `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`)
		for range 3 {
			if !x.verify(t, target).Recalled {
				t.Fatalf("%s serves %s as not recalled after the failover", x.name, target)
			}
		}
		if x.metric(t, `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`) <= hits {
			t.Errorf("%s: verify not served from the cluster after the failover", x.name)
		}
	}
}
