package site

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/hotcache"
)

func newHotAPI(t *testing.T) (*pubAPI, *hotcache.Cache) {
	hot := hotcache.New(hotcache.Config{TTL: time.Hour})
	return newPubAPI(t, func(d *httpapi.Deps) { d.Hot = hot }), hot
}

func TestKeyedVerifyComesFromTheHotCacheUntilItsIDIsInvalidated(t *testing.T) {
	a, hot := newHotAPI(t)
	first := a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "")
	second := a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "")
	if first.Code != http.StatusOK || second.Body.String() != first.Body.String() {
		t.Fatalf("answers differ: %d %s / %d %s", first.Code, first.Body, second.Code, second.Body)
	}
	if n := a.reads.Calls(ledger.FnVerify); n != 1 {
		t.Fatalf("%d verify reads for two keyed requests, want 1", n)
	}
	if cc := second.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	// A recall lands: the event listener invalidates the id.
	v := a.reads.Verifs[unitID] // between requests (ledgertest.Reads)
	v.Recalled, v.Status = true, domain.StatusRecalled
	v.Recall = &domain.Recall{ID: unitID, Reason: "test", At: "2026-11-27T07:00:00Z", By: "RegulatorMSP"}
	a.reads.Verifs[unitID] = v
	if got := decodeView(t, a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "").Body.Bytes()); got.Recalled {
		t.Fatal("the recall showed before its invalidation: the hot cache was not used")
	}
	hot.Invalidate(unitID)
	if got := decodeView(t, a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "").Body.Bytes()); !got.Recalled || got.Recall == nil {
		t.Fatalf("after the invalidation: %+v", got)
	}
}

func TestFlushDropsEveryHotAnswer(t *testing.T) {
	a, hot := newHotAPI(t)
	round := func() (verify, item int) {
		a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", "")
		a.do(http.MethodGet, "/v1/items/"+unitID, "maker-operator", "")
		return a.reads.Calls(ledger.FnVerify), a.reads.Calls(ledger.FnGetItem)
	}
	v1, i1 := round()
	if v2, i2 := round(); v2 != v1 || i2 != i1 {
		t.Fatalf("second round read the store: verify %d→%d, item %d→%d", v1, v2, i1, i2)
	}
	hot.Flush() // an event gap or a recall epoch
	if v3, i3 := round(); v3 != 2*v1 || i3 != 2*i1 {
		t.Fatalf("after a flush: verify %d→%d, item %d→%d; want every read again", v1, v3, i1, i3)
	}
}

func TestNoCacheSkipsTheHotCache(t *testing.T) {
	a, _ := newHotAPI(t)
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/v1/verify/"+unitID, nil)
		req.Header.Set("Authorization", "Bearer key-maker-operator")
		req.Header.Set("Cache-Control", "no-cache")
		if rec := serve(a.h, req); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if n := a.reads.Calls(ledger.FnVerify); n != 3 {
		t.Fatalf("%d verify reads for three no-cache requests, want 3", n)
	}
}

func TestAnonymousVerifyStillCountsEveryScan(t *testing.T) {
	a, _ := newHotAPI(t)
	var v PublicView
	for range 3 {
		v = decodeView(t, a.do(http.MethodGet, "/v1/verify/"+unitID, "", "").Body.Bytes())
	}
	if v.Scans != 3 {
		t.Fatalf("scans = %d after 3 anonymous verifies", v.Scans)
	}
}

func TestUnknownIDIsNotCachedAndStaysNotGenuine(t *testing.T) {
	a, _ := newHotAPI(t)
	for range 2 {
		rec := a.do(http.MethodGet, "/v1/verify/88.118.8/NOPE", "maker-operator", "")
		if rec.Code != http.StatusNotFound || errorCode(t, rec) != domain.CodeNotFound {
			t.Fatalf("status %d %s", rec.Code, rec.Body)
		}
		if body := decodeView(t, rec.Body.Bytes()); body.Genuine {
			t.Fatalf("genuine for an unknown id: %s", rec.Body)
		}
	}
	if n := a.reads.Calls(ledger.FnVerify); n != 2 {
		t.Fatalf("%d verify reads, want 2 (a miss is not cached)", n)
	}
}

