package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
)

// fakeAPI implements the documented batch routes: per-entry results,
// 201 all ok / 207 some rejected / 422 all rejected, idempotent re-sends.
type fakeAPI struct {
	mu        sync.Mutex
	stored    map[string]string // id → JSON of the entry
	requests  int
	received  []string // ids in arrival order
	failNext  int      // answer this many requests with 503
	status    int      // if set, answer every request with this status
	okBudget  int      // if ≥ 0: answer 503 once this many requests succeeded
	countOnly bool     // count entries instead of storing them
	count     int
}

func newFakeAPI(t *testing.T) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{stored: map[string]string{}, okBudget: -1}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	fail := func(status int, code domain.Code, msg string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": domain.Error{Code: code, Message: msg}})
	}
	switch {
	case f.status != 0:
		fail(f.status, domain.CodeUnauthorized, "bad key")
		return
	case f.okBudget == 0:
		fail(http.StatusServiceUnavailable, domain.CodeUnavailable, "peer down")
		return
	case f.failNext > 0:
		f.failNext--
		fail(http.StatusServiceUnavailable, domain.CodeUnavailable, "peer down")
		return
	case r.Header.Get("Authorization") != "Bearer k1":
		fail(http.StatusUnauthorized, domain.CodeUnauthorized, "bad key")
		return
	}
	kind := strings.TrimPrefix(r.URL.Path, "/v1/")
	var body map[string][]json.RawMessage
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || len(body[kind]) == 0 || len(body[kind]) > 1000 || r.Method != http.MethodPost {
		fail(http.StatusBadRequest, domain.CodeInvalid, "malformed")
		return
	}
	if f.okBudget > 0 {
		f.okBudget--
	}
	res := domain.BatchResult{}
	rejected := 0
	for _, raw := range body[kind] {
		if f.countOnly {
			f.count++
			res.Results = append(res.Results, domain.ItemResult{Status: domain.ResultCreated})
			continue
		}
		var e struct{ ID, Parent, Type string }
		json.Unmarshal(raw, &e)
		f.received = append(f.received, e.ID)
		key := strings.Join(strings.Fields(kind+" "+e.Type+" "+e.ID), " ")
		r := domain.ItemResult{ID: e.ID, Status: domain.ResultCreated}
		if kind == "events" {
			r.Status = domain.ResultRecorded
		}
		switch prev, seen := f.stored[key]; {
		case !strings.Contains(e.ID, "/"):
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeInvalidIdentifier, "missing '/'")
		case e.Parent != "" && f.stored["items "+e.Parent] == "":
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeNotFound, "parent %s", e.Parent)
		case seen && prev == string(raw):
			r.Status = domain.ResultUnchanged
		case seen && kind == "items":
			r.Status, r.Error = domain.ResultRejected, domain.Errorf(domain.CodeConflict, "different content")
		default:
			f.stored[key] = string(raw)
		}
		if r.Error != nil {
			rejected++
		}
		res.Results = append(res.Results, r)
	}
	switch {
	case rejected == len(res.Results):
		w.WriteHeader(http.StatusUnprocessableEntity)
	case rejected > 0:
		w.WriteHeader(http.StatusMultiStatus)
	default:
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(res)
}

