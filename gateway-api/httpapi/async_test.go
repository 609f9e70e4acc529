package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// memJobs is an in-memory JobStore (cache.Jobs keeps them in Redis; its
// own test runs against a real redis-server).
type memJobs struct {
	mu   sync.Mutex
	jobs map[string]cache.Job
}

func (m *memJobs) Create(_ context.Context, j cache.Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jobs[j.ID] = j
	return nil
}

func (m *memJobs) Finish(_ context.Context, id string, status int, result []byte, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.jobs[id]
	j.Status, j.HTTPStatus, j.Result, j.DoneAt = cache.JobDone, status, result, &at
	m.jobs[id] = j
	return nil
}

func (m *memJobs) Get(_ context.Context, id string) (cache.Job, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	return j, ok, nil
}

// gatedRegistrar registers through the fake ledger once its gate opens and
// runs the after-commit path, as ledger.Coalescer does.
type gatedRegistrar struct {
	l     *fakeLedger
	gate  chan struct{}
	after func(context.Context, ledger.Committed) // nil: none
}

func (g gatedRegistrar) Register(ctx context.Context, user string, items []domain.ItemInput) (domain.BatchResult, error) {
	<-g.gate
	b, _ := json.Marshal(items)
	done, err := g.l.Submit(ctx, ledger.Call{User: user, Fn: ledger.FnRegisterItems, Args: []string{string(b)}})
	if err != nil {
		return domain.BatchResult{}, err
	}
	if g.after != nil {
		g.after(ctx, done)
	}
	var res domain.BatchResult
	err = json.Unmarshal(done.Result, &res)
	res.TxID = done.TxID
	return res, err
}

func newAsyncAPI(t *testing.T) (*testAPI, chan struct{}, *[]string) {
	gate := make(chan struct{})
	var invalidated []string
	var mu sync.Mutex
	a := newTestAPI(t, func(d *Deps) {
		d.Jobs = &memJobs{jobs: map[string]cache.Job{}}
		d.Registrar = gatedRegistrar{d.Ledger.(*fakeLedger), gate, func(_ context.Context, done ledger.Committed) {
			mu.Lock()
			invalidated = append(invalidated, done.Event.IDs...)
			mu.Unlock()
		}}
	})
	return a, gate, &invalidated
}

func (a *testAPI) doAsync(user, body string) *httptest.ResponseRecorder {
	req := newRequest(http.MethodPost, "/v1/items", body)
	req.Header.Set("Authorization", "Bearer key-"+user)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "respond-async, wait=10")
	return serve(a.h, req)
}

func TestRespondAsyncAnswers202AndTheJobCarriesTheOutcome(t *testing.T) {
	a, gate, invalidated := newAsyncAPI(t)
	rec := a.doAsync("maker-operator", `{"items":[{"id":"88.118.8/A-1","kind":"unit","industry":"generic"}]}`)
	if rec.Code != http.StatusAccepted || rec.Header().Get("Preference-Applied") != "respond-async" {
		t.Fatalf("status %d, Preference-Applied %q: %s", rec.Code, rec.Header().Get("Preference-Applied"), rec.Body)
	}
	loc := rec.Header().Get("Location")
	if !strings.HasPrefix(loc, "/v1/jobs/") {
		t.Fatalf("Location %q", loc)
	}
	poll := func(user string) (int, cache.Job) {
		r := a.do(http.MethodGet, loc, user, "")
		var j cache.Job
		_ = json.Unmarshal(r.Body.Bytes(), &j)
		return r.Code, j
	}
	if code, j := poll("maker-operator"); code != http.StatusOK || j.Status != cache.JobPending || j.Items != 1 {
		t.Fatalf("before the commit: %d %+v", code, j)
	}
	if _, ok := a.ledger.items["88.118.8/A-1"]; ok {
		t.Fatal("registered before the registrar ran")
	}
	if code, _ := poll("partner-operator"); code != http.StatusNotFound {
		t.Fatalf("another user's poll: %d, want 404", code)
	}
	close(gate)
	var j cache.Job
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, j = poll("maker-operator"); j.Status == cache.JobDone {
			break
		}
	}
	var res domain.BatchResult
	if j.Status != cache.JobDone || j.HTTPStatus != http.StatusCreated || json.Unmarshal(j.Result, &res) != nil ||
		len(res.Results) != 1 || res.Results[0].Status != domain.ResultCreated || res.TxID == "" {
		t.Fatalf("done job %+v", j)
	}
	if _, ok := a.ledger.items["88.118.8/A-1"]; !ok {
		t.Fatal("not registered")
	}
	if len(*invalidated) != 1 || (*invalidated)[0] != "88.118.8/A-1" {
		t.Fatalf("invalidated %v", *invalidated)
	}
}

func TestRespondAsyncRefusesBadInputAtOnceAndWritesNothing(t *testing.T) {
	a, gate, _ := newAsyncAPI(t)
	close(gate)
	rec := a.doAsync("maker-operator", `{"items":[]}`)
	if rec.Code != http.StatusBadRequest || errorCode(t, rec) != domain.CodeInvalid {
		t.Fatalf("empty batch: %d %s", rec.Code, rec.Body)
	}
	if rec := a.doAsync("maker-qa", `{"items":[{"id":"88.118.8/A-2","kind":"unit","industry":"generic"}]}`); rec.Code != http.StatusForbidden {
		t.Fatalf("a QA user: %d %s", rec.Code, rec.Body)
	}
	if n := len(a.ledger.submits); n != 0 {
		t.Fatalf("%d submits for refused requests", n)
	}
}

func TestAJobOutcomeOfARejectedBatchIs422(t *testing.T) {
	a, gate, _ := newAsyncAPI(t)
	close(gate)
	// A prefix the maker does not own: every item rejected.
	rec := a.doAsync("maker-operator", `{"items":[{"id":"88.999.1/A-1","kind":"unit","industry":"generic"}]}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var j cache.Job
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && j.Status != cache.JobDone; time.Sleep(5 * time.Millisecond) {
		_ = json.Unmarshal(a.do(http.MethodGet, rec.Header().Get("Location"), "maker-operator", "").Body.Bytes(), &j)
	}
	if j.Status != cache.JobDone || j.HTTPStatus != http.StatusUnprocessableEntity {
		t.Fatalf("job %+v", j)
	}
}

func TestJobIDsAreChecked(t *testing.T) {
	a, _, _ := newAsyncAPI(t)
	if rec := a.do(http.MethodGet, "/v1/jobs/nothex", "maker-operator", ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("malformed id: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/v1/jobs/"+strings.Repeat("a", 32), "maker-operator", ""); rec.Code != http.StatusNotFound || errorCode(t, rec) != domain.CodeNotFound {
		t.Fatalf("unknown id: %d %s", rec.Code, rec.Body)
	}
}

func TestWithoutTheHeaderRegistrationStaysSynchronous(t *testing.T) {
	a, gate, _ := newAsyncAPI(t)
	close(gate)
	if rec := a.do(http.MethodPost, "/v1/items", "maker-operator", `{"items":[{"id":"88.118.8/A-3","kind":"unit","industry":"generic"}]}`); rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
