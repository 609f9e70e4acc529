package epcis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The CBV 2.0 EPCIS event hash ID (CBV 2.0 §8.9, "EPCIS Event Hash ID";
// algorithm description at github.com/RalphTro/epcis-event-hash-generator):
// an event without eventID is named ni:///sha-256;{hex}?ver=CBV2.0, the
// SHA-256 of its pre-hash string. The pre-hash string concatenates the
// event's fields in the canonical property order, key=value, without
// separators: lists sorted, EPC URNs and Digital Links in the canonical
// constrained GS1 Digital Link form (https://id.gs1.org, most specific
// key only, no query), CBV words and 1.x URNs as CBV Web URIs, compact
// URIs expanded with the document's @context, timestamps in UTC with
// milliseconds, numbers without trailing zeros, and finally the fields
// outside the canonical order (bizTransactionList, sourceList,
// destinationList, ilmd, user extensions as {namespace}name) rendered the
// same way and sorted. eventID, recordTime, errorDeclaration and comments
// take no part.

// HashVersion is the ver= of the event hash ids idchain computes.
const HashVersion = "CBV2.0"

// hnode is one element of an event as the algorithm sees it: a name, a
// value (empty for structures) and child elements.
type hnode struct {
	name, value string
	kids        []hnode
}

// hashOrder is the canonical property order: an element name and, for
// structures, the order of its children.
type hashOrder struct {
	name string
	sub  []hashOrder
}

func leaves(names ...string) []hashOrder {
	out := make([]hashOrder, len(names))
	for i, n := range names {
		out[i] = hashOrder{name: n}
	}
	return out
}

var (
	quantityOrder = []hashOrder{{name: "quantityElement", sub: leaves("epcClass", "quantity", "uom")}}
	epcOrder      = leaves("epc")
	eventOrder    = []hashOrder{
		{name: "eventTime"}, {name: "eventTimeZoneOffset"}, {name: "certificationInfo"}, {name: "parentID"},
		{name: "epcList", sub: epcOrder}, {name: "inputEPCList", sub: epcOrder}, {name: "childEPCs", sub: epcOrder},
		{name: "quantityList", sub: quantityOrder}, {name: "childQuantityList", sub: quantityOrder},
		{name: "inputQuantityList", sub: quantityOrder}, {name: "outputEPCList", sub: epcOrder},
		{name: "outputQuantityList", sub: quantityOrder}, {name: "action"}, {name: "transformationID"},
		{name: "bizStep"}, {name: "disposition"}, {name: "persistentDisposition", sub: leaves("set", "unset")},
		{name: "readPoint", sub: leaves("id")}, {name: "bizLocation", sub: leaves("id")},
		{name: "sensorElementList", sub: []hashOrder{{name: "sensorElement", sub: []hashOrder{
			{name: "sensorMetadata", sub: leaves("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
				"dataProcessingMethod", "bizRules")},
			{name: "sensorReport", sub: leaves("type", "exception", "deviceID", "deviceMetadata", "rawData",
				"dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
				"booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
				"percValue", "uom", "coordinateReferenceSystem")},
		}}}},
	}
	// hashIgnored are event fields outside the hash.
	hashIgnored = map[string]bool{"type": true, "eventID": true, "recordTime": true, "errorDeclaration": true,
		"@context": true, "rdfs:comment": true, "comment": true}
	// typedLists hold {type, <name>} pairs rendered type first.
	typedLists = map[string]string{"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}
	// bareVocab maps fields whose bare words are CBV or GS1 vocabulary to
	// the IRI the word expands to.
	bareVocab = map[string]string{"bizStep": CBVBase + "BizStep-", "disposition": CBVBase + "Disp-",
		"set": CBVBase + "Disp-", "unset": CBVBase + "Disp-", "bizTransactionList.type": CBVBase + "BTT-",
		"sourceList.type": CBVBase + "SDT-", "destinationList.type": CBVBase + "SDT-",
		"sensorReport.type": "https://gs1.org/voc/", "sensorReport.exception": "https://gs1.org/voc/",
		"component": CBVBase + "Comp-"}
	// cbvURNs are the CBV 1.x URN prefixes and their CBV 2.0 Web URIs.
	cbvURNs = [][2]string{{"urn:epcglobal:cbv:bizstep:", CBVBase + "BizStep-"}, {"urn:epcglobal:cbv:disp:", CBVBase + "Disp-"},
		{"urn:epcglobal:cbv:btt:", CBVBase + "BTT-"}, {"urn:epcglobal:cbv:sdt:", CBVBase + "SDT-"}, {"urn:epcglobal:cbv:er:", CBVBase + "ER-"}}
)

// EventHashID returns the CBV 2.0 event hash id of an event object, with
// the @context of its document (nil when none; the event's own @context
// is read too) to expand compact names of extension fields and values.
func (o Options) EventHashID(event, docContext json.RawMessage) (string, error) {
	pre, err := o.PreHash(event, docContext)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(pre))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=" + HashVersion, nil
}

// PreHash returns the canonical pre-hash string of an event (see above).
func (o Options) PreHash(event, docContext json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return "", err
	}
	h := hasher{o: o, ns: map[string]string{"gs1": "https://gs1.org/voc/", "cbv": CBVBase, "epcis": "https://ref.gs1.org/epcis/"}}
	h.addContext(docContext)
	if c, ok := ev["@context"]; ok {
		b, _ := json.Marshal(c)
		h.addContext(b)
	}
	typ, _ := ev["type"].(string)
	var rest []hnode
	for _, k := range slices.Sorted(maps.Keys(ev)) {
		if hashIgnored[k] {
			continue
		}
		rest = append(rest, h.nodes(k, "", ev[k])...)
	}
	var b strings.Builder
	b.WriteString("eventType=" + typ)
	b.WriteString(renderOrdered(&rest, eventOrder, false))
	b.WriteString(renderGeneric(rest))
	return b.String(), nil
}