func TestItemAndGS1MatchComeFromTheHotCache(t *testing.T) {
	a, _ := newHotAPI(t)
	round := func() [3]int {
		if rec := a.do(http.MethodGet, "/v1/items/"+unitID, "maker-operator", ""); rec.Code != http.StatusOK {
			t.Fatalf("item: %d %s", rec.Code, rec.Body)
		}
		req := httptest.NewRequest(http.MethodGet, "/01/"+testGTIN+"/21/0001", nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer key-maker-operator")
		if rec := serve(a.h, req); rec.Code != http.StatusOK || decodeView(t, rec.Body.Bytes()).ID != unitID {
			t.Fatalf("digital link: %d %s", rec.Code, rec.Body)
		}
		return [3]int{a.reads.Calls(ledger.FnGetItem), a.reads.Calls(ledger.FnFindByGTIN), a.reads.Calls(ledger.FnVerify)}
	}
	first := round()
	if first[1] != 1 || first[2] != 1 {
		t.Fatalf("first round: %v", first)
	}
	if again := round(); again != first {
		t.Fatalf("reads (item, FindByGTIN, verify) grew from %v to %v on a hot round", first, again)
	}
}

// BenchmarkKeyedVerify: allocations and time per keyed verify of a hot id
// through the whole handler chain, answered from the in-process cache's
// rendered bytes vs rendered per request from the shared cache's JSON (the
// in-memory stand-in: Redis's network hop is not part of this figure).
func BenchmarkKeyedVerify(b *testing.B) {
	for _, tc := range []struct {
		name     string
		hot      bool
		logFile  bool // the request log as deployed: JSON lines to a file
		parallel bool // 32 goroutines per core, as the 32-client benchmark
	}{
		{"rendered per request", false, false, false},
		{"in-process cache", true, false, false},
		{"in-process cache, request log to a file", true, true, false},
		{"in-process cache, request log to a file, parallel", true, true, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			t := &testing.T{}
			var tweak []func(*httpapi.Deps)
			if tc.hot {
				tweak = append(tweak, func(d *httpapi.Deps) { d.Hot = hotcache.New(hotcache.Config{TTL: time.Hour}) })
			}
			if tc.logFile {
				f, err := os.Create(filepath.Join(b.TempDir(), "api.log"))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				tweak = append(tweak, func(d *httpapi.Deps) { d.Log = slog.New(slog.NewJSONHandler(f, nil)) })
			}
			a := newPubAPI(t, tweak...)
			req := httptest.NewRequest(http.MethodGet, "/v1/verify/"+unitID, nil)
			req.Header.Set("Authorization", "Bearer key-maker-operator")
			b.ReportAllocs()
			b.ResetTimer()
			if tc.parallel {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						rec := httptest.NewRecorder()
						a.h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Errorf("status %d", rec.Code)
							return
						}
					}
				})
				return
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// A hit of the in-process cache logs its request line at debug level only
// (the line and its write were a third of a hit's CPU); the miss that
// filled it logs at info as every other request.
func TestHotHitsLogAtDebugLevel(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		lines int
	}{{slog.LevelInfo, 1}, {slog.LevelDebug, 3}} {
		var buf syncBuffer
		a := newPubAPI(t, func(d *httpapi.Deps) {
			d.Hot = hotcache.New(hotcache.Config{TTL: time.Hour})
			d.Log = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.level}))
		})
		for range 3 {
			if rec := a.do(http.MethodGet, "/v1/verify/"+unitID, "maker-operator", ""); rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
		}
		if n := strings.Count(buf.String(), `"msg":"http"`); n != tc.lines {
			t.Errorf("level %s: %d request lines for a miss and two hits, want %d:\n%s", tc.level, n, tc.lines, buf.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
