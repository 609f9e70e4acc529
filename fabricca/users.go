package fabricca

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/idchain/idchain/domain"
)

// User is an identity to register: a client of the org whose enrollment
// certificate carries idchain.role and, for an enterprise's user,
// idchain.enterprise.
type User struct {
	Name       string
	Role       string // idchain.role
	Enterprise string // idchain.enterprise (USCC), "" for the org's own users
	Type       string // Fabric CA identity type; "" means client
}

type attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	ECert bool   `json:"ecert,omitempty"`
}

type registerRequest struct {
	ID             string      `json:"id"`
	Type           string      `json:"type"`
	Secret         string      `json:"secret,omitempty"`
	MaxEnrollments int         `json:"max_enrollments,omitempty"`
	Affiliation    string      `json:"affiliation"`
	Attrs          []attribute `json:"attrs,omitempty"`
	CAName         string      `json:"caname,omitempty"`
}

// Register registers u with a random one-time secret and returns it. The
// attributes are marked ecert, so they are put into every enrollment
// certificate. A name the CA already knows is an *Error matching ErrExists.
func (c *Client) Register(ctx context.Context, u User) (secret string, err error) {
	if u.Name == "" || u.Role == "" {
		return "", errors.New("fabricca: a user needs a name and a role")
	}
	typ := u.Type
	if typ == "" {
		typ = "client"
	}
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("fabricca: secret: %w", err)
	}
	req := registerRequest{ID: u.Name, Type: typ, Secret: base64.RawURLEncoding.EncodeToString(buf), MaxEnrollments: 1, CAName: c.caName,
		Attrs: []attribute{{Name: domain.RoleAttr, Value: u.Role, ECert: true}}}
	if u.Enterprise != "" {
		req.Attrs = append(req.Attrs, attribute{Name: domain.EnterpriseAttr, Value: u.Enterprise, ECert: true})
	}
	var res struct {
		Secret string `json:"secret"`
	}
	if err := c.call(ctx, "register", req, c.registrar, "", "", &res); err != nil {
		return "", err
	}
	return res.Secret, nil
}

type enrollRequest struct {
	Hosts   []string `json:"hosts,omitempty"`
	Request string   `json:"certificate_request"`
	Profile string   `json:"profile,omitempty"`
	CAName  string   `json:"caname,omitempty"`
}

// Enroll makes a key pair, sends a CSR for name authenticated by its
// secret, and returns the identity with the issued certificate. The private
// key never leaves the process.
func (c *Client) Enroll(ctx context.Context, name, secret string) (*Signer, error) {
	key, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("fabricca: key: %w", err)
	}
	csr, err := NewCSR(name, key)
	if err != nil {
		return nil, err
	}
	cert, err := c.EnrollCSR(ctx, name, secret, csr)
	if err != nil {
		return nil, err
	}
	return &Signer{CertPEM: cert, Key: key}, nil
}

// NewCSR makes the PEM certificate request of name for key (subject CN =
// name, as Fabric CA requires).
func NewCSR(name string, key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}}, key)
	if err != nil {
		return nil, fmt.Errorf("fabricca: CSR: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// EnrollCSR enrolls name with a certificate request made elsewhere (a
// maker's HSM or own tool: the key never reaches this process) and returns
// the issued certificate (PEM).
func (c *Client) EnrollCSR(ctx context.Context, name, secret string, csrPEM []byte) ([]byte, error) {
	var res struct {
		Cert string `json:"Cert"`
	}
	if err := c.call(ctx, "enroll", enrollRequest{Request: string(csrPEM), CAName: c.caName}, nil, name, secret, &res); err != nil {
		return nil, err
	}
	cert, err := base64.StdEncoding.DecodeString(res.Cert)
	if err != nil {
		return nil, fmt.Errorf("fabricca: enroll result: %w", err)
	}
	return cert, nil
}

// RegisterAndEnroll registers u and enrolls it at once.
func (c *Client) RegisterAndEnroll(ctx context.Context, u User) (*Signer, error) {
	secret, err := c.Register(ctx, u)
	if err != nil {
		return nil, err
	}
	return c.Enroll(ctx, u.Name, secret)
}

// RegisterAndEnrollCSR registers u and enrolls it with a certificate
// request made by its holder (the key stays with the holder); it returns
// the certificate.
func (c *Client) RegisterAndEnrollCSR(ctx context.Context, u User, csrPEM []byte) ([]byte, error) {
	secret, err := c.Register(ctx, u)
	if err != nil {
		return nil, err
	}
	return c.EnrollCSR(ctx, u.Name, secret, csrPEM)
}

// RevokedCert names one revoked certificate.
type RevokedCert struct {
	Serial string `json:"Serial"` // hex
	AKI    string `json:"AKI"`    // hex
}

// Revocation is the result of a revocation: what was revoked and the CA's
// CRL (PEM) that now lists it.
type Revocation struct {
	Revoked []RevokedCert
	CRL     []byte
}

type revokeRequest struct {
	ID     string `json:"id,omitempty"`
	Serial string `json:"serial,omitempty"`
	AKI    string `json:"aki,omitempty"`
	Reason string `json:"reason,omitempty"`
	GenCRL bool   `json:"gencrl,omitempty"`
	CAName string `json:"caname,omitempty"`
}

// Revoke revokes every certificate of the identity name (the identity can
// no longer enroll) and returns the new CRL. An unknown name matches
// ErrUnknownIdentity.
func (c *Client) Revoke(ctx context.Context, name, reason string) (*Revocation, error) {
	var res struct {
		RevokedCerts []RevokedCert `json:"RevokedCerts"`
		CRL          []byte        `json:"CRL"`
	}
	req := revokeRequest{ID: name, Reason: reason, GenCRL: true, CAName: c.caName}
	if err := c.call(ctx, "revoke", req, c.registrar, "", "", &res); err != nil {
		return nil, err
	}
	return &Revocation{Revoked: res.RevokedCerts, CRL: res.CRL}, nil
}

// CRL returns the CA's current certificate revocation list (PEM).
func (c *Client) CRL(ctx context.Context) ([]byte, error) {
	var res struct {
		CRL []byte `json:"CRL"`
	}
	if err := c.call(ctx, "gencrl", struct {
		CAName string `json:"caname,omitempty"`
	}{c.caName}, c.registrar, "", "", &res); err != nil {
		return nil, err
	}
	return res.CRL, nil
}

// SerialHex renders a certificate's serial as Fabric CA does (lower-case
// hex, no leading zeros) for comparisons with RevokedCert.Serial.
func SerialHex(cert *x509.Certificate) string {
	return cert.SerialNumber.Text(16)
}

// AKIHex renders a certificate's authority key id as Fabric CA does.
func AKIHex(cert *x509.Certificate) string { return hex.EncodeToString(cert.AuthorityKeyId) }
