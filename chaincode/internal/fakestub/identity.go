package fakestub

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
)

// attrOID is where fabric-ca puts enrollment attributes.
var attrOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// RoleAttr is the certificate attribute holding the idchain role.
const RoleAttr = domain.RoleAttr

// Identity is a client identity: an MSP ID and an x509 certificate like one
// issued by fabric-ca, with the role attribute in extension 1.2.3.4.5.6.7.8.1.
type Identity struct {
	MSP        string
	CN         string
	Role       string // "" for no role attribute
	CertPEM    []byte
	Serialized []byte // msp.SerializedIdentity, what GetCreator returns
}

// NewIdentity generates a self-signed certificate for cn with the role
// attribute (omitted when role is ""). Test set-up only: it uses randomness.
func NewIdentity(mspID, cn, role string) (*Identity, error) {
	var attrs map[string]string
	if role != "" {
		attrs = map[string]string{RoleAttr: role}
	}
	return NewIdentityAttrs(mspID, cn, attrs)
}

// NewIdentityAttrs is NewIdentity with any certificate attributes (none
// when attrs is empty), e.g. idchain.role and idchain.enterprise.
func NewIdentityAttrs(mspID, cn string, attrs map[string]string) (*Identity, error) {
	role := attrs[RoleAttr]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{"client"}, Organization: []string{mspID}},
		Issuer:       pkix.Name{CommonName: "ca." + mspID},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if len(attrs) > 0 {
		all := map[string]string{"hf.EnrollmentID": cn}
		for k, v := range attrs {
			all[k] = v
		}
		ext, err := json.Marshal(map[string]map[string]string{"attrs": all})
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: attrOID, Value: ext}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("fakestub: create certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	ser, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	if err != nil {
		return nil, err
	}
	return &Identity{MSP: mspID, CN: cn, Role: role, CertPEM: certPEM, Serialized: ser}, nil
}

// MustIdentity is NewIdentity for tests.
func MustIdentity(tb interface {
	Helper()
	Fatal(...any)
}, mspID, cn, role string) *Identity {
	tb.Helper()
	id, err := NewIdentity(mspID, cn, role)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// Context builds the transaction context contractapi would pass to a
// transaction function running on stub.
func Context(stub *Stub) (*contractapi.TransactionContext, error) {
	ci, err := cid.New(stub)
	if err != nil {
		return nil, fmt.Errorf("fakestub: client identity: %w", err)
	}
	ctx := new(contractapi.TransactionContext)
	ctx.SetStub(stub)
	ctx.SetClientIdentity(ci)
	return ctx, nil
}
