package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

// runIdctl runs idctl with args and returns stdout, stderr and the exit code.
func runIdctl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	code := run(context.Background(), args, e)
	return out.String(), errOut.String(), code
}

// checkJSON runs `idctl check code` and decodes its output.
func checkJSON(t *testing.T, code string) (map[string]any, int) {
	t.Helper()
	out, stderr, exit := runIdctl(t, "check", code)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("check %q printed non-JSON %q (stderr %q): %v", code, out, stderr, err)
	}
	return m, exit
}

func TestCheckValidCodes(t *testing.T) {
	tests := []struct {
		name, in, kind, normalized string
		part, partValue            string
	}{
		{"a national 标识", "88.709.911/123", "identifier", "88.709.911/123", "prefix", "88.709.911"},
		{"a 标识 with upper-case prefix", "88.608.ABC/META_zj02", "identifier", "88.608.abc/META_zj02", "suffix", "META_zj02"},
		{"a GTIN-13", "4006381333931", "gtin", "04006381333931", "format", "GTIN-13"},
		{"a GTIN-8", "96385074", "gtin", "00000096385074", "check_digit", "4"},
		{"a GTIN-12", "036000291452", "gtin", "00036000291452", "format", "GTIN-12"},
		{"a GTIN-14", "09506000134352", "gtin", "09506000134352", "gtin14", "09506000134352"},
		{"an SSCC", "376104250021234569", "sscc", "376104250021234569", "", ""},
		{"a Digital Link URI", "https://id.gs1.org/01/09506000134352/10/ABC?17=250131", "gs1_digital_link",
			"/01/09506000134352/10/ABC?17=250131", "element_string", "(01)09506000134352(17)250131(10)ABC"},
		{"an element string", "(01)09506000134352(21)S1", "gs1_element_string", "(01)09506000134352(21)S1", "digital_link_path", "/01/09506000134352/21/S1"},
		{"a serial", "97gvm2wdtpr104", "serial", "97GVM2WDTPR104", "", ""},
		{"a filing number", "粤G妆网备字2020123456", "cosmetics_code", "粤G妆网备字2020123456", "province_name", "广东"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, exit := checkJSON(t, tt.in)
			if exit != exitOK || m["valid"] != true || m["kind"] != tt.kind || m["normalized"] != tt.normalized {
				t.Fatalf("check %q = exit %d %v", tt.in, exit, m)
			}
			if tt.part != "" {
				parts, _ := m["parts"].(map[string]any)
				if parts[tt.part] != tt.partValue {
					t.Fatalf("parts.%s = %v, want %q", tt.part, parts[tt.part], tt.partValue)
				}
			}
		})
	}
}

func TestCheckReportsStructuredAndSerialSuffixes(t *testing.T) {
	m, _ := checkJSON(t, "88.118.8/PCB.HX-4L.20240315.0001")
	parts := m["parts"].(map[string]any)
	if st, _ := parts["structured"].(map[string]any); st["date"] != "20240315" {
		t.Fatalf("parts = %v", parts)
	}
	id := "88.608.8899/" + identifier.NewSerial()
	m, _ = checkJSON(t, id)
	if m["parts"].(map[string]any)["serial"] != true {
		t.Fatalf("check %s = %v, want serial", id, m)
	}
}