type hasher struct {
	o  Options
	ns map[string]string // compact prefix → IRI
}

// addContext reads the prefix definitions of a JSON-LD @context.
func (h *hasher) addContext(raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var add func(any)
	add = func(v any) {
		switch c := v.(type) {
		case []any:
			for _, e := range c {
				add(e)
			}
		case map[string]any:
			for k, iri := range c {
				if s, ok := iri.(string); ok && !strings.HasPrefix(k, "@") {
					h.ns[k] = s
				}
			}
		}
	}
	add(v)
}

// key expands a compact name prefix:local to {IRI}local.
func (h *hasher) key(k string) string {
	if p, local, ok := strings.Cut(k, ":"); ok {
		if iri, ok := h.ns[p]; ok {
			return "{" + iri + "}" + local
		}
	}
	return k
}

// nodes turns a JSON member into elements: a list gives one element per
// entry (EPCIS lists: named after the list, children named after their
// entries), an object one element with children, a scalar a value.
func (h *hasher) nodes(k, parent string, v any) []hnode {
	name := h.key(k)
	switch x := v.(type) {
	case []any:
		if entry, ok := listEntry(k); ok {
			n := hnode{name: name}
			for _, e := range x {
				n.kids = append(n.kids, h.entry(k, entry, e))
			}
			return []hnode{n}
		}
		var out []hnode
		for _, e := range x {
			out = append(out, h.nodes(k, parent, e)...)
		}
		return out
	case map[string]any:
		n := hnode{name: name}
		for _, ck := range slices.Sorted(maps.Keys(x)) {
			if ck == "rdfs:comment" || ck == "comment" {
				continue
			}
			n.kids = append(n.kids, h.nodes(ck, k, x[ck])...)
		}
		return []hnode{n}
	}
	return []hnode{{name: name, value: h.value(k, parent, v)}}
}

