// Command orgupdate computes the channel configuration update that adds a
// peer org to a running channel (what `configtxlator compute_update` does in
// Fabric's add-org tutorial), from the current config block, the org's
// definition as printed by `configtxgen -printOrg`, and its anchor peer.
// Used by `make add-org` (network/lib/addorg.sh); built into network/bin on
// demand from the pinned Fabric module's dependencies.
//
//	orgupdate -block config.pb -has BrandMSP      exit 0 if the org is in the Application group, 3 if not
//	orgupdate -block config.pb -org org.json -msp BrandMSP -anchor 127.0.0.1:7500 -channel idchain -out update.pb
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/golang/protobuf/proto"
	"github.com/hyperledger/fabric-config/configtx"
	"github.com/hyperledger/fabric-config/protolator"
	"github.com/hyperledger/fabric-config/protolator/protoext/ordererext"
	cb "github.com/hyperledger/fabric-protos-go/common"
)

func main() {
	block := flag.String("block", "", "current config block (peer channel fetch config)")
	has := flag.String("has", "", "only report whether this MSP is an Application org (exit 0 yes, 3 no)")
	orgJSON := flag.String("org", "", "org definition JSON (configtxgen -printOrg)")
	msp := flag.String("msp", "", "MSP id of the org to add")
	anchor := flag.String("anchor", "", "anchor peer host:port")
	channel := flag.String("channel", "", "channel id")
	out := flag.String("out", "", "output: the unsigned config update envelope")
	flag.Parse()
	cfg, err := configOf(*block)
	if err != nil {
		fail(err)
	}
	app := cfg.ChannelGroup.GetGroups()["Application"]
	if app == nil {
		fail(errors.New("the config has no Application group"))
	}
	if *has != "" {
		if _, ok := app.Groups[*has]; !ok {
			os.Exit(3)
		}
		return
	}
	if *orgJSON == "" || *msp == "" || *anchor == "" || *channel == "" || *out == "" {
		fail(errors.New("-org, -msp, -anchor, -channel and -out are required"))
	}
	if _, ok := app.Groups[*msp]; ok {
		fmt.Fprintf(os.Stderr, "orgupdate: %s is already a member of the channel\n", *msp)
		os.Exit(4)
	}
	if err := addOrg(cfg, *orgJSON, *msp, *anchor, *channel, *out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "orgupdate:", err)
	os.Exit(1)
}

// configOf extracts the channel config from a config block.
func configOf(path string) (*cb.Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blk cb.Block
	if err := proto.Unmarshal(raw, &blk); err != nil {
		return nil, fmt.Errorf("block: %w", err)
	}
	if blk.Data == nil || len(blk.Data.Data) == 0 {
		return nil, errors.New("block has no data")
	}
	var env cb.Envelope
	if err := proto.Unmarshal(blk.Data.Data[0], &env); err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	var payload cb.Payload
	if err := proto.Unmarshal(env.Payload, &payload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var ce cb.ConfigEnvelope
	if err := proto.Unmarshal(payload.Data, &ce); err != nil {
		return nil, fmt.Errorf("config envelope: %w", err)
	}
	if ce.Config == nil || ce.Config.ChannelGroup == nil {
		return nil, errors.New("not a config block")
	}
	return ce.Config, nil
}

func addOrg(cfg *cb.Config, orgJSON, msp, anchor, channel, out string) error {
	raw, err := os.ReadFile(orgJSON)
	if err != nil {
		return err
	}
	group := &cb.ConfigGroup{}
	if err := protolator.DeepUnmarshalJSON(bytes.NewReader(raw), &ordererext.DynamicOrdererOrgGroup{ConfigGroup: group}); err != nil {
		return fmt.Errorf("org definition: %w", err)
	}
	delete(group.Values, "Endpoints") // an orderer org's value, not a peer org's
	tx := configtx.New(cfg)
	tx.UpdatedConfig().ChannelGroup.Groups["Application"].Groups[msp] = group
	host, port, err := net.SplitHostPort(anchor)
	if err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("anchor port: %w", err)
	}
	if err := tx.Application().Organization(msp).AddAnchorPeer(configtx.Address{Host: host, Port: p}); err != nil {
		return fmt.Errorf("anchor peer: %w", err)
	}
	update, err := tx.ComputeMarshaledUpdate(channel)
	if err != nil {
		return err
	}
	env, err := configtx.NewEnvelope(update)
	if err != nil {
		return err
	}
	b, err := proto.Marshal(env)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
