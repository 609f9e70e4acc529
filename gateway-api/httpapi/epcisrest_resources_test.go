package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/xeipuuv/gojsonschema"
	"go.yaml.in/yaml/v3"

	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/epcis/epcistest"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// examplePage is a QueryEvents page of every event of idchain's example
// documents and one event with a disposition outside the CBV.
func examplePage(t *testing.T, bookmark string) (epcis.Page, []epcis.Record) {
	t.Helper()
	var recs []epcis.Record
	for _, d := range epcistest.Examples(t) {
		parsed, err := epcis.ParseEPCISDocument(d.Body, epcis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range parsed {
			if o.Record != nil {
				recs = append(recs, *o.Record)
			}
		}
	}
	custom, derr := epcis.Options{}.NewRecord([]byte(`{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2026-11-27T08:00:00Z","eventTimeZoneOffset":"+00:00",` +
		`"epcList":["urn:epc:id:sgtin:0614141.812345.77"],"disposition":"https://example.com/disp/quarantined","readPoint":{"id":"https://example.com/rp/9"}}`))
	if derr != nil {
		t.Fatal(derr)
	}
	recs = append(recs, custom)
	page := epcis.Page{Bookmark: bookmark}
	for _, r := range recs {
		page.Events = append(page.Events, epcis.Stored{Record: r, RecordTime: "2026-11-27T08:00:00Z", Owner: "PartnerMSP"})
	}
	return page, recs
}

// TestEPCISEventByID: /epcis/events/{eventID} answers a schema-valid
// EPCISQueryDocument holding the one event (percent-encoded id decoded
// before it reaches the ledger); an event the ledger does not give the
// caller is a 404 NoSuchResourceException problem.
func TestEPCISEventByID(t *testing.T) {
	a := newTestAPI(t)
	_, recs := examplePage(t, "")
	id := "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
	st, _ := json.Marshal(epcis.Stored{Record: recs[0], RecordTime: "2026-11-27T08:00:00Z", Owner: "PartnerMSP"})
	a.ledger.epcisEvents = map[string][]byte{id: st}
	rec := a.do(http.MethodGet, "/epcis/events/"+url.PathEscape(id), "partner-operator", "")
	if rec.Code != 200 || rec.Header().Get("GS1-EPCIS-Version") != EPCISVersion {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got := a.ledger.queries[len(a.ledger.queries)-1]; got.Fn != ledger.FnEPCISGetEvent || got.Args[0] != id {
		t.Fatalf("ledger asked %v", got)
	}
	res, err := mustEPCISSchema(t).Validate(gojsonschema.NewBytesLoader(rec.Body.Bytes()))
	if err != nil || !res.Valid() {
		t.Fatalf("event document: %v %v", err, res.Errors())
	}
	evs := eventList(t, rec.Body.Bytes())
	if len(evs) != 1 || evs[0]["eventID"] != recs[0].EventID || evs[0]["recordTime"] != "2026-11-27T08:00:00Z" {
		t.Fatalf("events %v", evs)
	}
	rec = a.do(http.MethodGet, "/epcis/events/"+url.PathEscape("urn:uuid:00000000-0000-4000-8000-000000000000"), "partner-operator", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != 404 || p.Type != "epcisException:NoSuchResourceException" {
		t.Fatalf("absent event: %d %+v", rec.Code, p)
	}
	if rec := a.do(http.MethodGet, "/epcis/events/"+url.PathEscape(id), "", ""); rec.Code != 401 {
		t.Fatalf("without a key: %d", rec.Code)
	}
}

func eventList(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var doc struct {
		Body struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []map[string]any `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Body.QueryResults.ResultsBody.EventList
}

type collDoc struct {
	Context []any    `json:"@context"`
	Type    string   `json:"type"`
	Member  []string `json:"member"`
}

// walkCollection reads a collection page by page (Link rel="next").
func walkCollection(t *testing.T, a *testAPI, path string) []string {
	t.Helper()
	var all []string
	next := path
	for pages := 0; next != ""; pages++ {
		if pages == 50 {
			t.Fatalf("%s: more than 50 pages", path)
		}
		rec := a.do(http.MethodGet, next, "partner-operator", "")
		var c collDoc
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &c) != nil || c.Type != "Collection" || len(c.Context) == 0 {
			t.Fatalf("%s: %d %s", next, rec.Code, rec.Body)
		}
		all = append(all, c.Member...)
		next = ""
		if l := rec.Header().Get("Link"); strings.Contains(l, `rel="next"`) {
			next = l[strings.Index(l, "<")+1 : strings.Index(l, ">")]
		}
	}
	return all
}

// TestEPCISCollections: /epcs, /readPoints, /bizLocations and
// /dispositions list the values of the events the ledger gives the
// caller (dispositions: the CBV's too), sorted, without repeats, the same
// whole as in pages of 3.
func TestEPCISCollections(t *testing.T) {
	a := newTestAPI(t)
	page, recs := examplePage(t, "")
	a.ledger.epcisPage, _ = json.Marshal(page)
	want := map[string][]string{}
	add := func(k string, vs ...string) {
		for _, v := range vs {
			if v != "" && !slices.Contains(want[k], v) {
				want[k] = append(want[k], v)
			}
		}
	}
	add("dispositions", epcis.Dispositions()...)
	for _, r := range recs {
		add("epcs", r.AnyEPCs()...)
		add("readPoints", r.ReadPoint)
		add("bizLocations", r.BizLocation)
		add("dispositions", r.Disposition)
	}
	for name, w := range want {
		sort.Strings(w)
		t.Run(name, func(t *testing.T) {
			whole := walkCollection(t, a, "/epcis/"+name+"?perPage=500")
			if strings.Join(whole, " ") != strings.Join(w, " ") {
				t.Fatalf("members %v\nwant %v", whole, w)
			}
			if paged := walkCollection(t, a, "/epcis/"+name+"?perPage=3"); strings.Join(paged, " ") != strings.Join(w, " ") {
				t.Fatalf("in pages of 3: %v", paged)
			}
		})
	}
	if !slices.Contains(want["dispositions"], "https://example.com/disp/quarantined") || !slices.Contains(want["readPoints"], "https://example.com/rp/9") || len(want["bizLocations"]) == 0 {
		t.Fatalf("the fixture lacks values: %v", want)
	}
	if rec := a.do(http.MethodGet, "/epcis/readPoints", "partner-operator", ""); rec.Header().Get(collectionTruncated) != "" {
		t.Fatalf("a complete collection says truncated")
	}
	// Refusals: unknown parameters, bad perPage, a token of another resource.
	rec := a.do(http.MethodGet, "/epcis/epcs?perPage=1", "partner-operator", "")
	link := rec.Header().Get("Link")
	token := link[strings.Index(link, "nextPageToken=")+len("nextPageToken=") : strings.Index(link, ">")]
	for _, path := range []string{"/epcis/epcs?colour=red", "/epcis/readPoints?perPage=0", "/epcis/readPoints?nextPageToken=" + token, "/epcis/capture?nextPageToken=" + token} {
		rec := a.do(http.MethodGet, path, "partner-operator", "")
		if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != 400 || p.Type != "epcisException:QueryParameterException" {
			t.Errorf("%s: %d %+v", path, rec.Code, p)
		}
	}
}

// TestEPCISCollectionsAreBounded: while the ledger keeps answering with a
// bookmark, a collection reads maxCollectionCalls pages and says it is
// truncated.
func TestEPCISCollectionsAreBounded(t *testing.T) {
	a := newTestAPI(t)
	page, _ := examplePage(t, "\x00epcisby\x00PartnerMSP\x00more")
	a.ledger.epcisPage, _ = json.Marshal(page)
	rec := a.do(http.MethodGet, "/epcis/bizLocations", "partner-operator", "")
	if rec.Code != 200 || rec.Header().Get(collectionTruncated) != "true" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	if n := len(a.ledger.queries); n != maxCollectionCalls {
		t.Fatalf("%d ledger reads, want %d", n, maxCollectionCalls)
	}
	var q epcis.Query
	if err := json.Unmarshal([]byte(a.ledger.queries[1].Args[0]), &q); err != nil || q.PerPage != epcis.MaxPerPage || a.ledger.queries[1].Args[2] != page.Bookmark {
		t.Fatalf("second read %v", a.ledger.queries[1].Args)
	}
}

// TestEPCISCollectionEvents: the /events sub-resources run the events
// query with EQ_readPoint / EQ_bizLocation / EQ_disposition from the path
// (percent-decoded, canonicalised), other parameters kept.
func TestEPCISCollectionEvents(t *testing.T) {
	a := newTestAPI(t)
	for _, tc := range []struct {
		path string
		get  func(epcis.Query) []string
		want string
	}{
		{"/epcis/readPoints/" + url.PathEscape("urn:epc:id:sgln:0614141.00777.0") + "/events", func(q epcis.Query) []string { return q.ReadPoints }, "https://id.gs1.org/414/0614141007776"},
		{"/epcis/bizLocations/" + url.PathEscape("https://example.com/loc/1") + "/events", func(q epcis.Query) []string { return q.BizLocations }, "https://example.com/loc/1"},
		{"/epcis/dispositions/in_transit/events", func(q epcis.Query) []string { return q.Dispositions }, "in_transit"},
		{"/epcis/dispositions/" + url.PathEscape("https://ref.gs1.org/cbv/Disp-in_transit") + "/events", func(q epcis.Query) []string { return q.Dispositions }, "in_transit"},
	} {
		rec := a.do(http.MethodGet, tc.path+"?eventType=ObjectEvent", "partner-operator", "")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"EPCISQueryDocument"`) {
			t.Fatalf("%s: %d %s", tc.path, rec.Code, rec.Body)
		}
		var q epcis.Query
		_ = json.Unmarshal([]byte(a.ledger.queries[len(a.ledger.queries)-1].Args[0]), &q)
		if got := tc.get(q); len(got) != 1 || got[0] != tc.want || len(q.EventTypes) != 1 {
			t.Errorf("%s: query %+v", tc.path, q)
		}
	}
	rec := a.do(http.MethodGet, "/epcis/dispositions/"+url.PathEscape("https://ref.gs1.org/cbv/Disp-nonsense")+"/events", "partner-operator", "")
	if p := problemOf(t, rec, rec.Body.Bytes()); rec.Code != 400 || p.Type != "epcisException:QueryParameterException" {
		t.Fatalf("an unknown CBV disposition: %d %+v", rec.Code, p)
	}
}

// TestEPCISCaptureJobList: GET /epcis/capture answers the ledger's page of
// jobs as capture job documents with a Link to the next page, whose token
// brings the ledger's bookmark back.
func TestEPCISCaptureJobList(t *testing.T) {
	a := newTestAPI(t)
	jobs := epcis.JobPage{Bookmark: "\x00epcisjob\x00J3\x0000000000\x00", Jobs: []epcis.CaptureJob{
		{JobID: "J1", Total: 1, CreatedAt: "2026-11-27T08:00:00Z", FinishedAt: "2026-11-27T08:00:00Z", TxIDs: []string{"t1"}, Outcomes: []epcis.EventOutcome{{Index: 0, Status: "recorded"}}},
		{JobID: "J2", Total: 2, Rollback: true, CreatedAt: "2026-11-27T08:00:01Z", TxIDs: []string{"t2"}, Outcomes: []epcis.EventOutcome{{Index: 0, Status: "recorded"}}},
	}}
	a.ledger.epcisJobs, _ = json.Marshal(jobs)
	rec := a.do(http.MethodGet, "/epcis/capture?perPage=2", "partner-operator", "")
	var docs []CaptureJobDoc
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &docs) != nil || len(docs) != 2 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if d := docs[0]; d.CaptureID != "J1" || d.Running || !d.Success || d.CaptureErrorBehaviour != "proceed" {
		t.Errorf("J1 %+v", d)
	}
	if d := docs[1]; d.CaptureID != "J2" || !d.Running || d.CaptureErrorBehaviour != "rollback" {
		t.Errorf("J2 %+v", d)
	}
	if last := a.ledger.queries[len(a.ledger.queries)-1]; last.Fn != ledger.FnEPCISListJobs || last.Args[0] != "" || last.Args[1] != "2" {
		t.Fatalf("ledger asked %v", last)
	}
	link := rec.Header().Get("Link")
	if !strings.Contains(link, `rel="next"`) {
		t.Fatalf("Link %q", link)
	}
	if rec := a.do(http.MethodGet, link[strings.Index(link, "<")+1:strings.Index(link, ">")], "partner-operator", ""); rec.Code != 200 {
		t.Fatalf("next page %d %s", rec.Code, rec.Body)
	}
	if last := a.ledger.queries[len(a.ledger.queries)-1]; last.Args[0] != jobs.Bookmark {
		t.Fatalf("the next page asked from %q", last.Args[0])
	}
}

// TestEPCISEveryPathAnswersOptions: every /epcis path of the table answers
// OPTIONS without a key with its Allow, the versions and CORS, and every
// GET/POST route of the group is in the table.
func TestEPCISEveryPathAnswersOptions(t *testing.T) {
	a := newTestAPI(t)
	allow := map[string]string{}
	for _, p := range epcisPaths {
		allow["/epcis"+p.path] = p.allow
		path := "/epcis" + regexp.MustCompile(`:[A-Za-z]+`).ReplaceAllString(p.path, "x")
		rec := a.do(http.MethodOptions, path, "", "")
		h := rec.Header()
		if rec.Code != 204 || h.Get("Allow") != p.allow || h.Get("GS1-EPCIS-Version") != EPCISVersion || h.Get("GS1-EPCIS-Max") != EPCISVersion ||
			h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("OPTIONS %s: %d %v", path, rec.Code, h)
		}
	}
	for _, r := range a.h.(*gin.Engine).Routes() {
		if strings.HasPrefix(r.Path, "/epcis/") && r.Method != http.MethodOptions && !strings.Contains(allow[r.Path], r.Method) {
			t.Errorf("%s %s is not in epcisPaths", r.Method, r.Path)
		}
	}
}

