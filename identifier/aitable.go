package identifier

import "strconv"

// aiRole says where an AI may stand in a GS1 Digital Link URI.
type aiRole uint8

const (
	rolePrimary   aiRole = iota + 1 // primary key in the path (/01/, /00/)
	roleQualifier                   // key qualifier in the path (/22/, /10/, /21/)
	roleAttribute                   // data attribute in the query string
)

// aiFormat is how an AI value is checked.
type aiFormat uint8

const (
	fmtNumeric  aiFormat = iota + 1 // digits, min..max
	fmtCSet82                       // GS1 character set 82, min..max
	fmtDate                         // N6 YYMMDD, DD 00 allowed (GS1 "yymmd0")
	fmtDateTime                     // N10 YYMMDDHHMM
	fmtDateHour                     // N8+N..4 YYMMDDHH[MM[SS]]
)

// aiSpec is one row of the AI table: the GS1 General Specifications'
// format of the AI as the GS1 Barcode Syntax Dictionary states it.
type aiSpec struct {
	title    string
	role     aiRole
	format   aiFormat
	min, max int
}

// aiTable holds the AIs idchain accepts in a Digital Link. Primary keys
// and qualifiers are checked by ParseDigitalLink itself; the attributes
// are what may follow in the query string. The measure families 31nn–36nn
// (N6, the last digit is the decimal point position) are matched by
// lookupAI.
var aiTable = map[string]aiSpec{
	"00":   {"SSCC", rolePrimary, fmtNumeric, 18, 18},
	"01":   {"GTIN", rolePrimary, fmtNumeric, 14, 14},
	"10":   {"BATCH/LOT", roleQualifier, fmtCSet82, 1, 20},
	"21":   {"SERIAL", roleQualifier, fmtCSet82, 1, 20},
	"22":   {"CPV", roleQualifier, fmtCSet82, 1, 20},
	"11":   {"PROD DATE", roleAttribute, fmtDate, 6, 6},
	"12":   {"DUE DATE", roleAttribute, fmtDate, 6, 6},
	"13":   {"PACK DATE", roleAttribute, fmtDate, 6, 6},
	"15":   {"BEST BEFORE", roleAttribute, fmtDate, 6, 6},
	"16":   {"SELL BY", roleAttribute, fmtDate, 6, 6},
	"17":   {"USE BY OR EXPIRY", roleAttribute, fmtDate, 6, 6},
	"20":   {"VARIANT", roleAttribute, fmtNumeric, 2, 2},
	"30":   {"VAR. COUNT", roleAttribute, fmtNumeric, 1, 8},
	"37":   {"COUNT", roleAttribute, fmtNumeric, 1, 8},
	"240":  {"ADDITIONAL ID", roleAttribute, fmtCSet82, 1, 30},
	"241":  {"CUST. PART No.", roleAttribute, fmtCSet82, 1, 30},
	"242":  {"MTO VARIANT", roleAttribute, fmtNumeric, 1, 6},
	"243":  {"PCN", roleAttribute, fmtCSet82, 1, 20},
	"250":  {"SECONDARY SERIAL", roleAttribute, fmtCSet82, 1, 30},
	"251":  {"REF. TO SOURCE", roleAttribute, fmtCSet82, 1, 30},
	"422":  {"ORIGIN", roleAttribute, fmtNumeric, 3, 3},
	"7003": {"EXPIRY TIME", roleAttribute, fmtDateTime, 10, 10},
	"8008": {"PROD TIME", roleAttribute, fmtDateHour, 8, 12},
	"8200": {"PRODUCT URL", roleAttribute, fmtCSet82, 1, 70},
	"90":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 30},
	"91":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"92":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"93":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"94":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"95":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"96":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"97":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"98":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
	"99":   {"INTERNAL", roleAttribute, fmtCSet82, 1, 90},
}

// measureFamilies are the 31nn–36nn trade and logistic measures: the
// third digit picks the measure, the fourth the decimal point (0–5 or 0–9
// as GS1 defines per family; 0–5 everywhere here).
var measureFamilies = map[string]string{
	"310": "NET WEIGHT (kg)", "311": "LENGTH (m)", "312": "WIDTH (m)", "313": "HEIGHT (m)",
	"314": "AREA (m2)", "315": "NET VOLUME (l)", "316": "NET VOLUME (m3)", "320": "NET WEIGHT (lb)",
	"330": "GROSS WEIGHT (kg)", "331": "LENGTH (m), log", "332": "WIDTH (m), log", "333": "HEIGHT (m), log",
	"334": "AREA (m2), log", "335": "VOLUME (l), log", "336": "VOLUME (m3), log",
}

// lookupAI returns the spec of ai, if idchain knows it.
func lookupAI(ai string) (aiSpec, bool) {
	if s, ok := aiTable[ai]; ok {
		return s, true
	}
	if len(ai) == 4 && ai[3] >= '0' && ai[3] <= '5' {
		if t, ok := measureFamilies[ai[:3]]; ok {
			return aiSpec{t, roleAttribute, fmtNumeric, 6, 6}, true
		}
	}
	return aiSpec{}, false
}

// checkAttribute validates the value of a data attribute. It returns the
// offset in v of the problem and its reason, or "".
func (s aiSpec) check(ai, v string) (int, string) {
	if len(v) < s.min || len(v) > s.max {
		if s.min == s.max {
			return -1, "AI (" + ai + ") must have " + itoa(s.min) + " characters"
		}
		return -1, "AI (" + ai + ") must have " + itoa(s.min) + " to " + itoa(s.max) + " characters"
	}
	switch s.format {
	case fmtCSet82:
		for i := 0; i < len(v); i++ {
			if !isCSet82(v[i]) {
				return i, "AI (" + ai + ") contains " + quoteByte(v[i]) + ", outside GS1 character set 82"
			}
		}
		return -1, ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return i, "AI (" + ai + ") must be digits"
		}
	}
	switch s.format {
	case fmtDate:
		if off, reason := checkYYMMDD(v); reason != "" {
			return off, "AI (" + ai + ") " + reason
		}
	case fmtDateTime, fmtDateHour:
		if off, reason := checkYYMMDD(v[:6]); reason != "" || v[4:6] == "00" {
			if reason == "" {
				off, reason = 4, "has day 00"
			}
			return off, "AI (" + ai + ") " + reason
		}
		if hh := v[6:8]; hh > "23" {
			return 6, "AI (" + ai + ") has hour " + hh
		}
		if len(v) >= 10 && v[8:10] > "59" {
			return 8, "AI (" + ai + ") has minute " + v[8:10]
		}
		if len(v) == 9 || len(v) == 11 {
			return -1, "AI (" + ai + ") must be YYMMDDHH[MM[SS]]"
		}
		if len(v) == 12 && v[10:12] > "59" {
			return 10, "AI (" + ai + ") has second " + v[10:12]
		}
	}
	return -1, ""
}

func itoa(n int) string { return strconv.Itoa(n) }
