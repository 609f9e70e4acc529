package epcis

import (
	"net/url"
	"strings"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// epcRef is the URI of an idchain id in an EPCIS event: a GS1 Digital
// Link when the item has a GTIN and a serial (an object), or is a lot-like
// item with a GTIN and a lot (a class: class is true, and the URI belongs
// in a quantity list); an idchain URI otherwise. See the package comment.
func (o Options) epcRef(id string, items map[string]domain.Item) (uri string, class bool) {
	if it, ok := items[id]; ok && it.GTIN != "" {
		if gtin, err := identifier.NormalizeGTIN(it.GTIN); err == nil {
			var d identifier.GS1Data
			switch {
			case it.Serial != "":
				d = identifier.GS1Data{GTIN: gtin, Serial: it.Serial}
			case it.Lot != "" && lotLike(it.Kind):
				d, class = identifier.GS1Data{GTIN: gtin, Lot: it.Lot}, true
			}
			// A serial or lot outside GS1 character set 82 has no Digital
			// Link: the item keeps its idchain URI.
			if p, err := d.DigitalLinkPath(); err == nil {
				return o.dlBase() + p, class
			}
		}
	}
	return o.idURI(id), false
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

// parseIDURI reads an idchain URI {IDBase}/{prefix}/{escaped suffix}.
func (o Options) parseIDURI(s string) (string, *domain.Error) {
	rest, _ := strings.CutPrefix(s, o.idBase()+"/")
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

// parseEPC turns an EPC of a capture document back into a normalised
// 标识: an idchain URI under IDBase, or a GS1 key (Digital Link or EPC
// URN with GTIN and lot or serial) resolved through Options.ResolveGTIN.
func (o Options) parseEPC(s string) (string, *domain.Error) {
	e, err := o.ParseEPC(s)
	if err != nil {
		return "", err
	}
	switch e.Kind {
	case KindIDChain:
		return e.ID, nil
	case KindSGTIN, KindLGTIN, KindGTIN:
	default:
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: a %s names no idchain item", s, e.Kind)
	}
	if o.ResolveGTIN == nil {
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q: GS1 ids cannot be resolved here; use the idchain URI", s)
	}
	id, found := o.ResolveGTIN(e.GS1.GTIN, e.GS1.Lot, e.GS1.Serial)
	if !found {
		return "", domain.Errorf(domain.CodeNotFound, "%q: no item registered with this GTIN", s)
	}
	return id, nil
}

// identMessage is the message of an identifier error without its code.
func identMessage(err error) string {
	if e, ok := err.(*identifier.Error); ok {
		return e.Message()
	}
	return err.Error()
}
