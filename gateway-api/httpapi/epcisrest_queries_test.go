package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/redistest"
)

// newQueriesAPI is the test API with named queries in a real Redis and a
// maker admin.
func newQueriesAPI(t *testing.T) *testAPI {
	store := cache.NewNamedQueries(redistest.Start(t))
	return newTestAPI(t, func(d *Deps) {
		d.NamedQueries = store
		users := map[string]Principal{"maker-admin": {Name: "maker-admin", MSPID: "MakerMSP", Role: RoleAdmin}}
		for k, v := range d.Users {
			users[k] = v
		}
		d.Users = users
		d.Keys[HashKey("key-maker-admin")] = "maker-admin"
	})
}

func TestEPCISNamedQueries(t *testing.T) {
	a := newQueriesAPI(t)
	def := `{"name":"shipped","query":{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"eventType":["ObjectEvent"],"EQ_bizStep":["shipping","receiving"],"GE_quantity":10,"EXISTS_errorDeclaration":null,"GE_errorDeclaration_Time":"2026-11-01T00:00:00Z"}}`
	rec := a.do(http.MethodPost, "/epcis/queries", "maker-operator", def)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/epcis/queries/shipped" {
		t.Fatalf("create: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	var got QueryDefinition
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Name != "shipped" || !strings.Contains(string(got.Query), `"EQ_bizStep":["shipping","receiving"]`) {
		t.Fatalf("created definition %s", rec.Body)
	}
	rec = a.do(http.MethodPost, "/epcis/queries", "maker-inspector", def)
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusConflict || p.Type != "epcisException:ResourceAlreadyExistsException" {
		t.Fatalf("second create: %d %s", rec.Code, rec.Body)
	}
	// Another org may use the same name: queries are per org.
	if rec := a.do(http.MethodPost, "/epcis/queries", "partner-operator", strings.Replace(def, `"shipping","receiving"`, `"receiving"`, 1)); rec.Code != http.StatusCreated {
		t.Fatalf("the same name in another org: %d %s", rec.Code, rec.Body)
	}

	// Read back: the org's users see it, the other org sees its own.
	rec = a.do(http.MethodGet, "/epcis/queries/shipped", "maker-inspector", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"shipping","receiving"`) {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(http.MethodGet, "/epcis/queries/shipped", "partner-qa", "")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"shipping"`) {
		t.Fatalf("the other org's query: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(http.MethodGet, "/epcis/queries/none", "maker-operator", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusNotFound || p.Type != "epcisException:NoSuchResourceException" {
		t.Fatalf("unknown query: %d %s", rec.Code, rec.Body)
	}

	// Run it: the saved parameters reach epcis:QueryEvents with the request's perPage.
	rec = a.do(http.MethodGet, "/epcis/queries/shipped/events?perPage=5", "maker-qa", "")
	var doc epcis.QueryDocument
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Type != epcis.QueryDocumentType {
		t.Fatalf("events: %d %s", rec.Code, rec.Body)
	}
	last := a.ledger.queries[len(a.ledger.queries)-1]
	var q epcis.Query
	if last.Fn != ledger.FnEPCISQuery || json.Unmarshal([]byte(last.Args[0]), &q) != nil {
		t.Fatalf("ledger call %+v", last)
	}
	if q.PerPage != 5 || len(q.EventTypes) != 1 || len(q.BizSteps) != 2 || q.GEQuantity == nil || *q.GEQuantity != 10 ||
		!q.ExistsErrorDeclaration || q.GEErrorDeclarationTime.IsZero() {
		t.Fatalf("query sent to the ledger: %+v", q)
	}
	rec = a.do(http.MethodGet, "/epcis/queries/shipped/events?stream=true", "maker-qa", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || p.Type != "epcisException:QueryParameterException" {
		t.Fatalf("subscription parameter: %d %s", rec.Code, rec.Body)
	}
	rec = a.do(http.MethodGet, "/epcis/queries/shipped/events?EQ_bizStep=shipping", "maker-qa", "")
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("a query parameter on a named query's events: %d %s", rec.Code, rec.Body)
	}

	// Delete: not by another user of the org, by its creator (or an admin).
	rec = a.do(http.MethodDelete, "/epcis/queries/shipped", "maker-inspector", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusForbidden || p.Type != "epcisException:SecurityException" {
		t.Fatalf("delete by another user: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(http.MethodDelete, "/epcis/queries/shipped", "maker-operator", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete by its creator: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(http.MethodGet, "/epcis/queries/shipped", "maker-operator", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("deleted query still there: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/epcis/queries/shipped/events", "maker-operator", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("deleted query still runs: %d", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/epcis/queries/shipped", "partner-qa", ""); rec.Code != http.StatusOK {
		t.Fatalf("deleting removed the other org's query: %d", rec.Code)
	}
	if rec := a.do(http.MethodPost, "/epcis/queries", "maker-inspector", strings.Replace(def, "shipped", "inspected", 1)); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	if rec := a.do(http.MethodDelete, "/epcis/queries/inspected", "maker-admin", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete by an admin of the org: %d %s", rec.Code, rec.Body)
	}
}

func TestEPCISNamedQueriesRefuseBadDefinitions(t *testing.T) {
	a := newQueriesAPI(t)
	for _, tc := range []struct{ name, body, typ string }{
		{"not JSON", `{`, "ValidationException"},
		{"no query", `{"name":"a"}`, "QueryParameterException"},
		{"an unknown member", `{"name":"a","query":{},"colour":1}`, "ValidationException"},
		{"a bad name", `{"name":"a/b","query":{}}`, "ValidationException"},
		{"an empty name", `{"name":"","query":{}}`, "ValidationException"},
		{"an unknown parameter", `{"name":"a","query":{"colour":["red"]}}`, "QueryParameterException"},
		{"an unsupported parameter", `{"name":"a","query":{"orderBy":"eventTime"}}`, "QueryParameterException"},
		{"a bad value", `{"name":"a","query":{"GE_eventTime":"yesterday"}}`, "QueryParameterException"},
		{"paging in the query", `{"name":"a","query":{"perPage":5}}`, "QueryParameterException"},
		{"an object value", `{"name":"a","query":{"EQ_bizStep":{"a":1}}}`, "QueryParameterException"},
		{"a pipe in a list", `{"name":"a","query":{"EQ_readPoint":["https://x.example/a|b"]}}`, "QueryParameterException"},
		{"an empty list", `{"name":"a","query":{"EQ_bizStep":[]}}`, "QueryParameterException"},
		{"two spellings of one parameter", `{"name":"a","query":{"GE_errorDeclarationTime":"2026-11-01T00:00:00Z","GE_errorDeclaration_Time":"2026-11-01T00:00:00Z"}}`, "QueryParameterException"},
	} {
		rec := a.do(http.MethodPost, "/epcis/queries", "maker-operator", tc.body)
		if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusBadRequest || p.Type != "epcisException:"+tc.typ {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	if rec := a.do(http.MethodGet, "/epcis/queries", "maker-operator", ""); rec.Code != http.StatusOK || rec.Body.String() != "[]" {
		t.Fatalf("refused definitions were stored: %s", rec.Body)
	}
}

func TestEPCISNamedQueryListPages(t *testing.T) {
	a := newQueriesAPI(t)
	for _, n := range []string{"c", "a", "b"} {
		if rec := a.do(http.MethodPost, "/epcis/queries", "maker-operator", `{"name":"`+n+`","query":{"eventType":["ObjectEvent"]}}`); rec.Code != http.StatusCreated {
			t.Fatal(rec.Body)
		}
	}
	rec := a.do(http.MethodGet, "/epcis/queries?perPage=2", "maker-qa", "")
	var page []QueryDefinition
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page) != 2 || page[0].Name != "a" || page[1].Name != "b" {
		t.Fatalf("first page: %d %s", rec.Code, rec.Body)
	}
	link := rec.Header().Get("Link")
	next := strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
	if !strings.HasPrefix(next, "/epcis/queries?") {
		t.Fatalf("Link %q", link)
	}
	rec = a.do(http.MethodGet, next, "maker-qa", "")
	if json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page) != 1 || page[0].Name != "c" || rec.Header().Get("Link") != "" {
		t.Fatalf("second page: %s %v", rec.Body, rec.Header())
	}
	if rec := a.do(http.MethodGet, "/epcis/queries", "partner-operator", ""); rec.Body.String() != "[]" {
		t.Fatalf("another org lists %s", rec.Body)
	}
	if rec := a.do(http.MethodGet, "/epcis/queries?nextPageToken=abc", "maker-qa", ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("a forged token: %d", rec.Code)
	}
}

func TestEPCISNamedQueriesWithoutStore(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do(http.MethodGet, "/epcis/queries", "maker-operator", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != http.StatusServiceUnavailable || p.Type != "epcisException:ImplementationException" {
		t.Fatalf("no store: %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(http.MethodOptions, "/epcis/queries/x", "", ""); rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != "OPTIONS, GET, DELETE" {
		t.Fatalf("OPTIONS: %d %v", rec.Code, rec.Header())
	}
}