// listEntry names the entries of the EPCIS lists.
func listEntry(k string) (string, bool) {
	switch k {
	case "epcList", "inputEPCList", "outputEPCList", "childEPCs":
		return "epc", true
	case "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList":
		return "quantityElement", true
	case "sensorElementList":
		return "sensorElement", true
	case "bizTransactionList", "sourceList", "destinationList":
		return typedLists[k], true
	}
	return "", false
}

// entry is one entry of an EPCIS list. Typed entries ({type, source})
// become the two values, type first.
func (h *hasher) entry(list, name string, v any) hnode {
	if m, ok := v.(map[string]any); ok {
		if field, typed := typedLists[list]; typed {
			n := hnode{name: name}
			if t, ok := m["type"]; ok {
				n.kids = append(n.kids, hnode{name: "type", value: h.value("type", list, t)})
			}
			n.kids = append(n.kids, hnode{name: field, value: h.value(field, list, m[field])})
			return n
		}
		return h.nodes(name, list, m)[0]
	}
	return hnode{name: name, value: h.value(name, list, v)}
}

// value canonicalises a scalar: trimmed; timestamps to UTC milliseconds;
// bare vocabulary words, CBV 1.x URNs and compact URIs to full URIs;
// numbers without trailing zeros; EPC URNs and Digital Links to the
// constrained canonical Digital Link.
func (h *hasher) value(k, parent string, v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = strings.TrimSpace(x)
	case bool:
		s = "False"
		if x {
			s = "True"
		}
	case json.Number:
		s = x.String()
	default:
		s = strings.TrimSpace(strings.Trim(string(mustJSON(x)), `"`))
	}
	if s == "" {
		return ""
	}
	lk := strings.ToLower(k)
	if strings.Contains(lk, "time") && !strings.Contains(lk, "offset") {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return hashTime(t)
		}
		return s
	}
	if !strings.Contains(s, ":") {
		if base, ok := bareVocab[parent+"."+k]; ok {
			return base + s
		}
		if base, ok := bareVocab[k]; ok && k != "type" {
			return base + s
		}
	}
	for _, u := range cbvURNs {
		if strings.HasPrefix(s, u[0]) {
			s = u[1] + s[len(u[0]):]
		}
	}
	if p, rest, ok := strings.Cut(s, ":"); ok && !strings.HasPrefix(rest, "//") {
		if iri, ok := h.ns[p]; ok {
			s = iri + rest
		}
	}
	if n, ok := hashNumber(s); ok {
		return n
	}
	if dl, ok := h.o.constrainedDL(s); ok {
		return dl
	}
	return s
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// hashTime writes a time in UTC with milliseconds, rounded half up.
func hashTime(t time.Time) string {
	return t.UTC().Add(500 * time.Microsecond).Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// hashNumber writes a decimal number without trailing zeros (1.0 → 1).
func hashNumber(s string) (string, bool) {
	// Decimal notation only: Go would also read hex floats and
	// underscores, which the algorithm's number rule does not cover.
	if s == "" || !strings.ContainsAny(s[:1], "+-.0123456789") || strings.ContainsAny(s, "xXpP_") {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	if a := math.Abs(f); a < 1e-4 || a >= 1e16 {
		return strconv.FormatFloat(f, 'e', -1, 64), true
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// renderOrdered renders the elements of *nodes named in order, in that
// order (elements of one name sorted), and removes them from *nodes.
// Inside structures (nested) elements outside the order are appended,
// sorted, after the ordered ones.
func renderOrdered(nodes *[]hnode, order []hashOrder, nested bool) string {
	var b strings.Builder
	for _, o := range order {
		var parts []string
		rest := (*nodes)[:0:0]
		for _, n := range *nodes {
			if n.name != o.name {
				rest = append(rest, n)
				continue
			}
			if p := renderNode(n, o.sub); p != "" {
				parts = append(parts, p)
			}
		}
		*nodes = rest
		sort.Strings(parts)
		b.WriteString(strings.Join(parts, ""))
	}
	if nested {
		b.WriteString(renderGeneric(*nodes))
		*nodes = nil
	}
	return b.String()
}

// renderNode renders one element: name, =value, then its children.
func renderNode(n hnode, sub []hashOrder) string {
	kids := ""
	if sub != nil {
		k := append([]hnode(nil), n.kids...)
		kids = renderOrdered(&k, sub, true)
	} else {
		kids = renderGeneric(n.kids)
	}
	v := ""
	if n.value != "" {
		v = "=" + n.value
	}
	if v == "" && kids == "" {
		return ""
	}
	return n.name + v + kids
}

// renderGeneric renders elements outside the canonical order, sorted;
// the {type, value} pairs of typed lists keep type first.
func renderGeneric(nodes []hnode) string {
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if f, typed := typedListEntry(n); typed {
			parts = append(parts, f)
			continue
		}
		v := ""
		if n.value != "" {
			v = "=" + n.value
		}
		parts = append(parts, n.name+v+renderGeneric(n.kids))
	}
	sort.Strings(parts)
	return strings.Join(parts, "")
}

// typedListEntry renders an entry of bizTransactionList, sourceList or
// destinationList: type=…{name}=… (no entry name).
func typedListEntry(n hnode) (string, bool) {
	typed := false
	for _, f := range typedLists {
		typed = typed || n.name == f
	}
	if !typed || n.value != "" {
		return "", false
	}
	var b strings.Builder
	for _, k := range n.kids {
		if k.value != "" {
			b.WriteString(k.name + "=" + k.value)
		}
	}
	return b.String(), true
}

// constrainedDL turns an EPC URN or a GS1 Digital Link into the
// constrained canonical Digital Link of the event hash: host id.gs1.org,
// no query, the most specific key only (01/21, 01/10, 414/254, …).
func (o Options) constrainedDL(s string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "urn:epc:id:"), strings.HasPrefix(s, "urn:epc:class:"), strings.HasPrefix(s, "urn:epc:idpat:"):
		if e, err := parseURN(s); err == nil {
			return e.URI, true
		}
		return extraURN(s)
	case strings.HasPrefix(s, "http://"), strings.HasPrefix(s, "https://"):
	default:
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i := range segs {
		if ai, ok := dlAliases[segs[i]]; ok && i%2 == len(segs)%2 {
			segs[i] = ai
		}
	}
	for i := 0; i+1 < len(segs); i++ {
		q, primary := dlQualifiers[segs[i]]
		if !primary || (len(segs)-i)%2 != 0 {
			continue
		}
		if segs[i] == "01" || segs[i] == "00" {
			e, err := parseDLEPC(DefaultDigitalLinkBase + "/" + strings.Join(segs[i:], "/"))
			if err != nil {
				return "", false
			}
			return e.URI, true
		}
		out := DefaultDigitalLinkBase + "/" + segs[i] + "/" + segs[i+1]
		for j := i + 2; j+1 < len(segs); j += 2 {
			if has(q, segs[j]) {
				out += "/" + segs[j] + "/" + segs[j+1]
				break
			}
		}
		return out, true
	}
	return "", false
}

// dlQualifiers are the primary keys the hash keeps and the qualifier each
// may keep.
var dlQualifiers = map[string][]string{"00": nil, "01": {"21", "10", "235"}, "253": nil, "255": nil, "401": nil, "402": nil,
	"414": {"254"}, "417": nil, "8003": nil, "8004": nil, "8006": {"21", "10"}, "8010": {"8011"}, "8017": nil, "8018": nil}

// extraURN converts the EPC URN schemes ParseEPC does not read (they name
// no trade item) for the hash: pgln, gdti, sgcn, ginc, gsin, gsrnp, cpi,
// itip, upui, and the idpat patterns of grai, gdti, sgcn, cpi and itip
// (TDS 2.x, GS1 Digital Link 1.2 §4.11).
func extraURN(s string) (string, bool) {
	parts := strings.SplitN(s, ":", 5)
	if len(parts) != 5 {
		return "", false
	}
	form, scheme, f := parts[2], parts[3], strings.Split(parts[4], ".")
	cp := f[0]
	if !allDigits(cp) {
		return "", false
	}
	digits := func(v string) bool { return v == "" || allDigits(v) }
	unesc := func(v string) string {
		if u, err := url.PathUnescape(v); err == nil {
			return hashEscape(u)
		}
		return v
	}
	gtin := func(ir string) (string, bool) { // indicator digit first, as in an SGTIN
		if ir == "" || !allDigits(ir) || len(cp+ir) != 13 {
			return "", false
		}
		return withCheck(ir[:1] + cp + ir[1:]), true
	}
	dl := DefaultDigitalLinkBase
	if form == "idpat" {
		if f[len(f)-1] != "*" {
			return "", false
		}
		switch {
		case scheme == "grai" && len(f) == 3 && digits(f[1]) && len(cp+f[1]) == 12:
			return dl + "/8003/0" + withCheck(cp+f[1]), true
		case scheme == "gdti" && len(f) == 3 && digits(f[1]) && len(cp+f[1]) == 12:
			return dl + "/253/" + withCheck(cp+f[1]), true
		case scheme == "sgcn" && len(f) == 3 && digits(f[1]) && len(cp+f[1]) == 12:
			return dl + "/255/" + withCheck(cp+f[1]), true
		case scheme == "cpi" && len(f) == 3:
			return dl + "/8010/" + cp + unesc(f[1]), true
		case scheme == "itip" && len(f) == 5:
			if g, ok := gtin(f[1]); ok && allDigits(f[2]+f[3]) {
				return dl + "/8006/" + g + f[2] + f[3], true
			}
		}
		return "", false
	}
	if form != "id" {
		return "", false
	}
	switch {
	case scheme == "pgln" && len(f) == 2 && digits(f[1]) && len(cp+f[1]) == 12:
		return dl + "/417/" + withCheck(cp+f[1]), true
	case scheme == "gdti" && len(f) == 3 && digits(f[1]) && len(cp+f[1]) == 12:
		return dl + "/253/" + withCheck(cp+f[1]) + unesc(f[2]), true
	case scheme == "sgcn" && len(f) == 3 && digits(f[1]) && len(cp+f[1]) == 12:
		return dl + "/255/" + withCheck(cp+f[1]) + unesc(f[2]), true
	case scheme == "ginc" && len(f) == 2:
		return dl + "/401/" + cp + unesc(f[1]), true
	case scheme == "gsin" && len(f) == 2 && digits(f[1]) && len(cp+f[1]) == 16:
		return dl + "/402/" + withCheck(cp+f[1]), true
	case scheme == "gsrnp" && len(f) == 2 && digits(f[1]) && len(cp+f[1]) == 17:
		return dl + "/8017/" + withCheck(cp+f[1]), true
	case scheme == "cpi" && len(f) == 3:
		return dl + "/8010/" + cp + unesc(f[1]) + "/8011/" + unesc(f[2]), true
	case scheme == "itip" && len(f) == 5:
		if g, ok := gtin(f[1]); ok && allDigits(f[2]+f[3]) {
			return dl + "/8006/" + g + f[2] + f[3] + "/21/" + unesc(f[4]), true
		}
	case scheme == "upui" && len(f) == 3:
		if g, ok := gtin(f[1]); ok {
			return dl + "/01/" + g + "/235/" + unesc(f[2]), true
		}
	}
	return "", false
}

// hashEscape percent-encodes a Digital Link path value as the reference
// does: unreserved characters and the apostrophe stay.
func hashEscape(v string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~'", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// dlAliases are the short names GS1 Digital Link 1.x allows for AIs in a
// path (gtin for 01, …).
var dlAliases = map[string]string{"gtin": "01", "sscc": "00", "gln": "414", "glnx": "254", "ser": "21", "lot": "10",
	"grai": "8003", "giai": "8004", "gsrn": "8018", "gsrnp": "8017", "gdti": "253", "gcn": "255", "ginc": "401",
	"gsin": "402", "itip": "8006", "cpid": "8010", "cpsn": "8011", "cpv": "22", "party": "417", "tpx": "235"}
