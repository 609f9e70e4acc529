package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
)

// Named queries of the EPCIS 2.0 REST binding (GS1's OpenAPI /queries):
// POST /epcis/queries saves a query under a name, GET lists them, GET and
// DELETE /epcis/queries/{name} read and remove one, GET
// /epcis/queries/{name}/events runs it like GET /epcis/events (the same
// visibility rules, as the caller who asks). Named queries are the
// caller's org's saved queries, not ledger facts: they live in the API's
// Redis (cache.NamedQueries), one hash per org. Subscriptions (WebSocket
// and webhook delivery, /queries/{name}/subscriptions) are not served.

// NamedQueryStore keeps named queries per org (cache.NamedQueries).
type NamedQueryStore interface {
	Create(ctx context.Context, org string, q cache.NamedQuery) error
	Get(ctx context.Context, org, name string) (cache.NamedQuery, bool, error)
	List(ctx context.Context, org string) ([]cache.NamedQuery, error)
	Delete(ctx context.Context, org, name string) (bool, error)
}

// QueryDefinition is a named query as the OpenAPI's QueryDefinition.
type QueryDefinition struct {
	Name  string          `json:"name"`
	Query json.RawMessage `json:"query"`
}

// queryNamePattern: a name is one URL path segment.
var queryNamePattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,64}$`)

// queryKeyAliases are spellings of GS1's query schema that the OpenAPI
// spells otherwise.
var queryKeyAliases = map[string]string{
	"GE_errorDeclaration_Time": "GE_errorDeclarationTime",
	"LT_errorDeclaration_Time": "LT_errorDeclarationTime",
}

// namedQueries answers 503 when no store is configured.
func (s *Service) namedQueries(c *gin.Context) (NamedQueryStore, bool) {
	if s.deps.NamedQueries == nil {
		s.problem(c, domain.Errorf(domain.CodeUnavailable, "named queries are not available (no Redis configured)"), "")
		return nil, false
	}
	return s.deps.NamedQueries, true
}

// epcisCreateQuery answers POST /epcis/queries: 201 with Location
// /epcis/queries/{name}; 409 ResourceAlreadyExistsException when the org
// has a query of that name; 400 QueryParameterException when the query
// holds a parameter GET /epcis/events would refuse.
func (s *Service) epcisCreateQuery(c *gin.Context) {
	store, ok := s.namedQueries(c)
	if !ok {
		return
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.problem(c, domain.Errorf(domain.CodeInvalid, "the body could not be read: %v", err), "")
		return
	}
	var def QueryDefinition
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&def); err != nil {
		s.problem(c, domain.Errorf(domain.CodeInvalid, "the body must be a query definition {\"name\": …, \"query\": {…}}: %v", err), "")
		return
	}
	if !queryNamePattern.MatchString(def.Name) {
		s.problem(c, domain.Errorf(domain.CodeInvalid, "name must be 1-64 characters of A-Z a-z 0-9 . _ ~ -, got %q", def.Name), "")
		return
	}
	params, derr := queryParams(def.Query)
	if derr == nil {
		_, perr := s.deps.EPCIS.ParseQuery(params)
		if perr != nil {
			derr = perr
		}
	}
	if derr != nil {
		s.problem(c, derr, "QueryParameterException")
		return
	}
	p, _ := Caller(c)
	var compact bytes.Buffer
	_ = json.Compact(&compact, def.Query)
	nq := cache.NamedQuery{Name: def.Name, Query: compact.Bytes(), Params: params.Encode(), CreatedBy: p.Name, CreatedAt: time.Now().UTC()}
	switch err := store.Create(c.Request.Context(), p.MSPID, nq); {
	case errors.Is(err, cache.ErrQueryExists):
		s.problemAs(c, http.StatusConflict, "ResourceAlreadyExistsException", "Resource already exists",
			"a named query "+def.Name+" exists; DELETE it first")
		return
	case errors.Is(err, cache.ErrTooManyQueries):
		s.problem(c, domain.Errorf(CodeTooLarge, "an org keeps at most %d named queries", cache.MaxNamedQueries), "")
		return
	case err != nil:
		s.problem(c, domain.Errorf(domain.CodeUnavailable, "named queries: %v", err), "")
		return
	}
	c.Header("Location", "/epcis/queries/"+def.Name)
	c.JSON(http.StatusCreated, QueryDefinition{Name: nq.Name, Query: nq.Query})
}

// queryParams turns a query object of GS1's EPCIS query schema into the
// URL parameters of GET /epcis/events: arrays become pipe-separated
// lists, numbers and booleans their JSON text, null (EXISTS_…) an empty
// value; @context is ignored. Paging belongs to the request, not to the
// query.
func queryParams(raw json.RawMessage) (url.Values, *domain.Error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "query is missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var q map[string]any
	if err := dec.Decode(&q); err != nil || q == nil {
		return nil, domain.Errorf(domain.CodeInvalid, "query must be a JSON object")
	}
	v := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if k == "@context" {
			continue
		}
		name := k
		if a, ok := queryKeyAliases[k]; ok {
			name = a
		}
		if name == "perPage" || name == "nextPageToken" {
			return nil, domain.Errorf(domain.CodeInvalid, "%s belongs to the request of /queries/{name}/events, not to the query", k)
		}
		if v.Has(name) {
			return nil, domain.Errorf(domain.CodeInvalid, "query parameter %s given twice", name)
		}
		s, ok := scalar(q[k])
		if list, isList := q[k].([]any); isList {
			parts := make([]string, len(list))
			for i, e := range list {
				p, ok := scalar(e)
				if !ok || p == "" || strings.Contains(p, "|") {
					return nil, domain.Errorf(domain.CodeInvalid, "%s: entry %d must be a non-empty string or number without '|'", k, i)
				}
				parts[i] = p
			}
			if len(parts) == 0 {
				return nil, domain.Errorf(domain.CodeInvalid, "%s: the list is empty", k)
			}
			s, ok = strings.Join(parts, "|"), true
		}
		if !ok {
			return nil, domain.Errorf(domain.CodeInvalid, "%s must be a string, number, boolean or list", k)
		}
		v.Set(name, s)
	}
	return v, nil
}

// scalar writes a JSON scalar as a parameter value.
func scalar(x any) (string, bool) {
	switch t := x.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// epcisListQueries answers GET /epcis/queries: the org's named queries by
// name, perPage (1-500, default 30) and nextPageToken.
func (s *Service) epcisListQueries(c *gin.Context) {
	store, ok := s.namedQueries(c)
	if !ok {
		return
	}
	per, after, ok := s.pageParams(c, "queries")
	if !ok {
		return
	}
	p, _ := Caller(c)
	all, err := store.List(c.Request.Context(), p.MSPID)
	if err != nil {
		s.problem(c, domain.Errorf(domain.CodeUnavailable, "named queries: %v", err), "")
		return
	}
	out := []QueryDefinition{}
	for _, q := range all {
		if q.Name > after {
			out = append(out, QueryDefinition{Name: q.Name, Query: q.Query})
		}
	}
	if len(out) > per {
		out = out[:per]
		linkNext(c, "queries", out[per-1].Name)
	}
	c.JSON(http.StatusOK, out)
}

// namedQuery reads the query of the path's name for the caller's org,
// answering 404 NoSuchResourceException when there is none.
func (s *Service) namedQuery(c *gin.Context) (cache.NamedQuery, bool) {
	store, ok := s.namedQueries(c)
	if !ok {
		return cache.NamedQuery{}, false
	}
	p, _ := Caller(c)
	name := c.Param("name")
	q, found, err := store.Get(c.Request.Context(), p.MSPID, name)
	switch {
	case err != nil:
		s.problem(c, domain.Errorf(domain.CodeUnavailable, "named queries: %v", err), "")
		return q, false
	case !found:
		s.problem(c, domain.Errorf(domain.CodeNotFound, "no named query %q", name), "")
		return q, false
	}
	return q, true
}

// epcisGetQuery answers GET /epcis/queries/{name}: the definition.
func (s *Service) epcisGetQuery(c *gin.Context) {
	if q, ok := s.namedQuery(c); ok {
		c.JSON(http.StatusOK, QueryDefinition{Name: q.Name, Query: q.Query})
	}
}

// epcisDeleteQuery answers DELETE /epcis/queries/{name}: 204. Its creator
// or an admin of the org may delete it.
func (s *Service) epcisDeleteQuery(c *gin.Context) {
	q, ok := s.namedQuery(c)
	if !ok {
		return
	}
	p, _ := Caller(c)
	if q.CreatedBy != p.Name && p.Role != RoleAdmin {
		s.problem(c, domain.Errorf(domain.CodeForbidden, "only %s (who created it) or an admin may delete query %s", q.CreatedBy, q.Name), "")
		return
	}
	if _, err := s.deps.NamedQueries.Delete(c.Request.Context(), p.MSPID, q.Name); err != nil {
		s.problem(c, domain.Errorf(domain.CodeUnavailable, "named queries: %v", err), "")
		return
	}
	c.Status(http.StatusNoContent)
}

// epcisQueryEvents answers GET /epcis/queries/{name}/events: the saved
// query run as GET /epcis/events with the request's perPage and
// nextPageToken. Subscription parameters (stream, schedule) are refused:
// subscriptions are not served.
func (s *Service) epcisQueryEvents(c *gin.Context) {
	q, ok := s.namedQuery(c)
	if !ok {
		return
	}
	req := c.Request.URL.Query()
	for k := range req {
		if k != "perPage" && k != "nextPageToken" {
			s.problem(c, domain.Errorf(domain.CodeInvalid, "query parameter %q is not supported here (query subscriptions are not served; only perPage and nextPageToken)", k), "QueryParameterException")
			return
		}
	}
	v, err := url.ParseQuery(q.Params)
	if err != nil {
		s.problem(c, domain.Errorf(domain.CodeInternal, "stored query %s: %v", q.Name, err), "")
		return
	}
	for _, k := range []string{"perPage", "nextPageToken"} {
		if req.Has(k) {
			v[k] = req[k]
		}
	}
	s.answerQuery(c, v)
}

// problemAs writes a problem of an exception type the error codes do not
// name (ResourceAlreadyExistsException).
func (s *Service) problemAs(c *gin.Context, status int, typ, title, detail string) {
	b, _ := json.Marshal(Problem{Type: "epcisException:" + typ, Title: title, Status: status, Detail: detail, Instance: c.Request.URL.Path})
	c.Abort()
	c.Data(status, mimeProblem, b)
}
