package epcis

import (
	"net/url"
	"strings"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// EPC kinds: the EPC schemes of the GS1 Tag Data Standard (TDS 2.x) that
// idchain reads, plus class-level ids and idchain's own URIs.
const (
	KindSGTIN   = "sgtin"   // GTIN + serial, an instance
	KindSSCC    = "sscc"    // logistic unit, an instance
	KindGRAI    = "grai"    // returnable asset (with serial: an instance)
	KindGIAI    = "giai"    // individual asset, an instance
	KindSGLN    = "sgln"    // location
	KindGSRN    = "gsrn"    // service relation
	KindLGTIN   = "lgtin"   // GTIN + lot, a class
	KindGTIN    = "gtin"    // GTIN alone, a class
	KindIDChain = "idchain" // an idchain 标识 URI
)

// EPC is an identifier from an EPCIS event in canonical form.
type EPC struct {
	Kind string
	// URI is the canonical form: a GS1 Digital Link under
	// https://id.gs1.org for GS1 keys (instance: /01/{gtin}/21/{serial},
	// class: /01/{gtin}[/10/{lot}]), the idchain URI for 标识.
	URI string
	// GS1 holds GTIN, lot and serial for the GTIN kinds (SSCC for sscc).
	GS1 identifier.GS1Data
	// ID is the 标识 of an idchain URI.
	ID string
}

// Class reports whether the EPC names a class of objects (quantityList).
func (e EPC) Class() bool { return e.Kind == KindGTIN || e.Kind == KindLGTIN }

// ParseEPC reads an identifier as EPCIS 2.0 allows it: an EPC URN
// (urn:epc:id:sgtin|sscc|grai|giai|sgln|gsrn, urn:epc:class:lgtin,
// urn:epc:idpat:sgtin:…*), a GS1 Digital Link URI on any host (/01/,
// /00/, /8003/, /8004/, /414/, /8018/) or an idchain URI under IDBase.
// The conversions follow the GS1 Tag Data Standard: the company prefix
// and the reference fields of a URN are put together and the check digit
// computed. Errors are INVALID_IDENTIFIER with the reason.
func (o Options) ParseEPC(s string) (EPC, *domain.Error) {
	switch {
	case strings.HasPrefix(s, "urn:epc:"):
		return parseURN(s)
	case strings.HasPrefix(s, o.idBase()+"/") && !strings.HasPrefix(s, o.idBase()+"/loc/") && !strings.HasPrefix(s, o.idBase()+"/org/"):
		id, err := o.parseIDURI(s)
		if err != nil {
			return EPC{}, err
		}
		return EPC{Kind: KindIDChain, URI: o.idURI(id), ID: id}, nil
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		return parseDLEPC(s)
	}
	return EPC{}, domain.Errorf(domain.CodeInvalidIdentifier, "%q is neither an EPC URN, a GS1 Digital Link nor an idchain URI", s)
}

// parseURN converts an EPC pure-identity or class URN.
func parseURN(s string) (EPC, *domain.Error) {
	bad := func(reason string) (EPC, *domain.Error) {
		return EPC{}, domain.Errorf(domain.CodeInvalidIdentifier, "%q: %s (GS1 Tag Data Standard)", s, reason)
	}
	parts := strings.SplitN(s, ":", 5)
	if len(parts) != 5 {
		return bad("not an EPC URN urn:epc:id|class|idpat:{scheme}:{fields}")
	}
	form, scheme, fields := parts[2], parts[3], strings.Split(parts[4], ".")
	want := map[string]int{"sgtin": 3, "lgtin": 3, "sscc": 2, "grai": 3, "giai": 2, "sgln": 3, "gsrn": 2}[scheme]
	if want == 0 || len(fields) != want {
		return bad("unsupported scheme or wrong number of fields")
	}
	switch form + ":" + scheme {
	case "id:sgtin", "class:lgtin", "idpat:sgtin":
	case "id:sscc", "id:grai", "id:giai", "id:sgln", "id:gsrn":
	default:
		return bad("unsupported EPC URN form " + form + ":" + scheme)
	}
	cp := fields[0]
	if len(cp) < 6 || len(cp) > 12 || !allDigits(cp) {
		return bad("company prefix must have 6 to 12 digits")
	}
	digitsTo := func(ref string, total int) bool { return allDigits(ref) && len(cp)+len(ref) == total }
	switch scheme {
	case "sgtin", "lgtin":
		ir := fields[1]
		if !digitsTo(ir, 13) {
			return bad("company prefix and indicator/item reference must have 13 digits")
		}
		gtin := withCheck(ir[:1] + cp + ir[1:])
		d := identifier.GS1Data{GTIN: gtin}
		if form == "idpat" {
			if fields[2] != "*" {
				return bad("only a whole-GTIN pattern CP.IR.* is supported")
			}
			return classEPC(d)
		}
		v, err := url.PathUnescape(fields[2])
		if err != nil || v == "" {
			return bad("serial or lot is empty or badly escaped")
		}
		if scheme == "lgtin" {
			d.Lot = v
			return classEPC(d)
		}
		d.Serial = v
		return instanceEPC(d)
	case "sscc":
		if !digitsTo(fields[1], 17) {
			return bad("company prefix and serial reference must have 17 digits")
		}
		sr := fields[1]
		return instanceEPC(identifier.GS1Data{SSCC: withCheck(sr[:1] + cp + sr[1:])})
	case "grai":
		if !digitsTo(fields[1], 12) {
			return bad("company prefix and asset type must have 12 digits")
		}
		v, err := url.PathUnescape(fields[2])
		if err != nil || v == "" || len(v) > 16 {
			return bad("GRAI serial must have 1 to 16 characters")
		}
		grai := "0" + withCheck(cp+fields[1]) + v
		return EPC{Kind: KindGRAI, URI: DefaultDigitalLinkBase + "/8003/" + escapeDL(grai)}, nil
	case "giai":
		v, err := url.PathUnescape(fields[1])
		if err != nil || v == "" || len(cp)+len(v) > 30 {
			return bad("GIAI must have at most 30 characters")
		}
		return EPC{Kind: KindGIAI, URI: DefaultDigitalLinkBase + "/8004/" + escapeDL(cp+v)}, nil
	case "sgln":
		if !digitsTo(fields[1], 12) {
			return bad("company prefix and location reference must have 12 digits")
		}
		u := DefaultDigitalLinkBase + "/414/" + withCheck(cp+fields[1])
		if ext, err := url.PathUnescape(fields[2]); err == nil && ext != "0" && ext != "" {
			u += "/254/" + escapeDL(ext)
		}
		return EPC{Kind: KindSGLN, URI: u}, nil
	default: // gsrn
		if !digitsTo(fields[1], 17) {
			return bad("company prefix and service reference must have 17 digits")
		}
		return EPC{Kind: KindGSRN, URI: DefaultDigitalLinkBase + "/8018/" + withCheck(cp+fields[1])}, nil
	}
}

// parseDLEPC reads a GS1 Digital Link URI naming an object or a class.
func parseDLEPC(s string) (EPC, *domain.Error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return EPC{}, domain.Errorf(domain.CodeInvalidIdentifier, "%q is not a URI", s)
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		var kind string
		switch segs[i] {
		case "8003":
			kind = KindGRAI
		case "8004":
			kind = KindGIAI
		case "414":
			kind = KindSGLN
		case "8018":
			kind = KindGSRN
		default:
			continue
		}
		if (len(segs)-i)%2 != 0 {
			continue
		}
		return EPC{Kind: kind, URI: DefaultDigitalLinkBase + "/" + strings.Join(segs[i:], "/")}, nil
	}
	dl, perr := identifier.ParseDigitalLinkURI(s)
	if perr != nil {
		return EPC{}, domain.Errorf(domain.CodeInvalidIdentifier, "%q: %s", s, identMessage(perr))
	}
	d := dl.GS1Data
	d.Expiry, d.CPV = "", ""
	switch {
	case d.SSCC != "", d.Serial != "":
		d.Lot = ""
		return instanceEPC(d)
	default:
		return classEPC(d)
	}
}

