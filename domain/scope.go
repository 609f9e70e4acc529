package domain

import (
	"strings"
	"time"

	"github.com/idchain/idchain/identifier"
)

// Consent limits and the freshness window of a consented read.
const (
	MaxConsentSubjects = 100
	// MaxAccessAge bounds how old a committed access record may be when the
	// consented read (an evaluate on the owner's peer) presents it.
	MaxAccessAge = 5 * time.Minute
	// accessSkew tolerates an evaluate whose client timestamp is slightly
	// earlier than the submit that recorded the access.
	accessSkew = 30 * time.Second
)

// KnownCategory reports whether c is a shareable category.
func KnownCategory(c Category) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// NormalizeSubject validates a consent subject, a prefix ("88.118.8") or an
// item id ("88.118.8/KB-0001"), and returns it normalised (lower-case
// prefix) with whether it is a prefix.
func NormalizeSubject(s string) (norm string, isPrefix bool, err error) {
	if strings.Contains(s, "/") {
		id, err := identifier.Parse(s)
		if err != nil {
			return "", false, Errorf(CodeInvalidIdentifier, "subject %q: %s", s, identifierMessage(err))
		}
		return id.String(), false, nil
	}
	p, err := identifier.ParsePrefix(s)
	if err != nil {
		return "", false, Errorf(CodeInvalidIdentifier, "subject %q: %s", s, identifierMessage(err))
	}
	return p, true, nil
}

// SubjectPrefix returns the prefix a normalised subject belongs to.
func SubjectPrefix(subject string) string {
	if i := strings.IndexByte(subject, '/'); i >= 0 {
		return subject[:i]
	}
	return subject
}

func identifierMessage(err error) string {
	if e, ok := err.(*identifier.Error); ok {
		return e.Message()
	}
	return err.Error()
}

// parseTime reads an RFC 3339 time.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Errorf(CodeInvalid, "%s %q is not an RFC 3339 time", field, s)
	}
	return t, nil
}

// FormatTime renders a tx time the way the ledger stores times.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// RecordTime parses a stored record time (RFC 3339, as FormatTime writes
// it); an unparsable time is the zero time, so it sorts first.
func RecordTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// CompareTimes compares two record times as instants (-1, 0, +1). Never
// compare them as text: RFC3339Nano drops trailing zeros, so
// "…:05.95Z" sorts before "…:05.9Z" and "…:05.5Z" before "…:05Z".
func CompareTimes(a, b string) int { return RecordTime(a).Compare(RecordTime(b)) }

// Normalize validates a consent request from grantor at tx time now and
// returns it in canonical form: subjects normalised, times in UTC, validFrom
// defaulting to now. It refuses a grant to oneself, unknown or repeated
// categories, malformed or repeated subjects, an empty purpose and a
// validity window that is empty or already over.
func (in ConsentInput) Normalize(grantor string, now time.Time) (ConsentInput, error) {
	out := ConsentInput{Grantee: strings.TrimSpace(in.Grantee), Purpose: strings.TrimSpace(in.Purpose)}
	if out.Grantee == "" || len(out.Grantee) > MaxCodeLen {
		return out, Errorf(CodeInvalid, "consent needs a grantee MSP ID")
	}
	if out.Grantee == grantor {
		return out, Errorf(CodeInvalid, "grantee %s is the grantor", out.Grantee)
	}
	if out.Purpose == "" || len(out.Purpose) > MaxTextLen {
		return out, Errorf(CodeInvalid, "consent needs a purpose of 1-%d bytes", MaxTextLen)
	}
	if len(in.Categories) == 0 || len(in.Categories) > len(Categories) {
		return out, Errorf(CodeInvalid, "consent needs 1-%d categories", len(Categories))
	}
	for i, c := range in.Categories {
		if !KnownCategory(c) {
			return out, Errorf(CodeInvalid, "category %q is unknown", c)
		}
		for _, prev := range in.Categories[:i] {
			if prev == c {
				return out, Errorf(CodeInvalid, "category %s appears twice", c)
			}
		}
		out.Categories = append(out.Categories, c)
	}
	if len(in.Subjects) == 0 || len(in.Subjects) > MaxConsentSubjects {
		return out, Errorf(CodeInvalid, "consent needs 1-%d subjects", MaxConsentSubjects)
	}
	for _, s := range in.Subjects {
		n, _, err := NormalizeSubject(s)
		if err != nil {
			return out, err
		}
		for _, prev := range out.Subjects {
			if prev == n {
				return out, Errorf(CodeInvalid, "subject %s appears twice", n)
			}
		}
		out.Subjects = append(out.Subjects, n)
	}
	from := now
	if in.ValidFrom != "" {
		t, err := parseTime("validFrom", in.ValidFrom)
		if err != nil {
			return out, err
		}
		from = t
	}
	if in.ValidUntil == "" {
		return out, Errorf(CodeInvalid, "consent needs validUntil")
	}
	until, err := parseTime("validUntil", in.ValidUntil)
	if err != nil {
		return out, err
	}
	if !from.Before(until) {
		return out, Errorf(CodeInvalid, "validFrom must be before validUntil")
	}
	if !now.Before(until) {
		return out, Errorf(CodeInvalid, "validUntil %s is already past", FormatTime(until))
	}
	out.ValidFrom, out.ValidUntil = FormatTime(from), FormatTime(until)
	return out, nil
}

