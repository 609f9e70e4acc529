package site

import (
	"archive/zip"
	"bytes"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestQRLabels(t *testing.T) {
	a := newPubAPI(t)
	for _, tc := range []struct {
		name, path, user string
		status           int
		ctype, link      string
	}{
		{"png of a GTIN+serial unit encodes the Digital Link", "/v1/items/" + unitID + "/qr.png", "maker-operator", 200, "image/png",
			"https://id.example.cn/01/06901234567892/10/L20261127/21/0001"},
		{"svg of an item without GTIN encodes the page", "/v1/items/" + plainID + "/qr.svg", "maker-operator", 200, "image/svg+xml",
			"https://id.example.cn/v/88.118.8/PLAIN-1"},
		{"another org", "/v1/items/" + unitID + "/qr.png", "partner-operator", 403, "", ""},
		{"wrong role", "/v1/items/" + unitID + "/qr.png", "maker-qa", 403, "", ""},
		{"no key", "/v1/items/" + unitID + "/qr.png", "", 401, "", ""},
		{"unknown item", "/v1/items/88.118.8/NOPE/qr.png", "maker-operator", 404, "", ""},
		{"size out of range", "/v1/items/" + unitID + "/qr.png?size=5", "maker-operator", 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do(http.MethodGet, tc.path, tc.user, "")
			if rec.Code != tc.status {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if tc.status != 200 {
				return
			}
			if rec.Header().Get("Content-Type") != tc.ctype || rec.Header().Get("X-Label-Link") != tc.link {
				t.Errorf("type %q link %q", rec.Header().Get("Content-Type"), rec.Header().Get("X-Label-Link"))
			}
		})
	}
	rec := a.do(http.MethodGet, "/v1/items/"+unitID+"/qr.png?size=300", "maker-operator", "")
	img, err := png.Decode(rec.Body)
	if err != nil || img.Bounds().Dx() != 300 {
		t.Errorf("png: %v, bounds %v", err, img)
	}
	svg := a.do(http.MethodGet, "/v1/items/"+plainID+"/qr.svg?mm=25", "maker-operator", "").Body.String()
	if !strings.Contains(svg, `width="25mm"`) || !strings.Contains(svg, "<path") || !strings.Contains(svg, plainID) {
		t.Errorf("svg: %.200s", svg)
	}
}

func TestQRSVGDrawsEveryDarkModule(t *testing.T) {
	bm := [][]bool{{true, true, false}, {false, true, true}, {false, false, false}}
	svg := string(qrSVG(bm, "", 10))
	for _, run := range []string{"M0 0h2v1h-2z", "M1 1h2v1h-2z"} {
		if !strings.Contains(svg, run) {
			t.Errorf("svg lacks run %s: %s", run, svg)
		}
	}
	if strings.Count(svg, "M") != 2 {
		t.Errorf("svg has extra runs: %s", svg)
	}
}

func TestBatchLabelsZip(t *testing.T) {
	a := newPubAPI(t)
	a.reads.Items["88.118.8/FOREIGN"] = a.reads.Items[plainID]
	foreign := a.reads.Items["88.118.8/FOREIGN"]
	foreign.ID, foreign.Owner = "88.118.8/FOREIGN", "PartnerMSP"
	a.reads.Items[foreign.ID] = foreign
	body := `{"ids":["` + unitID + `","` + plainID + `","88.118.8/FOREIGN"],"format":"svg","size":20}`
	rec := a.do(http.MethodPost, "/v1/labels", "maker-operator", body)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	if len(files) != 4 || !strings.Contains(files["index.csv"], "https://id.example.cn/01/06901234567892/10/L20261127/21/0001") ||
		!strings.Contains(files["errors.csv"], "FORBIDDEN") || !strings.HasPrefix(files["88.118.8_KB-0001.svg"], "<svg") {
		t.Errorf("zip files %v", files)
	}
	for _, tc := range []struct{ name, body string }{
		{"no ids", `{"ids":[]}`},
		{"bad format", `{"ids":["` + unitID + `"],"format":"gif"}`},
		{"malformed id", `{"ids":["nope"]}`},
		{"bad size", `{"ids":["` + unitID + `"],"size":9999}`},
	} {
		if rec := a.do(http.MethodPost, "/v1/labels", "maker-operator", tc.body); rec.Code != 400 {
			t.Errorf("%s: status %d", tc.name, rec.Code)
		}
	}
}
