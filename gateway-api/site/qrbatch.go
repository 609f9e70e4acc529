package site

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
)

// maxLabels bounds one batch label request.
const maxLabels = 1000

type labelsRequest struct {
	IDs    []string `json:"ids"`
	Format string   `json:"format"` // png (default) or svg
	Size   int      `json:"size"`   // pixels for png, millimetres for svg
}

// labels renders the QR labels of many items of the caller's organisation
// as a zip: one image per item plus index.csv (file, id, link) and, when
// some items could not be labelled, errors.csv (id, code, message).
// POST /v1/labels.
func (s *Site) labels(c *gin.Context) {
	var req labelsRequest
	if err := httpapi.BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if req.Format == "" {
		req.Format = "png"
	}
	lo, hi, def := qrMinPx, qrMaxPx, qrDefaultPx
	if req.Format == "svg" {
		lo, hi, def = qrMinMM, qrMaxMM, qrDefaultMM
	}
	switch {
	case req.Format != "png" && req.Format != "svg":
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "format must be png or svg"))
		return
	case len(req.IDs) == 0 || len(req.IDs) > maxLabels:
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "ids: want 1-%d, got %d", maxLabels, len(req.IDs)))
		return
	case req.Size == 0:
		req.Size = def
	case req.Size < lo || req.Size > hi:
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "size must be %d-%d for %s", lo, hi, req.Format))
		return
	}
	ids := make([]string, len(req.IDs))
	for i, raw := range req.IDs {
		id, err := httpapi.ParseID(raw)
		if err != nil {
			s.Fail(c, err)
			return
		}
		ids[i] = id
	}
	p, _ := httpapi.Caller(c)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var index, failed [][]string
	names := map[string]int{}
	for _, id := range ids {
		it, err := s.Item(c, id)
		if err == nil && it.Owner != p.MSPID {
			err = domain.Errorf(domain.CodeForbidden, "%s is owned by another organisation", id)
		}
		if err != nil {
			e := httpapi.AsAPIError(err)
			failed = append(failed, []string{id, string(e.Code), e.Message})
			continue
		}
		link := s.itemLink(c, it)
		img, _, err := qrImage(req.Format, link, it.ID, req.Size)
		if err != nil {
			e := httpapi.AsAPIError(err)
			failed = append(failed, []string{id, string(e.Code), e.Message})
			continue
		}
		name := labelName(id)
		if n := names[name]; n > 0 {
			name += "_" + strconv.Itoa(n)
		}
		names[labelName(id)]++
		name += "." + req.Format
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(img)
		}
		if err != nil {
			s.Fail(c, err)
			return
		}
		index = append(index, []string{name, id, link})
	}
	if len(index) == 0 {
		s.Fail(c, domain.Errorf(domain.CodeNotFound, "no label could be made: %s %s", failed[0][0], failed[0][2]))
		return
	}
	if err := writeCSV(zw, "index.csv", []string{"file", "id", "link"}, index); err != nil {
		s.Fail(c, err)
		return
	}
	if len(failed) > 0 {
		if err := writeCSV(zw, "errors.csv", []string{"id", "code", "message"}, failed); err != nil {
			s.Fail(c, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="labels.zip"`)
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
}

func writeCSV(zw *zip.Writer, name string, head []string, rows [][]string) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
