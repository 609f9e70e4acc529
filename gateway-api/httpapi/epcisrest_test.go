package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// problemOf decodes an application/problem+json answer.
func problemOf(t *testing.T, rec interface {
	Result() *http.Response
}, body []byte) Problem {
	t.Helper()
	if ct := rec.Result().Header.Get("Content-Type"); ct != mimeProblem {
		t.Fatalf("content type %q, want %s: %s", ct, mimeProblem, body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil || !strings.HasPrefix(p.Type, "epcisException:") || p.Title == "" {
		t.Fatalf("not an EPCIS problem: %s", body)
	}
	return p
}

func TestEPCISDiscoveryAndHeaders(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do(http.MethodOptions, "/epcis/events", "", "")
	h := rec.Header()
	if rec.Code != http.StatusNoContent || h.Get("Allow") != "OPTIONS, GET" || h.Get("GS1-EPCIS-Version") != EPCISVersion ||
		h.Get("GS1-CBV-Version") != CBVVersion || h.Get("GS1-EPCIS-Max") == "" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("OPTIONS /epcis/events: %d %v", rec.Code, h)
	}
	if rec := a.do(http.MethodOptions, "/epcis/capture", "", ""); rec.Header().Get("Allow") != "OPTIONS, GET, POST" {
		t.Errorf("OPTIONS /epcis/capture Allow %q", rec.Header().Get("Allow"))
	}
	rec = a.do(http.MethodGet, "/epcis/eventTypes", "partner-operator", "")
	var coll struct {
		Type   string   `json:"type"`
		Member []string `json:"member"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &coll); err != nil || coll.Type != "Collection" || len(coll.Member) != 5 || rec.Header().Get("GS1-EPCIS-Version") != EPCISVersion {
		t.Fatalf("eventTypes %d %s", rec.Code, rec.Body)
	}
	rec = a.do(http.MethodGet, "/epcis/bizSteps", "partner-operator", "")
	if !strings.Contains(rec.Body.String(), `"shipping"`) {
		t.Errorf("bizSteps %s", rec.Body)
	}
}

func TestEPCISErrorsAreProblems(t *testing.T) {
	a := newTestAPI(t)
	for _, tc := range []struct {
		name, method, path, user, body string
		status                         int
		typ                            string
	}{
		{"no key", "GET", "/epcis/events", "", "", 401, "epcisException:SecurityException"},
		{"a wrong key", "GET", "/epcis/events", "nobody", "", 401, "epcisException:SecurityException"},
		{"an unknown parameter", "GET", "/epcis/events?colour=red", "partner-operator", "", 400, "epcisException:QueryParameterException"},
		{"a bad time", "GET", "/epcis/events?GE_eventTime=yesterday", "partner-operator", "", 400, "epcisException:QueryParameterException"},
		{"a forged page token", "GET", "/epcis/events?nextPageToken=abc", "partner-operator", "", 400, "epcisException:QueryParameterException"},
		{"an inspector may not capture", "POST", "/epcis/capture", "maker-inspector", "{}", 403, "epcisException:SecurityException"},
		{"not a document", "POST", "/epcis/capture", "maker-operator", "[1]", 400, "epcisException:ValidationException"},
		{"a bad behaviour header", "POST", "/epcis/capture?", "maker-operator", "{}", 400, "epcisException:ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(tc.method, tc.path, tc.body)
			if tc.user != "" {
				req.Header.Set("Authorization", "Bearer key-"+tc.user)
			}
			if tc.name == "a bad behaviour header" {
				req.Header.Set("GS1-Capture-Error-Behaviour", "sometimes")
			}
			rec := serve(a.h, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if p := problemOf(t, rec, rec.Body.Bytes()); p.Type != tc.typ || p.Status != tc.status {
				t.Fatalf("problem %+v, want %s", p, tc.typ)
			}
		})
	}
	if n := a.ledger.submitted(ledger.FnEPCISCapture); n != 0 {
		t.Fatalf("%d captures submitted", n)
	}
}

func restDoc(events ...string) string {
	return `{"@context":["` + epcis.ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-27T08:00:00Z","epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`
}

func observe(i int) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","action":"OBSERVE","bizStep":"shipping","eventTime":"2026-11-27T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:0614141.812345.%d"]}`, i)
}

// TestEPCISCaptureRollbackRefusesInvalidDocuments: by default (rollback)
// one invalid event refuses the document with a ValidationException that
// names the event, and nothing reaches the ledger.
func TestEPCISCaptureRollbackRefusesInvalidDocuments(t *testing.T) {
	a := newTestAPI(t)
	bad := `{"type":"AssociationEvent","action":"ADD","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"+00:00"}`
	rec := a.do(http.MethodPost, "/epcis/capture", "maker-operator", restDoc(observe(1), bad))
	p := problemOf(t, rec, rec.Body.Bytes())
	if rec.Code != 400 || p.Type != "epcisException:ValidationException" || len(p.Errors) != 1 || p.Errors[0].Index != 1 || !strings.Contains(p.Errors[0].Detail, "parentID") {
		t.Fatalf("%d %+v", rec.Code, p)
	}
	if n := a.ledger.submitted(ledger.FnEPCISCapture); n != 0 {
		t.Fatalf("%d captures submitted", n)
	}
}

// TestEPCISCaptureProceedChunksAJob: with proceed, 1,200 events go to the
// ledger in transactions of 500 under one job id with their offsets, and
// the answer is 202 with the job's Location.
func TestEPCISCaptureProceedChunksAJob(t *testing.T) {
	a := newTestAPI(t)
	var evs []string
	for i := 0; i < 1200; i++ {
		evs = append(evs, observe(i))
	}
	req := newRequest(http.MethodPost, "/epcis/capture", restDoc(evs...))
	req.Header.Set("Authorization", "Bearer key-maker-operator")
	req.Header.Set("GS1-Capture-Error-Behaviour", "proceed")
	rec := serve(a.h, req)
	if rec.Code != http.StatusAccepted || !strings.HasPrefix(rec.Header().Get("Location"), "/epcis/capture/") {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	job := strings.TrimPrefix(rec.Header().Get("Location"), "/epcis/capture/")
	var offsets []int
	for _, call := range a.ledger.submits {
		if call.Fn != ledger.FnEPCISCapture {
			continue
		}
		var o epcis.CaptureOptions
		var chunk []json.RawMessage
		if json.Unmarshal([]byte(call.Args[1]), &o) != nil || json.Unmarshal([]byte(call.Args[0]), &chunk) != nil || o.JobID != job || o.Total != 1200 || o.Rollback {
			t.Fatalf("capture call %v", call.Args[1])
		}
		if len(chunk) > epcis.MaxCapture {
			t.Fatalf("a transaction of %d events", len(chunk))
		}
		offsets = append(offsets, o.Offset)
	}
	if fmt.Sprint(offsets) != "[0 500 1000]" {
		t.Fatalf("offsets %v", offsets)
	}
	req = newRequest(http.MethodPost, "/epcis/capture", restDoc(evs...))
	req.Header.Set("Authorization", "Bearer key-maker-operator")
	if rec := serve(a.h, req); rec.Code != http.StatusRequestEntityTooLarge || problemOf(t, rec, rec.Body.Bytes()).Type != "epcisException:CaptureLimitExceededException" {
		t.Fatalf("a rollback capture of 1,200 events: %d %s", rec.Code, rec.Body)
	}
}

// TestEPCISEventsPagesAndValidates: the query answer is an
// EPCISQueryDocument valid against GS1's schema; a bookmark becomes a
// nextPageToken in Link rel="next", which brings the bookmark back.
func TestEPCISEventsPagesAndValidates(t *testing.T) {
	a := newTestAPI(t)
	raw := epcistest.Example(t, "object-urn.jsonld")
	parsed, err := epcis.ParseEPCISDocument(raw, epcis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := epcis.Page{Bookmark: "\x00epcisby\x00PartnerMSP\x00next"}
	for _, o := range parsed {
		page.Events = append(page.Events, epcis.Stored{Record: *o.Record, RecordTime: "2026-11-27T08:00:00Z", Owner: "PartnerMSP"})
	}
	a.ledger.epcisPage, _ = json.Marshal(page)
	rec := a.do(http.MethodGet, "/epcis/events?eventType=ObjectEvent&perPage=2", "partner-operator", "")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	res, err := mustEPCISSchema(t).Validate(gojsonschema.NewBytesLoader(rec.Body.Bytes()))
	if err != nil || !res.Valid() {
		t.Fatalf("query document: %v %v", err, res.Errors())
	}
	if !strings.Contains(rec.Body.String(), `"type":"EPCISQueryDocument"`) || !strings.Contains(rec.Body.String(), `"recordTime":"2026-11-27T08:00:00Z"`) {
		t.Fatalf("body %s", rec.Body)
	}
	link := rec.Header().Get("Link")
	start, end := strings.Index(link, "<"), strings.Index(link, ">")
	if start < 0 || end < start || !strings.Contains(link, `rel="next"`) {
		t.Fatalf("Link %q", link)
	}
	next, _ := url.Parse(link[start+1 : end])
	if rec := a.do(http.MethodGet, next.RequestURI(), "partner-operator", ""); rec.Code != 200 {
		t.Fatalf("next page %d %s", rec.Code, rec.Body)
	}
	if got := a.ledger.queries[len(a.ledger.queries)-1].Args[2]; got != page.Bookmark {
		t.Fatalf("the next page asked from bookmark %q", got)
	}
	// The token belongs to its query: another query cannot reuse it.
	q := next.Query()
	q.Set("eventType", "AggregationEvent")
	if rec := a.do(http.MethodGet, "/epcis/events?"+q.Encode(), "partner-operator", ""); rec.Code != 400 {
		t.Fatalf("a token on another query: %d", rec.Code)
	}
}
