package epcis

import (
	"strings"
	"testing"
)

// TestParseEPCTagDataStandard checks the URN ↔ Digital Link conversions
// against the GS1 Tag Data Standard's worked examples.
func TestParseEPCTagDataStandard(t *testing.T) {
	tests := []struct {
		name, in, kind, uri string
		gcp                 int // company prefix length for the URN back (0: no URN)
	}{
		{"an SGTIN URN", "urn:epc:id:sgtin:0614141.812345.6789", KindSGTIN, "https://id.gs1.org/01/80614141123458/21/6789", 7},
		{"its Digital Link", "https://example.com/01/80614141123458/21/6789", KindSGTIN, "https://id.gs1.org/01/80614141123458/21/6789", 7},
		{"a Digital Link with lot and serial is the instance", "https://id.gs1.org/01/80614141123458/10/L1/21/6789?17=270101", KindSGTIN, "https://id.gs1.org/01/80614141123458/21/6789", 0},
		{"an escaped serial", "urn:epc:id:sgtin:0614141.812345.A%2FB", KindSGTIN, "https://id.gs1.org/01/80614141123458/21/A%2FB", 7},
		{"an SSCC URN", "urn:epc:id:sscc:0614141.1234567890", KindSSCC, "https://id.gs1.org/00/106141412345678908", 7},
		{"an LGTIN class", "urn:epc:class:lgtin:4012345.012345.998877", KindLGTIN, "https://id.gs1.org/01/04012345123456/10/998877", 7},
		{"a GTIN pattern", "urn:epc:idpat:sgtin:4012345.012345.*", KindGTIN, "https://id.gs1.org/01/04012345123456", 7},
		{"a GRAI URN", "urn:epc:id:grai:0614141.12345.400", KindGRAI, "https://id.gs1.org/8003/00614141123452400", 0},
		{"a GIAI URN", "urn:epc:id:giai:0614141.12345400", KindGIAI, "https://id.gs1.org/8004/061414112345400", 0},
		{"an SGLN URN", "urn:epc:id:sgln:0614141.12345.400", KindSGLN, "https://id.gs1.org/414/0614141123452/254/400", 0},
		{"an SGLN without extension", "urn:epc:id:sgln:0614141.12345.0", KindSGLN, "https://id.gs1.org/414/0614141123452", 0},
		{"a GSRN URN", "urn:epc:id:gsrn:0614141.1234567890", KindGSRN, "https://id.gs1.org/8018/061414112345678902", 0},
		{"an idchain URI", "https://id.idchain.example/88.118.8/KB-0001", KindIDChain, "https://id.idchain.example/88.118.8/KB-0001", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Options{}.ParseEPC(tt.in)
			if err != nil {
				t.Fatalf("ParseEPC(%q): %v", tt.in, err)
			}
			if e.Kind != tt.kind || e.URI != tt.uri {
				t.Fatalf("ParseEPC(%q) = %s %s, want %s %s", tt.in, e.Kind, e.URI, tt.kind, tt.uri)
			}
			if tt.gcp == 0 {
				return
			}
			urn, ok := e.URN(tt.gcp)
			if !ok {
				t.Fatalf("no URN for %+v", e)
			}
			back, err := Options{}.ParseEPC(urn)
			if err != nil || back.URI != e.URI {
				t.Fatalf("URN %s parses to %+v, %v", urn, back, err)
			}
			if strings.HasPrefix(tt.in, "urn:") && urn != tt.in {
				t.Errorf("URN(%d) = %s, want %s", tt.gcp, urn, tt.in)
			}
		})
	}
}

func TestParseEPCRejects(t *testing.T) {
	for _, in := range []string{
		"urn:epc:id:sgtin:0614141.81234.6789",          // 12 digits, not 13
		"urn:epc:id:sgtin:061.812345678901.6789",       // company prefix too short
		"urn:epc:id:sgtin:0614141.812345.",             // empty serial
		"urn:epc:id:sscc:0614141.123456789",            // 16 digits
		"urn:epc:id:foo:1.2",                           // unknown scheme
		"urn:epc:idpat:sgtin:4012345.012345.1*",        // partial pattern
		"https://id.gs1.org/01/80614141123459/21/6789", // check digit
		"https://id.gs1.org/01/8061414112345/21/6789",  // 13 digits
		"ftp://x",
	} {
		if e, err := (Options{}).ParseEPC(in); err == nil {
			t.Errorf("ParseEPC(%q) = %+v, want an error", in, e)
		}
	}
}
