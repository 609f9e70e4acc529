//go:build integration

package scaleout

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// handledAfter reports which of txs the replica's log shows as handled
// chaincode events after the log offset from (debug line "chaincode event").
func handledAfter(t *testing.T, log string, from int64, txs []string) (handled, missing []string) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	tail := ""
	if int64(len(b)) > from {
		tail = string(b[from:])
	}
	for _, tx := range txs {
		found := false
		for _, l := range strings.Split(tail, "\n") {
			if strings.Contains(l, `"chaincode event"`) && strings.Contains(l, `"txId":"`+tx+`"`) {
				found = true
				break
			}
		}
		if found {
			handled = append(handled, tx)
		} else {
			missing = append(missing, tx)
		}
	}
	return handled, missing
}

// handledTxs: tx ids of the chaincode events in the log between from and
// to (to < 0: the end).
func handledTxs(t *testing.T, log string, from, to int64) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if to < 0 || to > int64(len(b)) {
		to = int64(len(b))
	}
	txs := map[string]bool{}
	for _, m := range txIDPattern.FindAllStringSubmatch(string(b[from:to]), -1) {
		txs[m[1]] = true
	}
	return txs
}

var txIDPattern = regexp.MustCompile(`"msg":"chaincode event"[^\n]*?"txId":"([0-9a-f]+)"`)

func logSize(t *testing.T, log string) int64 {
	t.Helper()
	st, err := os.Stat(log)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// Two API replicas on different ports share the network's Redis, each with
// its own event listener and checkpoint file. A recall written through one
// shows on the other's cached verify and consumer page within 1 s. A
// replica stopped while others write, then restarted from its checkpoint,
// handles every event it missed and none from before its stop.
func TestTwoReplicasShareRedisAndResumeFromCheckpoints(t *testing.T) {
	w := mustWorld(t)
	dir := t.TempDir()
	a := startAPI(t, w, "replica-a", 8093, "", filepath.Join(dir, "a.checkpoint"))
	b := startAPI(t, w, "replica-b", 8094, "", filepath.Join(dir, "b.checkpoint"))

	lot, units := newItems(t, a, 2)
	u := units[0]
	page := func(x *api) string {
		r := expect(t, "page on "+x.name, x.call(t, "GET", "/v/"+u, "", nil), 200)
		return string(r.body)
	}
	for range 2 {
		b.verify(t, u)
		page(b)
	}
	const hit = `idchain_cache_lookups_total{fn="public:Verify",result="hit"}`
	hits := b.metric(t, hit)
	if b.verify(t, u).Recalled {
		t.Fatalf("%s recalled before the recall", u)
	}
	if b.metric(t, hit) <= hits {
		t.Fatal("b's verify is not served from the shared cache")
	}
	const reason = "副本一致性测试 replica coherence"
	rec := expect(t, "recall through a", a.call(t, "POST", "/v1/items/"+u+"/recall", "regulator", `{"reason":"`+reason+`"}`), 200)
	d := eventually(t, time.Second, func() string {
		if !b.verify(t, u).Recalled {
			return "recall through a not on b's cached verify"
		}
		if !strings.Contains(page(b), reason) {
			return "recall through a not on b's consumer page"
		}
		return ""
	})
	t.Logf("recall through replica a visible on b's cached verify and page after %s", d)

	// b's own listener follows too: its log shows the recall's event.
	eventually(t, 5*time.Second, func() string {
		if _, missing := handledAfter(t, b.log, 0, []string{rec.tx}); len(missing) > 0 {
			return "b's listener has not handled the recall " + rec.tx
		}
		return ""
	})

	// Stop b; write through a while it is down; restart b from its checkpoint.
	cpBefore, err := os.ReadFile(b.checkpoint)
	if err != nil {
		t.Fatalf("b has no checkpoint file: %v", err)
	}
	b.stop(syscall.SIGTERM)
	from := logSize(t, b.log)
	seenBefore := handledTxs(t, b.log, 0, from)
	var missed []string
	r := expect(t, "recall lot while b is down", a.call(t, "POST", "/v1/items/"+lot+"/recall", "regulator", `{"reason":"b 停机期间 while b is down"}`), 200)
	missed = append(missed, r.tx)
	for i := range 2 {
		r := expect(t, "register while b is down", a.call(t, "POST", "/v1/items", "maker-operator",
			map[string]any{"items": []map[string]any{{"id": fmt.Sprintf("%s/D%d", strings.TrimSuffix(lot, "/LOT"), i),
				"kind": "unit", "industry": "kitchen_bath", "model": "SO-1", "serial": fmt.Sprintf("D%d", i)}}}), 201)
		missed = append(missed, r.tx)
	}
	for _, tx := range missed {
		if tx == "" {
			t.Fatal("a write answered without X-Tx-Id")
		}
	}
	b2 := startAPI(t, w, "replica-b", 8094, "", b.checkpoint)
	eventually(t, 15*time.Second, func() string {
		if _, missing := handledAfter(t, b2.log, from, missed); len(missing) > 0 {
			return fmt.Sprintf("restarted b has not handled %v (missed while down)", missing)
		}
		return ""
	})
	// Nothing handled before the stop is delivered again.
	again := 0
	for tx := range handledTxs(t, b2.log, from, -1) {
		if seenBefore[tx] {
			t.Errorf("restarted b handled %s again (it was handled before the stop)", tx)
		}
		again++
	}
	if len(seenBefore) == 0 || again < len(missed) {
		t.Fatalf("too little to compare: %d events before the stop, %d after", len(seenBefore), again)
	}
	t.Logf("restarted replica b handled the %d events it missed (checkpoint %d bytes before the stop)", len(missed), len(cpBefore))
	if !b2.verify(t, lot).Recalled {
		t.Fatal("restarted b does not show the recall written while it was down")
	}
}
