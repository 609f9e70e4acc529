//go:build integration

package site

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The public pages on the running system (make up / scripts/api-up.sh):
// real Fabric, Redis and API, pages rendered by headless Chromium, QR codes
// decoded by zbarimg. IDCHAIN_API in the environment overrides the one in
// network/.run/env (e.g. a second API instance under test).

const repoRoot = "../.."

type liveAPI struct {
	t    *testing.T
	base string
	keys map[string]string
}

func mustLive(t *testing.T) *liveAPI {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "network/.run/env"))
	if err != nil {
		t.Fatalf("network/.run/env: %v (run make up first)", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	a := &liveAPI{t: t, base: env["IDCHAIN_API"], keys: env}
	if v := os.Getenv("IDCHAIN_API"); v != "" {
		a.base = v
	}
	return a
}

// call sends a request as the demo user (e.g. "MAKER_QA"; "" anonymous).
func (a *liveAPI) call(method, path, user, accept string, body any) (*http.Response, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.keys["IDCHAIN_KEY_"+user])
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("Content-Type", "application/json")
	cl := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func (a *liveAPI) must(method, path, user string, body any, ok ...int) []byte {
	a.t.Helper()
	resp, out := a.call(method, path, user, "", body)
	for _, s := range ok {
		if resp.StatusCode == s {
			return out
		}
	}
	a.t.Fatalf("%s %s: status %d %s", method, path, resp.StatusCode, out)
	return nil
}

// browser runs headless Chromium at a phone-size viewport: the rendered
// DOM, or a screenshot into shot when it is not "".
func browser(t *testing.T, url, shot string) string {
	t.Helper()
	return browserSized(t, url, shot, "390,844")
}

// browserSized is browser with another window size ("width,height").
func browserSized(t *testing.T, url, shot, size string) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
			t.Fatal("chromium not installed (apt-get install -y chromium)")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--window-size=" + size}
	if shot != "" {
		args = append(args, "--screenshot="+shot)
	} else {
		args = append(args, "--dump-dom")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append(args, url)...).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", url, err)
	}
	return string(out)
}

// visibleText strips tags, style and script from a DOM dump.
func visibleText(dom string) string {
	var b strings.Builder
	for dom != "" {
		i := strings.IndexByte(dom, '<')
		if i < 0 {
			b.WriteString(dom)
			break
		}
		b.WriteString(dom[:i])
		dom = dom[i:]
		for _, skip := range []string{"<style", "<script"} {
			if strings.HasPrefix(dom, skip) {
				end := "</" + skip[1:] + ">"
				if j := strings.Index(dom, end); j >= 0 {
					dom = dom[j+len(end):]
				}
			}
		}
		j := strings.IndexByte(dom, '>')
		if j < 0 {
			break
		}
		dom = dom[j+1:]
		b.WriteByte(' ')
	}
	return b.String()
}

func artifact(t *testing.T, name string) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join(repoRoot, "artifacts"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// fixture registers a fresh lot with a unit, inspects and releases it,
// ships the unit for region CN-GD, and a second lot whose unit is
// recalled through its lot.
type fixture struct {
	run, unit, lot, recalledUnit, gtin, lotNo, serial, unitTx string
}

const livePrefix = "88.118.77"

func newFixture(t *testing.T, a *liveAPI) fixture {
	t.Helper()
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1e10)
	f := fixture{run: run, gtin: "06901234567892", lotNo: "L" + run, serial: "S" + run + "A"}
	f.lot, f.unit = livePrefix+"/LOT-"+run, livePrefix+"/KB-"+run+"-1"
	lot2 := livePrefix + "/LOT-" + run + "R"
	f.recalledUnit = livePrefix + "/KB-" + run + "-2"
	a.must("POST", "/v1/prefixes", "PLATFORM_ADMIN", map[string]string{"prefix": livePrefix, "owner": "MakerMSP"}, 201, 200, 409)
	attrs := map[string]string{"productionDate": "2026-11-20"}
	a.must("POST", "/v1/items", "MAKER_OPERATOR", map[string]any{"items": []map[string]any{
		{"id": f.lot, "kind": "lot", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": f.gtin, "lot": f.lotNo, "attributes": attrs},
		{"id": f.unit, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": f.gtin, "lot": f.lotNo, "serial": f.serial, "parent": f.lot},
		{"id": lot2, "kind": "lot", "industry": "kitchen_bath", "model": "JZT-2B", "lot": f.lotNo + "R", "attributes": attrs},
		{"id": f.recalledUnit, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "serial": f.serial + "R", "parent": lot2},
	}}, 201)
	a.must("PUT", "/v1/inspection-plans/JZT-2B", "MAKER_QA", map[string]any{"industry": "kitchen_bath", "items": []map[string]any{
		{"code": "EARTH_OHM", "name": "接地电阻", "unit": "ohm", "max": 0.1, "required": true},
		{"code": "HIPOT", "name": "耐压", "kind": "boolean", "required": true}}}, 200)
	for _, id := range []string{f.unit, f.recalledUnit} {
		a.must("POST", "/v1/inspections", "MAKER_INSPECTOR", map[string]any{"id": id, "model": "JZT-2B",
			"results":   []map[string]any{{"code": "EARTH_OHM", "value": 0.0371}, {"code": "HIPOT", "pass": true}},
			"equipment": "EQ-7", "detail": map[string]string{"raw": "SECRET-RAW-" + run}}, 201)
	}
	a.must("POST", "/v1/items/"+f.lot+"/release", "MAKER_QA", nil, 200)
	a.must("POST", "/v1/items/"+lot2+"/release", "MAKER_QA", nil, 200)
	a.must("POST", "/v1/events", "MAKER_OPERATOR", map[string]any{"events": []map[string]any{
		{"type": "shipping", "id": f.unit, "destination": "PartnerMSP", "region": "CN-GD"}}}, 201, 200)
	a.must("POST", "/v1/items/"+lot2+"/recall", "MAKER_QA", map[string]string{"reason": "接地电阻超标 earth resistance over limit"}, 200)
	var it struct{ TxID string }
	_ = json.Unmarshal(a.must("GET", "/v1/items/"+f.unit, "MAKER_OPERATOR", nil, 200), &it)
	f.unitTx = it.TxID
	time.Sleep(1500 * time.Millisecond) // chaincode events invalidate the cache
	return f
}
