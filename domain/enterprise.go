package domain

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/idchain/idchain/identifier"
)

// EnterpriseAttr is the enrollment-certificate attribute that names the
// enterprise (its 统一社会信用代码) a user acts for, registered at the
// hosting org's Fabric CA as idchain.enterprise=<USCC>:ecert. A user
// without it acts for its org alone.
const EnterpriseAttr = "idchain.enterprise"

// EnterpriseStatus is whether an enterprise's users may write.
type EnterpriseStatus string

const (
	EnterpriseActive    EnterpriseStatus = "active"
	EnterpriseSuspended EnterpriseStatus = "suspended"
)

// MaxEnterpriseName bounds an enterprise's name (characters).
const MaxEnterpriseName = 200

// Enterprise is a maker or other member hosted by one org: the unit of
// ownership, while the org stays the unit of infrastructure and
// endorsement.
type Enterprise struct {
	ID         string           `json:"id"` // 统一社会信用代码, upper case
	Name       string           `json:"name"`
	Industries []Industry       `json:"industries"`
	Org        string           `json:"org"` // hosting org's MSP ID
	Status     EnterpriseStatus `json:"status"`
	CreatedAt  string           `json:"createdAt"`
	CreatedBy  string           `json:"createdBy"`
	ChangedAt  string           `json:"changedAt,omitempty"`
	ChangedBy  string           `json:"changedBy,omitempty"`
	TxID       string           `json:"txId"`
}

// EnterpriseInput is the body of POST /v1/enterprises and the argument of
// the chaincode's CreateEnterprise.
type EnterpriseInput struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Industries []Industry `json:"industries"`
	Org        string     `json:"org"`
}

// Normalize validates the input and returns it with the USCC upper-cased,
// the name trimmed and the industries sorted without duplicates. A bad USCC
// is INVALID_IDENTIFIER; anything else wrong is INVALID.
func (in EnterpriseInput) Normalize() (EnterpriseInput, error) {
	id, err := identifier.NormalizeUSCC(in.ID)
	if err != nil {
		return in, Errorf(CodeInvalidIdentifier, "enterprise id %q is not a valid 统一社会信用代码: %s", in.ID, identifierReason(err))
	}
	in.ID = id
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > MaxEnterpriseName || !utf8.ValidString(in.Name) {
		return in, Errorf(CodeInvalid, "enterprise name must be 1-%d characters", MaxEnterpriseName)
	}
	if in.Org == "" || strings.ContainsAny(in.Org, " \t\r\n/") {
		return in, Errorf(CodeInvalid, "hosting org MSP ID is required")
	}
	if len(in.Industries) == 0 {
		return in, Errorf(CodeInvalid, "at least one industry is required")
	}
	inds := slices.Clone(in.Industries)
	for _, ind := range inds {
		if !KnownIndustry(ind) {
			return in, Errorf(CodeInvalid, "unknown industry %q", ind)
		}
	}
	slices.Sort(inds)
	in.Industries = slices.Compact(inds)
	return in, nil
}

// ParseEnterpriseStatus accepts "active" or "suspended".
func ParseEnterpriseStatus(s string) (EnterpriseStatus, error) {
	switch st := EnterpriseStatus(s); st {
	case EnterpriseActive, EnterpriseSuspended:
		return st, nil
	}
	return "", Errorf(CodeInvalid, "enterprise status must be %q or %q, got %q", EnterpriseActive, EnterpriseSuspended, s)
}

// identifierReason is the message of an identifier error without its code.
func identifierReason(err error) string {
	if e, ok := err.(*identifier.Error); ok {
		return e.Message()
	}
	return err.Error()
}

// EnterprisePrefix is the assignment of a 标识 prefix to an enterprise
// (Kind "prefix"; GS1 company prefixes are assigned to orgs, domain.GCP).
type EnterprisePrefix struct {
	Kind       string `json:"kind"`
	Prefix     string `json:"prefix"`
	Enterprise string `json:"enterprise"`
	Org        string `json:"org"`
	AssignedBy string `json:"assignedBy"`
	AssignedAt string `json:"assignedAt"`
	TxID       string `json:"txId"`
}

// PrefixKindHandle is the Kind of a 标识 prefix assignment.
const PrefixKindHandle = "prefix"

// EnterpriseRef names an enterprise in other records and public views.
type EnterpriseRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}