func TestCheckInvalidCodes(t *testing.T) {
	tests := []struct {
		name, in, kind, code string
		pos                  float64 // -1: no pos
	}{
		{"a slash in the suffix", "88.709.911/a/b", "identifier", identifier.CodeInvalidIdentifier, 12},
		{"a prefix without suffix", "88.709.911", "identifier", identifier.CodeInvalidIdentifier, -1},
		{"a wrong GTIN check digit", "4006381333932", "gtin", identifier.CodeInvalidGTIN, 12},
		{"eleven digits", "12345678901", "gtin", identifier.CodeInvalidGTIN, -1},
		{"a link with qualifiers out of order", "/01/09506000134352/21/S/10/L", "gs1_digital_link", identifier.CodeInvalidDigitalLink, 24},
		{"an element string with a bad date", "(01)09506000134352(17)251301", "gs1_element_string", identifier.CodeInvalidElement, 24},
		{"a mistyped serial", "97GVM2WDTPR204", "serial", identifier.CodeInvalidSerial, 13},
		{"a bad licence", "粤妆2016001", "cosmetics_code", identifier.CodeInvalidCode, 6},
		{"free text", "hello", "", identifier.CodeInvalidCode, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, exit := checkJSON(t, tt.in)
			errObj, _ := m["error"].(map[string]any)
			if exit != exitInvalid || m["valid"] != false || errObj == nil || m["parts"] != nil || m["normalized"] != nil {
				t.Fatalf("check %q = exit %d %v", tt.in, exit, m)
			}
			if (tt.kind == "" && m["kind"] != nil) || (tt.kind != "" && m["kind"] != tt.kind) || errObj["code"] != tt.code {
				t.Fatalf("check %q = %v, want kind %q code %s", tt.in, m, tt.kind, tt.code)
			}
			if pos, ok := errObj["pos"]; (tt.pos < 0 && ok) || (tt.pos >= 0 && pos != tt.pos) {
				t.Fatalf("error.pos = %v, want %v", pos, tt.pos)
			}
			if msg, _ := errObj["message"].(string); msg == "" {
				t.Fatal("error without message")
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"an unknown command", []string{"frobnicate"}, exitUsage},
		{"help", []string{"help"}, exitOK},
		{"check without code", []string{"check"}, exitUsage},
		{"check with two codes", []string{"check", "a", "b"}, exitUsage},
		{"check with an unknown flag", []string{"check", "-x", "a"}, exitUsage},
		{"check -h", []string{"check", "-h"}, exitOK},
		{"serials without prefix", []string{"serials"}, exitUsage},
		{"serials with a bad prefix", []string{"serials", "-prefix", "88..1"}, exitUsage},
		{"serials with n 0", []string{"serials", "-prefix", "88.1", "-n", "0"}, exitUsage},
		{"gs1 without subcommand", []string{"gs1"}, exitUsage},
		{"gs1 link without input", []string{"gs1", "link"}, exitUsage},
		{"gs1 link with both forms", []string{"gs1", "link", "-gtin", "96385074", "(01)09506000134352"}, exitUsage},
		{"gs1 element without input", []string{"gs1", "element"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runIdctl(t, tt.args...)
			if code != tt.want {
				t.Fatalf("idctl %v exit = %d, want %d (stderr %q)", tt.args, code, tt.want, stderr)
			}
			if code == exitUsage && !strings.Contains(stderr, "usage") {
				t.Fatalf("usage error without usage text: %q", stderr)
			}
		})
	}
}

func TestSerials(t *testing.T) {
	out, _, code := runIdctl(t, "serials", "-prefix", "88.608.ABC", "-n", "5")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 5 {
		t.Fatalf("serials = exit %d %q", code, out)
	}
	for _, l := range lines {
		id, err := identifier.Parse(l)
		if err != nil || id.Prefix != "88.608.abc" || identifier.CheckSerial(id.Suffix) != nil {
			t.Fatalf("serials printed %q: %v", l, err)
		}
	}
}

func TestGS1Conversions(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"element string to link", []string{"gs1", "link", "(01)09506000134352(17)250131(10)AB/1"},
			"https://id.gs1.org/01/09506000134352/10/AB%2F1?17=250131\n", exitOK},
		{"link with a custom base", []string{"gs1", "link", "-base", "https://brand.example/", "(01)09506000134352"},
			"https://brand.example/01/09506000134352\n", exitOK},
		{"link from flags", []string{"gs1", "link", "-gtin", "4006381333931", "-lot", "L1", "-serial", "S1"},
			"https://id.gs1.org/01/04006381333931/10/L1/21/S1\n", exitOK},
		{"link to element string", []string{"gs1", "element", "https://id.gs1.org/01/09506000134352/10/AB%2F1?17=250131"},
			"(01)09506000134352(17)250131(10)AB/1\n", exitOK},
		{"an invalid element string", []string{"gs1", "link", "(01)09506000134353"}, "", exitInvalid},
		{"an invalid GTIN flag", []string{"gs1", "link", "-gtin", "123"}, "", exitInvalid},
		{"an invalid link", []string{"gs1", "element", "/10/ABC"}, "", exitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := runIdctl(t, tt.args...)
			if code != tt.code || out != tt.want {
				t.Fatalf("idctl %v = exit %d %q (stderr %q), want %d %q", tt.args, code, out, stderr, tt.code, tt.want)
			}
			if code == exitInvalid && !strings.Contains(stderr, "INVALID_") {
				t.Fatalf("stderr %q names no error code", stderr)
			}
		})
	}
}