// TestEPCISRoutesAreGS1OpenAPIPaths checks every /epcis route against
// GS1's EPCIS 2.0 OpenAPI ("REST Bindings/openapi.yaml" of a checkout of
// github.com/gs1/EPCIS named by IDCHAIN_GS1_EPCIS, as
// scripts/gs1-examples.sh uses; no package registry ships it, so make
// test does not run this check), and validates the URI collections
// (/epcs, /readPoints, /bizLocations) against its UriCollection schema.
func TestEPCISRoutesAreGS1OpenAPIPaths(t *testing.T) {
	root := os.Getenv("IDCHAIN_GS1_EPCIS")
	if root == "" {
		t.Skip("IDCHAIN_GS1_EPCIS (a checkout of github.com/gs1/EPCIS) not set")
	}
	b, err := os.ReadFile(filepath.Join(root, "REST Bindings", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]any `yaml:"paths"`
		Components map[string]any            `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]*\}|:[A-Za-z]+`)
	ops := map[string]bool{}
	for path, methods := range doc.Paths {
		for m := range methods {
			if m != "parameters" {
				ops[m+" "+param.ReplaceAllString(path, "{}")] = true
			}
		}
	}
	if len(ops) < 20 {
		t.Fatalf("%d operations in GS1's OpenAPI", len(ops))
	}
	a := newTestAPI(t)
	n := 0
	for _, r := range a.h.(*gin.Engine).Routes() {
		if !strings.HasPrefix(r.Path, "/epcis/") {
			continue
		}
		op := strings.ToLower(r.Method) + " " + param.ReplaceAllString(strings.TrimPrefix(r.Path, "/epcis"), "{}")
		if !ops[op] {
			t.Errorf("%s %s: %q is not an operation of GS1's EPCIS 2.0 OpenAPI", r.Method, r.Path, op)
		}
		n++
	}
	t.Logf("%d /epcis routes are operations of GS1's OpenAPI (%d operations there)", n, len(ops))

	sb, err := json.Marshal(map[string]any{"$ref": "#/components/schemas/UriCollection", "components": doc.Components})
	if err != nil {
		t.Fatal(err)
	}
	uriCollection, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(sb))
	if err != nil {
		t.Fatalf("GS1's UriCollection schema: %v", err)
	}
	if res, err := uriCollection.Validate(gojsonschema.NewStringLoader(`{"@context":"https://gs1.github.io/EPCIS/epcis-context.jsonld","type":"Collection","member":["x","x"]}`)); err != nil || res.Valid() {
		t.Fatalf("GS1's UriCollection schema accepts repeated members: %v", err)
	}
	page, _ := examplePage(t, "")
	a.ledger.epcisPage, _ = json.Marshal(page)
	for _, path := range []string{"/epcis/epcs", "/epcis/readPoints", "/epcis/bizLocations"} {
		rec := a.do(http.MethodGet, path+"?perPage=500", "partner-operator", "")
		res, err := uriCollection.Validate(gojsonschema.NewBytesLoader(rec.Body.Bytes()))
		if err != nil || !res.Valid() || !strings.Contains(rec.Body.String(), "https://") {
			t.Errorf("%s does not validate against GS1's UriCollection: %v %v %s", path, err, res.Errors(), rec.Body)
		}
	}
}
