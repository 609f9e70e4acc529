package epcis

import (
	"net/url"
	"strings"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// epcURI is the URI of an idchain id in an EPCIS event: GS1 Digital Link
// when the item has a GTIN and a serial (or is a lot-like item with a GTIN
// and a lot), an idchain URI otherwise. See the package comment.
func (o Options) epcURI(id string, items map[string]domain.Item) string {
	if it, ok := items[id]; ok && it.GTIN != "" {
		if gtin, err := identifier.NormalizeGTIN(it.GTIN); err == nil {
			switch {
			case it.Serial != "":
				return o.dlBase() + "/01/" + gtin + "/21/" + url.PathEscape(it.Serial)
			case it.Lot != "" && lotLike(it.Kind):
				return o.dlBase() + "/01/" + gtin + "/10/" + url.PathEscape(it.Lot)
			}
		}
	}
	return o.idURI(id)
}

func lotLike(k domain.Kind) bool {
	return k == domain.KindLot || k == domain.KindBatch || k == domain.KindMaterialLot
}

// idURI is {IDBase}/{prefix}/{escaped suffix}.
func (o Options) idURI(id string) string {
	prefix, suffix, _ := strings.Cut(id, "/")
	return o.idBase() + "/" + prefix + "/" + url.PathEscape(suffix)
}

// locURI turns a read point or business location into a URI: URIs stay,
// names become {IDBase}/loc/{name}.
func (o Options) locURI(s string) string {
	if isAbsoluteURI(s) {
		return s
	}
	return o.idBase() + "/loc/" + url.PathEscape(s)
}

// orgURI is {IDBase}/org/{msp}.
func (o Options) orgURI(msp string) string {
	return o.idBase() + "/org/" + url.PathEscape(msp)
}

// parseLoc reverses locURI.
func (o Options) parseLoc(s string) string {
	if rest, ok := strings.CutPrefix(s, o.idBase()+"/loc/"); ok {
		if v, err := url.PathUnescape(rest); err == nil {
			return v
		}
	}
	return s
}

// parseOrg reverses orgURI; ok is false for other URIs.
func (o Options) parseOrg(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, o.idBase()+"/org/")
	if !ok {
		return "", false
	}
	v, err := url.PathUnescape(rest)
	return v, err == nil && v != ""
}

// parseEPC turns an EPC URI of a capture document back into a normalised
// 标识: an idchain URI under IDBase, or a GS1 Digital Link URI resolved
// through Options.ResolveGTIN.
func (o Options) parseEPC(s string) (string, *domain.Error) {
	if rest, ok := strings.CutPrefix(s, o.idBase()+"/"); ok {
		prefix, esc, found := strings.Cut(rest, "/")
		if !found {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q has no suffix", s)
		}
		suffix, err := url.PathUnescape(esc)
		if err != nil {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: bad percent-encoding", s)
		}
		id, err := identifier.Parse(prefix + "/" + suffix)
		if err != nil {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: %s", s, identMessage(err))
		}
		return id.String(), nil
	}
	if gtin, lot, serial, ok := parseDigitalLink(s); ok {
		if _, err := identifier.NormalizeGTIN(gtin); err != nil {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: %s", s, identMessage(err))
		}
		if o.ResolveGTIN == nil {
			return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: GS1 Digital Link ids cannot be resolved here; use the idchain URI", s)
		}
		gtin14, _ := identifier.NormalizeGTIN(gtin)
		id, found := o.ResolveGTIN(gtin14, lot, serial)
		if !found {
			return "", domain.Errorf(domain.CodeNotFound, "%q: no item registered with this GTIN", s)
		}
		return id, nil
	}
	return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q is neither an idchain URI under %s nor a GS1 Digital Link URI", s, o.idBase())
}

// parseDigitalLink extracts GTIN, lot and serial from the path of a GS1
// Digital Link URI (any host): /01/{gtin}[/10/{lot}][/21/{serial}].
func parseDigitalLink(s string) (gtin, lot, serial string, ok bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", "", false
	}
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	if len(parts) < 2 || len(parts)%2 != 0 || parts[0] != "01" {
		return "", "", "", false
	}
	gtin = parts[1]
	for i := 2; i < len(parts); i += 2 {
		v, err := url.PathUnescape(parts[i+1])
		if err != nil || v == "" {
			return "", "", "", false
		}
		switch parts[i] {
		case "10":
			lot = v
		case "21":
			serial = v
		default:
			return "", "", "", false
		}
	}
	return gtin, lot, serial, true
}

// identMessage is the message of an identifier error without its code.
func identMessage(err error) string {
	if e, ok := err.(*identifier.Error); ok {
		return e.Message()
	}
	return err.Error()
}
