package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// The EPCIS 2.0 REST resources beyond the events query: one event by its
// eventID, the list of capture jobs, and the top-level collections
// (/epcs, /readPoints, /bizLocations, /dispositions) with their /events
// sub-resources.

// epcisEvent answers GET /epcis/events/{eventID} (the eventID
// percent-encoded): an EPCISQueryDocument holding the one captured event,
// 404 NoSuchResourceException when it is absent or the caller may not
// see it (the visibility rules of /events, applied by epcis:GetEvent).
func (s *Service) epcisEvent(c *gin.Context) {
	st, err := evaluateAs[epcis.Stored](s, c, ledger.FnEPCISGetEvent, c.Param("eventID"))
	if err != nil {
		s.problem(c, err, "")
		return
	}
	s.writeQueryDocument(c, []json.RawMessage{epcis.WithRecordTime(st.Event, st.RecordTime)})
}

// pagingParams reads perPage and nextPageToken, the only query parameters
// of the collection resources and the capture job list.
func pagingParams(v url.Values) (perPage int, token string, err error) {
	for k, vals := range v {
		if k != "perPage" && k != "nextPageToken" {
			return 0, "", domain.Errorf(domain.CodeInvalid, "unknown or unsupported query parameter %q", k)
		}
		if len(vals) != 1 {
			return 0, "", domain.Errorf(domain.CodeInvalid, "query parameter %s given %d times", k, len(vals))
		}
	}
	perPage, derr := epcis.ParsePerPage(v)
	if derr != nil {
		return 0, "", derr
	}
	return perPage, v.Get("nextPageToken"), nil
}

// pageParams reads the paging parameters of a resource paged by position
// (pagingParams) and the position its nextPageToken carries (readToken),
// answering QueryParameterException when either is refused.
func (s *Service) pageParams(c *gin.Context, scope string) (perPage int, after string, ok bool) {
	perPage, token, err := pagingParams(c.Request.URL.Query())
	if err == nil {
		after, err = readToken(token, scope)
	}
	if err != nil {
		s.problem(c, err, "QueryParameterException")
		return 0, "", false
	}
	return perPage, after, true
}

// readToken returns the position a nextPageToken carries, refusing a
// token that was not issued for scope (a query's hash or a resource).
func readToken(token, scope string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var t pageToken
	if err != nil || json.Unmarshal(b, &t) != nil || t.Query != scope || t.Bookmark == "" {
		return "", domain.Errorf(domain.CodeInvalid, "nextPageToken does not belong to this query")
	}
	return t.Bookmark, nil
}

// linkNext sets Link: <this URL with nextPageToken>; rel="next" for the
// page that starts at position.
func linkNext(c *gin.Context, scope, position string) {
	tb, _ := json.Marshal(pageToken{Bookmark: position, Query: scope})
	next := *c.Request.URL
	nv := next.Query()
	nv.Set("nextPageToken", base64.RawURLEncoding.EncodeToString(tb))
	next.RawQuery = nv.Encode()
	c.Header("Link", "<"+next.RequestURI()+`>; rel="next"`)
}

// epcisCaptureJobs answers GET /epcis/capture: the caller's org's capture
// jobs (a regulator's: all), page by page in job id order
// (epcis:ListCaptureJobs; a page may hold fewer jobs than perPage, even
// none, while Link rel="next" says more records are to be read).
func (s *Service) epcisCaptureJobs(c *gin.Context) {
	per, bookmark, ok := s.pageParams(c, "capture")
	if !ok {
		return
	}
	page, err := evaluateAs[epcis.JobPage](s, c, ledger.FnEPCISListJobs, bookmark, strconv.Itoa(per))
	if err != nil {
		s.problem(c, err, "QueryParameterException")
		return
	}
	jobs := make([]*CaptureJobDoc, 0, len(page.Jobs))
	for _, j := range page.Jobs {
		jobs = append(jobs, jobDoc(j))
	}
	if page.Bookmark != "" {
		linkNext(c, "capture", page.Bookmark)
	}
	c.JSON(http.StatusOK, jobs)
}

// Collections computed from events are bounded: at most
// maxCollectionCalls epcis:QueryEvents pages of epcis.MaxPerPage events.
const maxCollectionCalls = 8

// collectionTruncated is the header that says a collection was computed
// from the first maxCollectionCalls pages of events only.
const collectionTruncated = "Idchain-Collection-Truncated"

// vocabulary is a collection resource: fixed members and/or the values of
// the events the caller may see.
type vocabulary struct {
	scope  string
	fixed  func() []string
	values func(epcis.Record) []string
}

var (
	vocabEPCs         = vocabulary{scope: "epcs", values: epcis.Record.AnyEPCs}
	vocabReadPoints   = vocabulary{scope: "readPoints", values: func(r epcis.Record) []string { return []string{r.ReadPoint} }}
	vocabBizLocations = vocabulary{scope: "bizLocations", values: func(r epcis.Record) []string { return []string{r.BizLocation} }}
	// Dispositions: the CBV's, and any other the caller's events use.
	vocabDispositions = vocabulary{scope: "dispositions", fixed: epcis.Dispositions,
		values: func(r epcis.Record) []string { return []string{r.Disposition} }}
)

// epcisCollection answers a collection resource: a Collection whose
// members are sorted, paged by perPage with a nextPageToken that carries
// the last member served (so pages never repeat a member, and members
// added meanwhile after it still come).
func (s *Service) epcisCollection(voc vocabulary) gin.HandlerFunc {
	return func(c *gin.Context) {
		per, after, ok := s.pageParams(c, voc.scope)
		if !ok {
			return
		}
		set := map[string]bool{}
		if voc.fixed != nil {
			for _, m := range voc.fixed() {
				set[m] = true
			}
		}
		if voc.values != nil {
			complete, err := s.visibleValues(c, voc.values, set)
			if err != nil {
				s.problem(c, err, "")
				return
			}
			if !complete {
				c.Header(collectionTruncated, "true")
			}
		}
		members := make([]string, 0, len(set))
		for m := range set {
			if m > after {
				members = append(members, m)
			}
		}
		sort.Strings(members)
		if len(members) > per {
			members = members[:per]
			linkNext(c, voc.scope, members[per-1])
		}
		c.JSON(http.StatusOK, collection(members))
	}
}

// visibleValues adds to set the non-empty values of the captured events
// the caller may see (epcis:QueryEvents applies the rules of /events),
// reading at most maxCollectionCalls pages; complete is false when more
// events were left unread.
func (s *Service) visibleValues(c *gin.Context, values func(epcis.Record) []string, set map[string]bool) (complete bool, err error) {
	qb, _ := json.Marshal(epcis.Query{PerPage: epcis.MaxPerPage})
	bookmark := ""
	for range maxCollectionCalls {
		page, err := evaluateAs[epcis.Page](s, c, ledger.FnEPCISQuery, string(qb), s.deps.EPCIS.IDBase, bookmark)
		if err != nil {
			return false, err
		}
		for _, e := range page.Events {
			for _, v := range values(e.Record) {
				if v != "" {
					set[v] = true
				}
			}
		}
		if page.Bookmark == "" {
			return true, nil
		}
		bookmark = page.Bookmark
	}
	return false, nil
}