// ActiveAt reports whether the consent is in force at t: not revoked and
// validFrom ≤ t < validUntil. A revoked consent is never active again.
func (c Consent) ActiveAt(t time.Time) bool {
	if c.RevokedAt != "" {
		return false
	}
	from, err1 := time.Parse(time.RFC3339Nano, c.ValidFrom)
	until, err2 := time.Parse(time.RFC3339Nano, c.ValidUntil)
	if err1 != nil || err2 != nil {
		return false
	}
	return !t.Before(from) && t.Before(until)
}

// Covers reports whether the consent's scope includes category cat for
// subject (a normalised item id or prefix): a prefix subject covers every
// id allocated under it (and its sub-prefixes); an id subject covers only
// itself, never its siblings or its prefix.
func (c Consent) Covers(cat Category, subject string) bool {
	catOK := false
	for _, k := range c.Categories {
		if k == cat {
			catOK = true
			break
		}
	}
	if !catOK {
		return false
	}
	id, idErr := identifier.Parse(subject)
	for _, s := range c.Subjects {
		if s == subject {
			return true
		}
		if strings.Contains(s, "/") {
			continue // an id covers only itself
		}
		if idErr == nil && id.IsUnder(s) {
			return true
		}
		if idErr != nil && underPrefix(subject, s) {
			return true
		}
	}
	return false
}

// underPrefix reports whether prefix p is prefix s or a sub-prefix of it.
func underPrefix(p, s string) bool {
	return p == s || strings.HasPrefix(p, s+".")
}

// Allows checks that accessor may read category cat of subject under the
// consent at tx time t; the error is FORBIDDEN and names no private data.
func (c Consent) Allows(accessor string, cat Category, subject string, t time.Time) error {
	switch {
	case c.Grantee != accessor:
		return Errorf(CodeForbidden, "consent %s was not granted to %s", c.ID, accessor)
	case c.RevokedAt != "":
		return Errorf(CodeForbidden, "consent %s was revoked at %s", c.ID, c.RevokedAt)
	case !c.ActiveAt(t):
		return Errorf(CodeForbidden, "consent %s is not in force at %s (valid %s to %s)", c.ID, FormatTime(t), c.ValidFrom, c.ValidUntil)
	case !c.Covers(cat, subject):
		return Errorf(CodeForbidden, "consent %s does not cover %s of %s", c.ID, cat, subject)
	}
	return nil
}

// CheckFresh checks that an access record presented at tx time t is recent
// enough: at most MaxAccessAge old (and not from the future beyond a small
// clock skew).
func (a AccessRecord) CheckFresh(t time.Time) error {
	at, err := time.Parse(time.RFC3339Nano, a.At)
	if err != nil {
		return Errorf(CodeForbidden, "access record %s has no valid time", a.ID)
	}
	age := t.Sub(at)
	if age > MaxAccessAge || age < -accessSkew {
		return Errorf(CodeForbidden, "access record %s is stale (recorded %s); record a new access", a.ID, a.At)
	}
	return nil
}