func instanceEPC(d identifier.GS1Data) (EPC, *domain.Error) {
	kind := KindSGTIN
	if d.SSCC != "" {
		kind = KindSSCC
	}
	return gs1EPC(kind, d)
}

func classEPC(d identifier.GS1Data) (EPC, *domain.Error) {
	kind := KindGTIN
	if d.Lot != "" {
		kind = KindLGTIN
	}
	return gs1EPC(kind, d)
}

func gs1EPC(kind string, d identifier.GS1Data) (EPC, *domain.Error) {
	p, err := d.DigitalLinkPath()
	if err != nil {
		return EPC{}, domain.Errorf(domain.CodeInvalidIdentifier, "%s", identMessage(err))
	}
	return EPC{Kind: kind, URI: DefaultDigitalLinkBase + p, GS1: d}, nil
}

// URN writes a GTIN-based or SSCC EPC as its EPC URN, which needs the
// length of the GS1 company prefix (6–12; TDS). Other kinds have no URN
// here: ok is false.
func (e EPC) URN(gcpLen int) (string, bool) {
	if gcpLen < 6 || gcpLen > 12 {
		return "", false
	}
	switch e.Kind {
	case KindSGTIN, KindLGTIN, KindGTIN:
		g := e.GS1.GTIN
		cp, ir := g[1:1+gcpLen], g[:1]+g[1+gcpLen:13]
		switch e.Kind {
		case KindSGTIN:
			return "urn:epc:id:sgtin:" + cp + "." + ir + "." + escapeURN(e.GS1.Serial), true
		case KindLGTIN:
			return "urn:epc:class:lgtin:" + cp + "." + ir + "." + escapeURN(e.GS1.Lot), true
		}
		return "urn:epc:idpat:sgtin:" + cp + "." + ir + ".*", true
	case KindSSCC:
		s := e.GS1.SSCC
		return "urn:epc:id:sscc:" + s[1:1+gcpLen] + "." + s[:1] + s[1+gcpLen:17], true
	}
	return "", false
}

// escapeURN escapes a serial or lot for an EPC URN: TDS escapes " % & / < > ?
// and keeps the other characters of GS1 character set 82.
func escapeURN(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"', '%', '&', '/', '<', '>', '?':
			b.WriteString("%" + strings.ToUpper(hexByte(c)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hexByte(c byte) string {
	const h = "0123456789abcdef"
	return string([]byte{h[c>>4], h[c&15]})
}

func escapeDL(v string) string { return url.PathEscape(v) }

// withCheck appends the GS1 mod-10 check digit to digits.
func withCheck(digits string) string {
	c, _ := identifier.CheckDigit(digits)
	return digits + string(c)
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
