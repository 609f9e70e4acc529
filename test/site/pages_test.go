//go:build integration

package site

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLivePublicVerification(t *testing.T) {
	a := mustLive(t)
	f := newFixture(t, a)
	if f.unitTx == "" {
		t.Fatal("fixture unit has no txId")
	}

	t.Run("verify JSON counts the scan", func(t *testing.T) {
		_, body := a.call("GET", "/v1/verify/"+f.unit, "", "", nil)
		var v struct {
			Genuine, Released bool
			Scans             int64
			FirstScanAt       string
			Model, Maker      string
		}
		if err := json.Unmarshal(body, &v); err != nil || !v.Genuine || !v.Released || v.Scans != 1 || v.FirstScanAt == "" || v.Model != "JZT-2B" {
			t.Fatalf("verify %s", body)
		}
	})

	forbidden := []string{f.unitTx, "SECRET-RAW", "0.0371", "MakerMSP", "maker-qa", "maker-inspector", "txId"}
	t.Run("consumer page in Chromium", func(t *testing.T) {
		url := a.base + "/v/" + f.unit
		text := visibleText(browser(t, url, ""))
		for _, want := range []string{"正品", "Genuine", "JZT-2B", "制造企业", f.lotNo, "2026-11-20", "合格", "发货 Shipped", "查询次数"} {
			if !strings.Contains(text, want) {
				t.Errorf("page text lacks %q:\n%s", want, text)
			}
		}
		dom := browser(t, url, "")
		for _, secret := range forbidden {
			if strings.Contains(dom, secret) {
				t.Errorf("page shows private or internal %q", secret)
			}
		}
		shot := artifact(t, "public-verify.png")
		browser(t, url, shot)
		browserSized(t, url, artifact(t, "public-verify-full.png"), "390,1900")
		if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
			t.Errorf("screenshot %s: %v", shot, err)
		}
	})

	t.Run("recalled unit shows the banner", func(t *testing.T) {
		url := a.base + "/v/" + f.recalledUnit
		text := visibleText(browser(t, url, ""))
		for _, want := range []string{"已召回", "Recalled", "接地电阻超标"} {
			if !strings.Contains(text, want) {
				t.Errorf("recall page lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "✔ 正品") {
			t.Error("recalled unit shown as genuine without banner")
		}
		browser(t, url, artifact(t, "public-recalled.png"))
	})

	t.Run("unknown code is possibly counterfeit", func(t *testing.T) {
		resp, _ := a.call("GET", "/v/"+livePrefix+"/NO-SUCH-"+f.run, "", "", nil)
		text := visibleText(browser(t, a.base+"/v/"+livePrefix+"/NO-SUCH-"+f.run, ""))
		if resp.StatusCode != 404 || !strings.Contains(text, "可能是假冒产品") {
			t.Errorf("status %d text %s", resp.StatusCode, text)
		}
	})

	t.Run("QR PNG decodes to the Digital Link", func(t *testing.T) {
		if _, err := exec.LookPath("zbarimg"); err != nil {
			if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
				t.Fatal("zbarimg not installed (apt-get install -y zbar-tools)")
			}
			t.Skip("zbarimg not installed (apt-get install -y zbar-tools)")
		}
		resp, png := a.call("GET", "/v1/items/"+f.unit+"/qr.png?size=400", "MAKER_OPERATOR", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("qr.png: %d %s", resp.StatusCode, png)
		}
		file := artifact(t, "label-"+f.run+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("zbarimg", "--raw", "-q", file).Output()
		want := a.base + "/01/" + f.gtin + "/10/" + f.lotNo + "/21/" + f.serial
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("zbarimg: %q (%v), want %q", out, err, want)
		}
	})

	t.Run("Digital Link resolves with content negotiation", func(t *testing.T) {
		path := "/01/" + f.gtin + "/10/" + f.lotNo + "/21/" + f.serial
		resp, _ := a.call("GET", path, "", "text/html", nil)
		// The default link of the linkset: an absolute URL of the /v/ page.
		if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasSuffix(resp.Header.Get("Location"), "/v/"+f.unit) {
			t.Errorf("browser: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := a.call("GET", path, "", "application/json", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"`+f.unit+`"`) {
			t.Errorf("json: %d %s", resp.StatusCode, body)
		}
		resp, _ = a.call("GET", "/01/"+f.gtin+"/10/"+f.lotNo, "", "text/html", nil)
		if !strings.HasSuffix(resp.Header.Get("Location"), "/v/"+f.lot) {
			t.Errorf("lot level: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("Handle resolution", func(t *testing.T) {
		resp, body := a.call("GET", "/api/handles/"+f.unit+"?type=URL", "", "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"responseCode":1`) || !strings.Contains(string(body), "/v/"+f.unit) {
			t.Errorf("handle: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("a scan outside the shipped region alerts the owner only", func(t *testing.T) {
		_, body := a.call("GET", "/v1/verify/"+f.unit+"?region=CN-BJ", "", "", nil)
		if strings.Contains(string(body), "CN-") {
			t.Errorf("consumer sees region data: %s", body)
		}
		_, alerts := a.call("GET", "/v1/alerts", "MAKER_OPERATOR", "", nil)
		if !strings.Contains(string(alerts), f.unit) || !strings.Contains(string(alerts), `"authorised":"CN-GD"`) {
			t.Errorf("owner alerts: %s", alerts)
		}
		_, other := a.call("GET", "/v1/alerts", "PARTNER_OPERATOR", "", nil)
		if strings.Contains(string(other), f.unit) {
			t.Errorf("partner sees the maker's alert")
		}
	})

	t.Run("dashboard in Chromium", func(t *testing.T) {
		url := a.base + "/dashboard?key=" + a.keys["IDCHAIN_KEY_REGULATOR"]
		wants := []string{"数据展示中心", "登记标识", "合格率", "厨卫"}
		// The counters follow their own event stream (and rebuild from block 0
		// after Redis lost them), so give them a bounded while to catch up.
		var dom, text string
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Second) {
			dom = browser(t, url, "")
			text = visibleText(dom)
			missing := slices.DeleteFunc(slices.Clone(wants), func(w string) bool { return strings.Contains(text, w) })
			if len(missing) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("dashboard lacks %q:\n%s", missing, text)
			}
		}
		if !strings.Contains(dom, "<svg") || strings.Contains(dom, a.keys["IDCHAIN_KEY_REGULATOR"]) {
			t.Errorf("dashboard has no chart or shows the key")
		}
		browser(t, url, artifact(t, "dashboard.png"))
	})
}