// writeCSV writes rows (header first) to a temp file.
func writeCSV(t testing.TB, name string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func itemRows(n int, from int) [][]string {
	rows := [][]string{{"id", "kind", "industry", "model", "gtin", "serial", "parent", "attr.color"}}
	for i := from; i < from+n; i++ {
		rows = append(rows, []string{fmt.Sprintf("88.118.8/KB-%06d", i), "unit", "kitchen_bath", "JZT-2B", "06901234567892", fmt.Sprint(i), "", "black"})
	}
	return rows
}

// runCLI runs `idctl import args…` against srv and returns exit code and output.
func runCLI(t testing.TB, srv *httptest.Server, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{ctx: context.Background(), getenv: func(k string) string {
		return map[string]string{"IDCHAIN_API": srv.URL, "IDCHAIN_KEY_MAKER_OPERATOR": "k1"}[k]
	}, stdout: &out, stderr: &errb}
	code := runImport(e, args)
	return code, out.String(), errb.String()
}

func readErrors(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path + ".errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestImportItemsInBatches(t *testing.T) {
	api, srv := newFakeAPI(t)
	path := writeCSV(t, "items.csv", itemRows(2500, 0))
	code, out, errOut := runCLI(t, srv, path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if api.requests != 3 || len(api.stored) != 2500 {
		t.Errorf("%d requests, %d items stored; want 3 and 2500", api.requests, len(api.stored))
	}
	if !strings.Contains(out, "新建 created 2500") || !strings.Contains(errOut, "2500/2500") {
		t.Errorf("output:\n%s\n%s", out, errOut)
	}
	var st importState
	data, _ := os.ReadFile(path + ".progress")
	if err := json.Unmarshal(data, &st); err != nil || st.Rows != 2500 || st.Kind != "items" {
		t.Errorf("progress file %s (%v)", data, err)
	}
	var item domain.ItemInput
	json.Unmarshal([]byte(api.stored["items 88.118.8/KB-000007"]), &item)
	if item.Serial != "7" || item.Attributes["color"] != "black" || item.Kind != domain.KindUnit {
		t.Errorf("sent %+v", item)
	}
	// A re-run finds everything committed and sends nothing.
	before := api.requests
	if code, _, _ := runCLI(t, srv, path); code != exitOK || api.requests != before {
		t.Errorf("re-run: exit %d, %d more requests", code, api.requests-before)
	}
	// -restart sends everything again: the API answers unchanged.
	code, out, _ = runCLI(t, srv, "-restart", path)
	if code != exitOK || !strings.Contains(out, "未变 unchanged 2500") {
		t.Errorf("restart: exit %d, %s", code, out)
	}
}

func TestImportReportsRejectedRows(t *testing.T) {
	_, srv := newFakeAPI(t)
	path := writeCSV(t, "items.csv", [][]string{
		{"id", "kind", "industry", "parent", "inputs", "input_quantities"},
		{"88.118.8/CASE-1", "case", "kitchen_bath", "", "", ""},
		{"no-slash", "unit", "kitchen_bath", "", "", ""},
		{"88.118.8/U-1", "unit", "kitchen_bath", "88.118.8/CASE-1", "", ""},
		{"88.118.8/U-2", "unit", "kitchen_bath", "88.118.8/CASE-404", "", ""},
		{"88.118.9/B-1", "batch", "cosmetics", "", "88.118.9/M-1 88.118.9/M-2", "12.5kg"},
		{"", "unit", "kitchen_bath", "", "", ""},
	})
	code, _, errOut := runCLI(t, srv, path)
	if code != exitInvalid || !strings.Contains(errOut, "4 行被拒绝") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	want := [][]string{
		{"row", "id", "code", "message"},
		{"3", "no-slash", "INVALID_IDENTIFIER", "missing '/'"},
		{"5", "88.118.8/U-2", "NOT_FOUND", "parent 88.118.8/CASE-404"},
		{"6", "88.118.9/B-1", "INVALID", "input_quantities 有 1 项, inputs 有 2 项 (counts differ)"},
		{"7", "", "INVALID", "id 为空 (empty id)"},
	}
	if got := readErrors(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("error report:\n got %q\nwant %q", got, want)
	}
}

func TestImportRetriesAndResumes(t *testing.T) {
	importBackoff = time.Millisecond
	api, srv := newFakeAPI(t)
	path := writeCSV(t, "items.csv", itemRows(2500, 0))

	// Two 503s are retried away.
	api.failNext = 2
	code, _, errOut := runCLI(t, srv, "-batch", "1000", "-retries", "3", path)
	if code != exitOK || strings.Count(errOut, "重试 retry") != 2 {
		t.Fatalf("exit %d: %s", code, errOut)
	}

	// Too many 503s stop the run; the progress file keeps what committed.
	path2 := writeCSV(t, "more.csv", itemRows(2500, 10000))
	api.mu.Lock()
	api.received, api.okBudget = nil, 1 // one batch gets through, then the API is down
	api.mu.Unlock()
	code, _, errOut = runCLI(t, srv, "-retries", "1", path2)
	if code != exitInvalid || !strings.Contains(errOut, "stopped after row 1000") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	api.mu.Lock()
	api.received, api.okBudget = nil, -1
	api.mu.Unlock()
	if code, _, errOut = runCLI(t, srv, path2); code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, errOut)
	}
	if len(api.received) != 1500 || api.received[0] != "88.118.8/KB-011000" {
		t.Errorf("resume sent %d rows starting at %v; want the last 1500", len(api.received), api.received[:1])
	}
}

func TestImportStopsOnPermanentErrors(t *testing.T) {
	api, srv := newFakeAPI(t)
	api.status = http.StatusUnauthorized
	path := writeCSV(t, "items.csv", itemRows(10, 0))
	code, _, errOut := runCLI(t, srv, path)
	if code != exitInvalid || api.requests != 1 || !strings.Contains(errOut, "HTTP 401 UNAUTHORIZED") {
		t.Errorf("exit %d after %d requests: %s", code, api.requests, errOut)
	}
}

func TestImportEvents(t *testing.T) {
	api, srv := newFakeAPI(t)
	path := writeCSV(t, "events.csv", [][]string{
		{"type", "id", "children", "step", "equipment", "destination", "region", "read_point"},
		{"packing", "88.118.8/CASE-1", "88.118.8/U-1  88.118.8/U-2", "", "", "", "", "PACK-1"},
		{"process_step", "88.118.10/PNL-1", "", "drilling", "DR-3", "", "", ""},
		{"shipping", "88.118.8/CASE-1", "", "", "", "PartnerMSP", "CN-44", ""},
	})
	if code, _, errOut := runCLI(t, srv, path); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got domain.EventInput
	json.Unmarshal([]byte(api.stored["events packing 88.118.8/CASE-1"]), &got)
	want := domain.EventInput{Type: domain.EventPacking, ID: "88.118.8/CASE-1", Children: []string{"88.118.8/U-1", "88.118.8/U-2"}, ReadPoint: "PACK-1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sent %+v, want %+v", got, want)
	}
}

