// Package resolver holds the GS1-Conformant Resolver rules idchain's
// Digital Link resolver applies, without HTTP: GS1 link types, the RFC 9264
// linkset of an identifier, link-type selection, the Link header pointing
// at the linkset and the resolver description file served at
// /.well-known/gs1resolver. It imports only the standard library.
package resolver

import (
	"sort"
	"strings"
)

// Media types of the resolver.
const (
	MediaLinkset = "application/linkset+json"
	MediaJSONLD  = "application/ld+json"
)

// GS1Voc is the GS1 Web vocabulary namespace of link types.
const GS1Voc = "https://gs1.org/voc/"

// Link types idchain publishes (compact form).
const (
	DefaultLink         = "gs1:defaultLink"
	PIP                 = "gs1:pip"                 // product information page
	VerificationService = "gs1:verificationService" // genuine / status check
	Traceability        = "gs1:traceability"        // this item's EPCIS events
	RecallStatus        = "gs1:recallStatus"        // whether the item is recalled
	EPCIS               = "gs1:epcis"               // the EPCIS repository
)

// linkTypeNames are the titles of the link types idchain uses, from the
// GS1 Web vocabulary.
var linkTypeNames = map[string]string{
	DefaultLink:         "Default link",
	PIP:                 "Product Information Page",
	VerificationService: "Verification Service",
	Traceability:        "Traceability information",
	RecallStatus:        "Recall status",
	EPCIS:               "EPC Information Services (EPCIS) repository",
}

// Expand turns a compact link type ("gs1:pip") into its URI
// ("https://gs1.org/voc/pip"); URIs and other values are returned as they
// are.
func Expand(linkType string) string {
	if rest, ok := strings.CutPrefix(linkType, "gs1:"); ok {
		return GS1Voc + rest
	}
	return linkType
}

// Compact is the reverse of Expand for the GS1 vocabulary (the http form
// of the namespace is accepted too).
func Compact(linkType string) string {
	for _, ns := range []string{GS1Voc, "http://gs1.org/voc/", "https://www.gs1.org/voc/"} {
		if rest, ok := strings.CutPrefix(linkType, ns); ok {
			return "gs1:" + rest
		}
	}
	return linkType
}

// Link is one link of an identifier.
type Link struct {
	Type     string   // compact link type, e.g. gs1:pip
	Href     string   // absolute target URL
	Title    string   // human-readable title
	Media    string   // media type of the target ("" when unknown)
	Hreflang []string // languages of the target
}

// Set is the links of one identifier with its default.
type Set struct {
	Anchor      string // the Digital Link (uncompressed) the links are about
	Description string // itemDescription
	Links       []Link // in order; the first is the default link
}

// Default returns the default link (the first), if any.
func (s Set) Default() (Link, bool) {
	if len(s.Links) == 0 {
		return Link{}, false
	}
	return s.Links[0], true
}

// Select returns the first link of the requested type (compact or URI
// form). ok is false when the identifier has no link of that type: a
// conformant resolver answers 404.
func (s Set) Select(linkType string) (Link, bool) {
	want := Compact(linkType)
	if want == DefaultLink {
		return s.Default()
	}
	for _, l := range s.Links {
		if l.Type == want {
			return l, true
		}
	}
	return Link{}, false
}

// WantsLinkset reports whether a request asks for the linkset rather than
// a redirect: linkType=linkset (or the older linkType=all).
func WantsLinkset(linkType string) bool {
	return linkType == "linkset" || linkType == "all"
}

// target is a link target object of RFC 9264 §4.2.
type target struct {
	Href     string   `json:"href"`
	Title    string   `json:"title"`
	Type     string   `json:"type,omitempty"`
	Hreflang []string `json:"hreflang,omitempty"`
}

// Linkset renders the set as an RFC 9264 JSON linkset document
// ({"linkset":[{anchor, itemDescription, <relation URI>: [targets]}]}),
// the default link also under gs1:defaultLink without optional attributes.
// Relation types are written as URIs of the GS1 vocabulary.
func (s Set) Linkset() map[string]any {
	ctx := map[string]any{"anchor": s.Anchor, "itemDescription": s.Description}
	if d, ok := s.Default(); ok {
		ctx[Expand(DefaultLink)] = []target{{Href: d.Href, Title: d.Title}}
	}
	types := []string{}
	byType := map[string][]target{}
	for _, l := range s.Links {
		rel := Expand(l.Type)
		if _, seen := byType[rel]; !seen {
			types = append(types, rel)
		}
		byType[rel] = append(byType[rel], target{Href: l.Href, Title: l.Title, Type: l.Media, Hreflang: l.Hreflang})
	}
	sort.Strings(types)
	for _, t := range types {
		ctx[t] = byType[t]
	}
	return map[string]any{"linkset": []any{ctx}}
}

// LinkHeader is the HTTP Link header of a redirect: one link, to the
// linkset of the request (GS1-Conformant Resolver 1.0 no longer lists
// every link there).
func LinkHeader(linksetURL string) string {
	return "<" + linksetURL + `>; rel="linkset"; type="` + MediaLinkset + `"`
}

// Title returns the GS1 vocabulary title of a link type ("" if unknown).
func Title(linkType string) string { return linkTypeNames[Compact(linkType)] }

// Description is the resolver description file (GS1-Conformant Resolver
// standard, /.well-known/gs1resolver).
type Description struct {
	Name                    string      `json:"name"`
	ResolverRoot            string      `json:"resolverRoot"`
	SupportedPrimaryKeys    []string    `json:"supportedPrimaryKeys"`
	SupportedLinkType       []Namespace `json:"supportedLinkType"`
	LinkTypeDefaultCanBeAll bool        `json:"linkTypeDefaultCanBeAll"`
	SupportsLanguageVariant bool        `json:"supportsLanguageVariants"`
	ValidatesAICombinations bool        `json:"validatesAIcombinations"`
	Contact                 *Contact    `json:"contact,omitempty"`
	// ActiveLinkTypes: language → compact link type → its title and URI
	// (the shape of GS1's Resolver Community Edition).
	ActiveLinkTypes map[string]map[string]ActiveLink `json:"activeLinkTypes"`
}

// Namespace is a link type vocabulary the resolver recognises.
type Namespace struct {
	Namespace string `json:"namespace"`
	Prefix    string `json:"prefix"`
}

// Contact names who runs the resolver.
type Contact struct {
	FN string `json:"fn"`
}

// ActiveLink describes a link type in use.
type ActiveLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// NewDescription returns idchain's description file for a resolver at root
// (scheme and host, no trailing slash). idchain resolves GTINs (01) with
// their qualifiers.
func NewDescription(root, name, contact string) Description {
	d := Description{
		Name:                    name,
		ResolverRoot:            root,
		SupportedPrimaryKeys:    []string{"01"},
		SupportedLinkType:       []Namespace{{Namespace: GS1Voc, Prefix: "gs1:"}},
		LinkTypeDefaultCanBeAll: false,
		SupportsLanguageVariant: false,
		ValidatesAICombinations: true,
	}
	if contact != "" {
		d.Contact = &Contact{FN: contact}
	}
	active := map[string]ActiveLink{}
	for _, t := range []string{PIP, VerificationService, Traceability, RecallStatus} {
		active[t] = ActiveLink{Title: linkTypeNames[t], URL: Expand(t)}
	}
	d.ActiveLinkTypes = map[string]map[string]ActiveLink{"en": active}
	return d
}
