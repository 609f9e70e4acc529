// Package chanconfig changes an org's MSP in a running channel's
// configuration: it adds a Fabric CA's certificate revocation list to the
// org's MSP (FabricMSPConfig.revocation_list), signs the config update as
// an admin of that org (the MSP value's mod_policy is the org's Admins) and
// broadcasts it to an orderer. Once the config block is committed, every
// peer and orderer of the channel rebuilds the org's MSP and refuses
// signatures by a revoked certificate: proposals are rejected before any
// chaincode runs, and transactions signed by it are invalid at commit.
//
// The package only transforms and signs; callers fetch the current config
// block (qscc GetConfigBlock through the gateway) and own the gRPC
// connection to the orderer.
package chanconfig

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

const (
	groupApplication = "Application"
	valueMSP         = "MSP"
)

// ErrUnchanged is returned when the MSP already holds the CRL.
var ErrUnchanged = errors.New("chanconfig: the org's MSP already has this revocation list")

// ConfigFromBlock extracts the channel id and configuration of a config
// block.
func ConfigFromBlock(blockBytes []byte) (string, *common.Config, error) {
	var block common.Block
	if err := proto.Unmarshal(blockBytes, &block); err != nil {
		return "", nil, fmt.Errorf("chanconfig: block: %w", err)
	}
	if block.Data == nil || len(block.Data.Data) == 0 {
		return "", nil, errors.New("chanconfig: empty block")
	}
	var env common.Envelope
	if err := proto.Unmarshal(block.Data.Data[0], &env); err != nil {
		return "", nil, fmt.Errorf("chanconfig: envelope: %w", err)
	}
	var payload common.Payload
	if err := proto.Unmarshal(env.Payload, &payload); err != nil {
		return "", nil, fmt.Errorf("chanconfig: payload: %w", err)
	}
	if payload.Header == nil {
		return "", nil, errors.New("chanconfig: payload without header")
	}
	var ch common.ChannelHeader
	if err := proto.Unmarshal(payload.Header.ChannelHeader, &ch); err != nil {
		return "", nil, fmt.Errorf("chanconfig: channel header: %w", err)
	}
	if ch.Type != int32(common.HeaderType_CONFIG) {
		return "", nil, fmt.Errorf("chanconfig: block holds a %s transaction, not a config", common.HeaderType(ch.Type))
	}
	var ce common.ConfigEnvelope
	if err := proto.Unmarshal(payload.Data, &ce); err != nil {
		return "", nil, fmt.Errorf("chanconfig: config envelope: %w", err)
	}
	if ce.Config == nil || ce.Config.ChannelGroup == nil {
		return "", nil, errors.New("chanconfig: config without channel group")
	}
	return ch.ChannelId, ce.Config, nil
}

// orgGroup finds the application org group whose MSP has id mspID.
func orgGroup(cfg *common.Config, mspID string) (string, *common.ConfigGroup, *msp.FabricMSPConfig, error) {
	app := cfg.ChannelGroup.Groups[groupApplication]
	if app == nil {
		return "", nil, nil, errors.New("chanconfig: no Application group")
	}
	for name, g := range app.Groups {
		v := g.Values[valueMSP]
		if v == nil {
			continue
		}
		var mc msp.MSPConfig
		if err := proto.Unmarshal(v.Value, &mc); err != nil {
			return "", nil, nil, fmt.Errorf("chanconfig: MSP of %s: %w", name, err)
		}
		var fc msp.FabricMSPConfig
		if err := proto.Unmarshal(mc.Config, &fc); err != nil {
			return "", nil, nil, fmt.Errorf("chanconfig: MSP of %s: %w", name, err)
		}
		if fc.Name == mspID {
			return name, g, &fc, nil
		}
	}
	return "", nil, nil, fmt.Errorf("chanconfig: no application org with MSP %s", mspID)
}

// ParseCRL decodes a PEM CRL.
func ParseCRL(crlPEM []byte) (*x509.RevocationList, error) {
	blk, _ := pem.Decode(crlPEM)
	if blk == nil || blk.Type != "X509 CRL" {
		return nil, errors.New("chanconfig: CRL is not PEM (X509 CRL)")
	}
	crl, err := x509.ParseRevocationList(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: CRL: %w", err)
	}
	return crl, nil
}

// withCRL returns the revocation list of an MSP with crlPEM in place of any
// CRL of the same issuer key (a Fabric CA CRL lists every unexpired
// revocation, so the newest one replaces the older).
func withCRL(current [][]byte, crlPEM []byte) ([][]byte, error) {
	crl, err := ParseCRL(crlPEM)
	if err != nil {
		return nil, err
	}
	if len(crl.AuthorityKeyId) == 0 {
		return nil, errors.New("chanconfig: CRL has no authority key identifier (Fabric matches CRLs to CAs by it)")
	}
	out := make([][]byte, 0, len(current)+1)
	for _, c := range current {
		if bytes.Equal(bytes.TrimSpace(c), bytes.TrimSpace(crlPEM)) {
			return nil, ErrUnchanged
		}
		if old, err := ParseCRL(c); err == nil && bytes.Equal(old.AuthorityKeyId, crl.AuthorityKeyId) {
			continue
		}
		out = append(out, c)
	}
	return append(out, crlPEM), nil
}

// CRLUpdate builds the config update that puts crlPEM into the MSP of org
// mspID: read set and write set name the channel, Application and org
// groups at their versions, and the write set holds the org's MSP value at
// its next version with the same mod_policy.
func CRLUpdate(channel string, cfg *common.Config, mspID string, crlPEM []byte) (*common.ConfigUpdate, error) {
	name, g, fc, err := orgGroup(cfg, mspID)
	if err != nil {
		return nil, err
	}
	if fc.RevocationList, err = withCRL(fc.RevocationList, crlPEM); err != nil {
		return nil, err
	}
	fcBytes, err := proto.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	old := g.Values[valueMSP]
	var mc msp.MSPConfig
	if err := proto.Unmarshal(old.Value, &mc); err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	mc.Config = fcBytes
	mcBytes, err := proto.Marshal(&mc)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	root, app := cfg.ChannelGroup, cfg.ChannelGroup.Groups[groupApplication]
	set := func(org *common.ConfigGroup) *common.ConfigGroup {
		return &common.ConfigGroup{Version: root.Version, Groups: map[string]*common.ConfigGroup{
			groupApplication: {Version: app.Version, Groups: map[string]*common.ConfigGroup{name: org}},
		}}
	}
	readOrg := &common.ConfigGroup{Version: g.Version}
	writeOrg := &common.ConfigGroup{Version: g.Version, Values: map[string]*common.ConfigValue{
		valueMSP: {Version: old.Version + 1, ModPolicy: old.ModPolicy, Value: mcBytes},
	}}
	return &common.ConfigUpdate{ChannelId: channel, ReadSet: set(readOrg), WriteSet: set(writeOrg)}, nil
}

// RevocationList returns the CRLs (PEM) the org's MSP holds in cfg.
func RevocationList(cfg *common.Config, mspID string) ([][]byte, error) {
	_, _, fc, err := orgGroup(cfg, mspID)
	if err != nil {
		return nil, err
	}
	return fc.RevocationList, nil
}
