package site

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Handle value indexes of an item.
const (
	hIndexURL   = 1
	hIndexDesc  = 2
	hIndexOwner = 3
	hIndexGTIN  = 4
	hIndexLink  = 5 // the GS1 Digital Link, when the item has GTIN and serial
)

// handle answers in the Handle.net REST shape:
// GET /api/handles/{prefix}/{suffix}[?index=1&type=URL]. Codes 1 (200),
// 100 not found (404), 102 invalid handle (400); 200 "values not found"
// (HTTP 200) when the filters keep nothing.
func (s *Site) handle(c *gin.Context) {
	raw := c.Param("prefix") + "/" + c.Param("suffix")
	id, err := identifier.Parse(raw)
	if err != nil {
		c.JSON(http.StatusBadRequest, identifier.HandleInvalid(raw, err))
		return
	}
	indexes, types, err := handleFilters(c)
	if err != nil {
		rec := identifier.HandleInvalid(id.String(), nil)
		rec.Message = "Invalid query: " + err.Error()
		c.JSON(http.StatusBadRequest, rec)
		return
	}
	it, err := s.Item(c, id.String())
	if err != nil {
		if domain.CodeOf(err) == domain.CodeNotFound {
			c.JSON(http.StatusNotFound, identifier.HandleNotFound(id.String()))
			return
		}
		s.Fail(c, err)
		return
	}
	rec, err := identifier.NewHandleRecord(it.ID, s.handleValues(c, it))
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rec.Filter(indexes, types))
}

// handleValues are the typed values an item resolves to; their timestamp
// is the item's last change on the ledger.
func (s *Site) handleValues(c *gin.Context, it domain.Item) []identifier.HandleValue {
	ts, err := time.Parse(time.RFC3339Nano, it.UpdatedAt)
	if err != nil {
		ts, _ = time.Parse(time.RFC3339Nano, it.CreatedAt)
	}
	ttl := identifier.DefaultHandleTTL
	desc := strings.TrimSpace(s.orgName(it.Owner) + " " + it.Model)
	if it.Lot != "" {
		desc += " 批号 lot " + it.Lot
	}
	prefix, _, _ := strings.Cut(it.ID, "/")
	vals := []identifier.HandleValue{
		identifier.NewHandleValue(hIndexURL, identifier.TypeURL, s.baseURL(c)+pagePath(it.ID), ttl, ts),
		identifier.NewHandleValue(hIndexDesc, identifier.TypeDesc, desc, ttl, ts),
		identifier.NewHandleValue(hIndexOwner, identifier.TypeOwner, prefix, ttl, ts),
	}
	if it.GTIN != "" {
		vals = append(vals, identifier.NewHandleValue(hIndexGTIN, identifier.TypeGTIN, it.GTIN, ttl, ts))
		if it.Serial != "" {
			vals = append(vals, identifier.NewHandleValue(hIndexLink, "GS1_DIGITAL_LINK", s.itemLink(c, it), ttl, ts))
		}
	}
	return vals
}

// handleFilters reads repeated or comma-separated ?index= and ?type=.
func handleFilters(c *gin.Context) ([]int, []string, error) {
	var indexes []int
	var types []string
	for _, v := range c.QueryArray("index") {
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil || n < 1 {
				return nil, nil, domain.Errorf(domain.CodeInvalid, "index must be a positive integer")
			}
			indexes = append(indexes, n)
		}
	}
	for _, v := range c.QueryArray("type") {
		for _, part := range strings.Split(v, ",") {
			if t := strings.TrimSpace(part); t != "" {
				types = append(types, t)
			}
		}
	}
	return indexes, types, nil
}
