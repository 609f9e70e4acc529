package identifier

import "strings"

// GS1 Application Identifiers understood by this package.
const (
	AISSCC   = "00" // Serial Shipping Container Code, N18
	AIGTIN   = "01" // Global Trade Item Number, N14
	AILot    = "10" // batch or lot number, X..20
	AIExpiry = "17" // expiration date, N6 YYMMDD
	AISerial = "21" // serial number, X..20
	AICPV    = "22" // consumer product variant, X..20
)

// GS1Data is the content of a GS1 element string or Digital Link: a primary
// key (GTIN or SSCC, exactly one) and, for a GTIN, optional qualifiers and
// expiry date. GTIN is always stored as a GTIN-14.
type GS1Data struct {
	SSCC   string `json:"sscc,omitempty"`
	GTIN   string `json:"gtin,omitempty"`
	CPV    string `json:"cpv,omitempty"`
	Lot    string `json:"lot,omitempty"`
	Serial string `json:"serial,omitempty"`
	Expiry string `json:"expiry,omitempty"` // YYMMDD; DD may be 00 (end of month)
}

// Validate checks every field and their combination. Errors have code
// INVALID_GTIN for a bad GTIN and INVALID_ELEMENT_STRING otherwise; Pos is -1.
func (d GS1Data) Validate() error {
	return d.validate(CodeInvalidElement)
}

func (d GS1Data) validate(code string) error {
	switch {
	case d.GTIN == "" && d.SSCC == "":
		return newError(code, -1, "needs a GTIN (01) or an SSCC (00)")
	case d.GTIN != "" && d.SSCC != "":
		return newError(code, -1, "has both a GTIN (01) and an SSCC (00)")
	case d.SSCC != "" && (d.CPV != "" || d.Lot != "" || d.Serial != "" || d.Expiry != ""):
		return newError(code, -1, "an SSCC (00) takes no qualifiers or expiry date")
	}
	for _, f := range d.fields() {
		if f.v == "" {
			continue
		}
		if _, err := checkAIValue(f.ai, f.v, -1, code, false); err != nil {
			return err
		}
	}
	return nil
}

type aiValue struct{ ai, v string }

// fields lists d's values in element-string order, fixed-length AIs first:
// (00), (01), (17), (22), (10), (21). Empty values are included.
func (d GS1Data) fields() [6]aiValue {
	return [6]aiValue{{AISSCC, d.SSCC}, {AIGTIN, d.GTIN}, {AIExpiry, d.Expiry}, {AICPV, d.CPV}, {AILot, d.Lot}, {AISerial, d.Serial}}
}

// set stores a checked value for ai; it reports false when ai already has one.
func (d *GS1Data) set(ai, v string) bool {
	var p *string
	switch ai {
	case AISSCC:
		p = &d.SSCC
	case AIGTIN:
		p = &d.GTIN
	case AICPV:
		p = &d.CPV
	case AILot:
		p = &d.Lot
	case AISerial:
		p = &d.Serial
	case AIExpiry:
		p = &d.Expiry
	}
	if *p != "" {
		return false
	}
	*p = v
	return true
}

// checkAIValue validates v as the value of a supported ai and returns it
// normalised (a GTIN padded to 14 digits when shortGTIN allows 8/12/13).
// pos is v's offset in the caller's input (-1 when unknown); code is the
// caller's error code, except that a bad GTIN is always INVALID_GTIN.
func checkAIValue(ai, v string, pos int, code string, shortGTIN bool) (string, error) {
	at := func(off int) int {
		if pos < 0 || off < 0 {
			return -1
		}
		return pos + off
	}
	switch ai {
	case AIGTIN:
		if !shortGTIN && len(v) != 14 {
			return "", newError(CodeInvalidGTIN, at(0), "AI (01) must have 14 digits")
		}
		g, err := NormalizeGTIN(v)
		if err != nil {
			e := err.(*Error)
			e.Pos = at(e.Pos)
			return "", e
		}
		return g, nil
	case AISSCC:
		if err := ValidateSSCC(v); err != nil {
			e := err.(*Error)
			e.Code, e.Pos = code, at(e.Pos)
			return "", e
		}
	case AIExpiry:
		if off, reason := checkYYMMDD(v); reason != "" {
			return "", newError(code, at(off), "AI (17) "+reason)
		}
	case AILot, AISerial, AICPV:
		if v == "" || len(v) > 20 {
			return "", newError(code, at(0), "AI ("+ai+") must have 1 to 20 characters")
		}
		for i := 0; i < len(v); i++ {
			if !isCSet82(v[i]) {
				return "", newError(code, at(i), "AI ("+ai+") contains "+quoteByte(v[i])+", outside GS1 character set 82")
			}
		}
	default:
		return "", newError(code, at(0), "unsupported AI ("+ai+")")
	}
	return v, nil
}

// checkYYMMDD validates a GS1 date; DD 00 means the last day of the month.
// It returns the offset and reason of the first problem, or "".
func checkYYMMDD(v string) (int, string) {
	if len(v) != 6 {
		return -1, "must be YYMMDD"
	}
	for i := 0; i < 6; i++ {
		if v[i] < '0' || v[i] > '9' {
			return i, "must be YYMMDD"
		}
	}
	yy := int(v[0]-'0')*10 + int(v[1]-'0')
	mm := int(v[2]-'0')*10 + int(v[3]-'0')
	dd := int(v[4]-'0')*10 + int(v[5]-'0')
	if mm < 1 || mm > 12 {
		return 2, "has month " + v[2:4]
	}
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mm]
	// GS1 resolves YY within a ±50-year window, so YY 00 is 2000 (a leap
	// year) until 2050 and yy%4 decides February.
	if mm == 2 && yy%4 != 0 {
		days = 28
	}
	if dd > days {
		return 4, "has day " + v[4:6] + " for month " + v[2:4]
	}
	return -1, ""
}

// cset82 is the GS1 AI encodable character set 82.
const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

var cset82Table = func() (t [256]bool) {
	for i := 0; i < len(cset82); i++ {
		t[cset82[i]] = true
	}
	return t
}()

func isCSet82(c byte) bool { return cset82Table[c] }

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}
