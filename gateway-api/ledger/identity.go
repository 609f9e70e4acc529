package ledger

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/idchain/idchain/domain"
)

// attrsOID is the Fabric CA extension that carries enrollment attributes
// as JSON {"attrs":{"name":"value"}}.
var attrsOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// RoleAttr is the certificate attribute holding a user's idchain role.
const RoleAttr = domain.RoleAttr

// Identity is who an API user is on the ledger, as read from the enrolled
// certificate.
type Identity struct {
	Name  string // API user name (profile)
	MSPID string
	Role  string // idchain.role attribute; empty when absent
	CN    string // certificate subject CN
}

// ParseCert reads a PEM certificate and returns it with its idchain role.
func ParseCert(certPEM []byte) (*x509.Certificate, string, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, "", errors.New("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("parse certificate: %w", err)
	}
	role, err := certAttr(cert, RoleAttr)
	if err != nil {
		return nil, "", err
	}
	return cert, role, nil
}

// certAttr returns the value of a Fabric CA attribute, "" if absent.
func certAttr(cert *x509.Certificate, name string) (string, error) {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(attrsOID) {
			continue
		}
		var v struct {
			Attrs map[string]string `json:"attrs"`
		}
		if err := json.Unmarshal(ext.Value, &v); err != nil {
			return "", fmt.Errorf("certificate attribute extension: %w", err)
		}
		return v.Attrs[name], nil
	}
	return "", nil
}