func TestRowMapperHeaders(t *testing.T) {
	tests := []struct {
		name, kind string
		header     []string
		wantKind   string
		wantErr    string
	}{
		{"items are recognised by their kind column", "", []string{"ID", " kind", "industry"}, "items", ""},
		{"events are recognised by their type column", "", []string{"type", "id"}, "events", ""},
		{"a BOM before the first column is ignored", "", []string{"\ufeffid", "kind", "industry"}, "items", ""},
		{"an unknown header cannot be guessed", "", []string{"id", "name"}, "", "cannot tell"},
		{"unknown columns are refused", "items", []string{"id", "kind", "industry", "colour"}, "", "unknown column"},
		{"required columns are checked", "items", []string{"id", "kind"}, "", `missing required column "industry"`},
		{"duplicate columns are refused", "", []string{"id", "kind", "industry", "id"}, "", "duplicate column"},
		{"events take no attributes", "events", []string{"type", "id", "attr.x"}, "", "attribute columns"},
		{"a bad kind flag", "lots", []string{"id"}, "", "-kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newRowMapper(tc.kind, tc.header)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %v, want error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || m.kind != tc.wantKind {
				t.Errorf("got %v, %v", m, err)
			}
		})
	}
}

func TestParseInputs(t *testing.T) {
	tests := []struct {
		name, ids, qtys string
		want            []domain.Input
		wantErr         bool
	}{
		{"no inputs", "", "", nil, false},
		{"ids only", "88.1/a  88.1/b", "", []domain.Input{{ID: "88.1/a"}, {ID: "88.1/b"}}, false},
		{"amounts with units", "88.1/a 88.1/b", "12.5kg 3", []domain.Input{{ID: "88.1/a", Quantity: 12.5, Unit: "kg"}, {ID: "88.1/b", Quantity: 3}}, false},
		{"a count mismatch", "88.1/a", "1kg 2kg", nil, true},
		{"a bad amount", "88.1/a", "kg", nil, true},
		{"a negative amount", "88.1/a", "-1kg", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseInputs(tc.ids, tc.qtys)
			if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}

func TestImportRefusesAnotherFilesProgress(t *testing.T) {
	_, srv := newFakeAPI(t)
	path := writeCSV(t, "items.csv", itemRows(3, 0))
	os.WriteFile(path+".progress", []byte(`{"kind":"events","header":["type","id"],"rows":2}`), 0o644)
	if code, _, errOut := runCLI(t, srv, path); code != exitInvalid || !strings.Contains(errOut, "-restart") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestImport100kRows imports 100,000 rows and logs time and heap: the
// importer holds one batch at a time, so its heap stays flat.
func TestImport100kRows(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	api, srv := newFakeAPI(t)
	api.countOnly = true
	path := filepath.Join(t.TempDir(), "items.csv")
	f, _ := os.Create(path)
	w := csv.NewWriter(f)
	w.Write(itemRows(0, 0)[0])
	for i := 0; i < 100000; i++ {
		w.Write(itemRows(1, i)[1])
	}
	w.Flush()
	f.Close()
	done, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		var m runtime.MemStats
		var peak uint64
		for {
			select {
			case <-done:
				peakc <- peak
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	start := time.Now()
	code, _, errOut := runCLI(t, srv, path)
	close(done)
	peak := <-peakc
	api.mu.Lock()
	defer api.mu.Unlock()
	if code != exitOK || api.count != 100000 || api.requests != 100 {
		t.Fatalf("exit %d, %d received, %d requests: %s", code, api.count, api.requests, errOut)
	}
	t.Logf("100,000 rows in %s (%d requests); peak heap %d MiB (importer and fake API)",
		time.Since(start).Round(time.Millisecond), api.requests, peak>>20)
}

func TestImportRowUnitsMakesAPackedLot(t *testing.T) {
	m, err := newRowMapper("items", []string{"id", "kind", "industry", "model", "units", "attr.productionDate"})
	if err != nil {
		t.Fatal(err)
	}
	_, v, err := m.entry([]string{"88.118.8/LOT-1", "lot", "kitchen_bath", "JZT-2B", "5000", "2026-12-01"})
	if err != nil {
		t.Fatal(err)
	}
	if it := v.(domain.ItemInput); it.Units != 5000 || it.Kind != domain.KindLot {
		t.Fatalf("entry %+v", it)
	}
	for _, bad := range []string{"0", "-3", "many"} {
		if _, _, err := m.entry([]string{"88.118.8/LOT-2", "lot", "kitchen_bath", "JZT-2B", bad, "2026-12-01"}); err == nil {
			t.Fatalf("units %q accepted", bad)
		}
	}
}
