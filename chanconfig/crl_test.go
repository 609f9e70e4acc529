package chanconfig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// testCA is a CA key pair that issues CRLs.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, ski byte) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: []byte{ski, ski, ski},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert, key}
}

func (ca testCA) crl(t *testing.T, number int64, serials ...int64) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(number), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: time.Now()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

// testConfig is a channel config with two application orgs.
func testConfig(t *testing.T, makerCRLs ...[]byte) *common.Config {
	t.Helper()
	org := func(id string, crls [][]byte) *common.ConfigGroup {
		fc, err := proto.Marshal(&msp.FabricMSPConfig{Name: id, RevocationList: crls})
		if err != nil {
			t.Fatal(err)
		}
		mc, err := proto.Marshal(&msp.MSPConfig{Type: 0, Config: fc})
		if err != nil {
			t.Fatal(err)
		}
		return &common.ConfigGroup{Version: 2, ModPolicy: "Admins", Values: map[string]*common.ConfigValue{
			"MSP": {Version: 4, ModPolicy: "Admins", Value: mc}}}
	}
	return &common.Config{Sequence: 7, ChannelGroup: &common.ConfigGroup{Version: 1, Groups: map[string]*common.ConfigGroup{
		"Application": {Version: 3, Groups: map[string]*common.ConfigGroup{
			"maker":   org("MakerMSP", makerCRLs),
			"partner": org("PartnerMSP", nil),
		}},
	}}}
}

func mspOf(t *testing.T, v *common.ConfigValue) *msp.FabricMSPConfig {
	t.Helper()
	var mc msp.MSPConfig
	var fc msp.FabricMSPConfig
	if err := proto.Unmarshal(v.Value, &mc); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(mc.Config, &fc); err != nil {
		t.Fatal(err)
	}
	return &fc
}

func TestCRLUpdate(t *testing.T) {
	ca, other := newTestCA(t, 1), newTestCA(t, 2)
	old, otherCRL := ca.crl(t, 1, 10), other.crl(t, 1, 99)
	cfg := testConfig(t, old, otherCRL)
	fresh := ca.crl(t, 2, 10, 11)

	upd, err := CRLUpdate("idchain", cfg, "MakerMSP", fresh)
	if err != nil {
		t.Fatal(err)
	}
	if upd.ChannelId != "idchain" {
		t.Fatalf("channel %q", upd.ChannelId)
	}
	rApp, wApp := upd.ReadSet.Groups["Application"], upd.WriteSet.Groups["Application"]
	if upd.ReadSet.Version != 1 || rApp.Version != 3 || rApp.Groups["maker"].Version != 2 || len(rApp.Groups) != 1 {
		t.Fatalf("read set %v", upd.ReadSet)
	}
	if len(rApp.Groups["maker"].Values) != 0 {
		t.Fatal("the read set must not pin the MSP value being changed")
	}
	w := wApp.Groups["maker"]
	if w.Version != 2 || len(wApp.Groups) != 1 || len(w.Values) != 1 {
		t.Fatalf("write set %v", upd.WriteSet)
	}
	v := w.Values["MSP"]
	if v.Version != 5 || v.ModPolicy != "Admins" {
		t.Fatalf("MSP value version %d mod policy %q, want 5 Admins", v.Version, v.ModPolicy)
	}
	fc := mspOf(t, v)
	if fc.Name != "MakerMSP" || len(fc.RevocationList) != 2 || !bytes.Equal(fc.RevocationList[0], otherCRL) || !bytes.Equal(fc.RevocationList[1], fresh) {
		t.Fatalf("revocation list: the new CRL must replace the same CA's older one and keep the other CA's (%d entries)", len(fc.RevocationList))
	}

	if _, err := CRLUpdate("idchain", testConfig(t, fresh), "MakerMSP", fresh); !errors.Is(err, ErrUnchanged) {
		t.Fatalf("same CRL again: %v, want ErrUnchanged", err)
	}
	if _, err := CRLUpdate("idchain", cfg, "NoSuchMSP", fresh); err == nil {
		t.Fatal("an unknown MSP was accepted")
	}
	if _, err := CRLUpdate("idchain", cfg, "MakerMSP", []byte("junk")); err == nil {
		t.Fatal("a non-PEM CRL was accepted")
	}
}

func TestConfigFromBlockRoundTrip(t *testing.T) {
	cfg := testConfig(t)
	ce, _ := proto.Marshal(&common.ConfigEnvelope{Config: cfg})
	ch, _ := proto.Marshal(&common.ChannelHeader{Type: int32(common.HeaderType_CONFIG), ChannelId: "idchain"})
	payload, _ := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: ch}, Data: ce})
	env, _ := proto.Marshal(&common.Envelope{Payload: payload})
	block, _ := proto.Marshal(&common.Block{Data: &common.BlockData{Data: [][]byte{env}}})
	channel, got, err := ConfigFromBlock(block)
	if err != nil || channel != "idchain" || !proto.Equal(got, cfg) {
		t.Fatalf("ConfigFromBlock = %q, %v", channel, err)
	}
	ch2, _ := proto.Marshal(&common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "idchain"})
	payload2, _ := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: ch2}, Data: ce})
	env2, _ := proto.Marshal(&common.Envelope{Payload: payload2})
	block2, _ := proto.Marshal(&common.Block{Data: &common.BlockData{Data: [][]byte{env2}}})
	if _, _, err := ConfigFromBlock(block2); err == nil {
		t.Fatal("a block of an endorser transaction was read as a config")
	}
}

func FuzzConfigFromBlock(f *testing.F) {
	cfg, _ := proto.Marshal(&common.ConfigEnvelope{Config: &common.Config{ChannelGroup: &common.ConfigGroup{}}})
	ch, _ := proto.Marshal(&common.ChannelHeader{Type: int32(common.HeaderType_CONFIG), ChannelId: "idchain"})
	payload, _ := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: ch}, Data: cfg})
	env, _ := proto.Marshal(&common.Envelope{Payload: payload})
	block, _ := proto.Marshal(&common.Block{Data: &common.BlockData{Data: [][]byte{env}}})
	f.Add(block)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		channel, c, err := ConfigFromBlock(b)
		if err == nil && (c == nil || c.ChannelGroup == nil) {
			t.Fatalf("accepted a block without a channel group (channel %q)", channel)
		}
		if err == nil {
			_, _ = RevocationList(c, "MakerMSP") // must not panic on any accepted config
		}
	})
}
