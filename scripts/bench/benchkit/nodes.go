package benchkit

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// NodeSize is one node's data directory: all its files and its ledger
// alone.
type NodeSize struct{ All, Ledger int64 }

// DataDir is the nodes' data directory of the network whose profile is at
// profilePath (network/.run/data).
func DataDir(profilePath string) string { return filepath.Join(filepath.Dir(profilePath), "data") }

// NodeSizes is, per peer and orderer data directory under dataDir, the
// bytes of all its files and of its ledger alone (peers' block files under
// ledgersData/chains, orderers' ledger/ — their etcdraft WAL grows in
// preallocated 64 MB segments).
func NodeSizes(dataDir string) (map[string]NodeSize, error) {
	ents, err := os.ReadDir(dataDir)
	if err != nil {
		return nil, err
	}
	out := map[string]NodeSize{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(dataDir, e.Name())
		ledger := filepath.Join(dir, "ledger")
		if IsPeerDir(e.Name()) {
			ledger = filepath.Join(dir, "ledgersData", "chains")
		}
		out[e.Name()] = NodeSize{DirBytes(dir), DirBytes(ledger)}
	}
	return out, nil
}

// IsPeerDir reports whether a node data directory name is a peer's.
func IsPeerDir(name string) bool { return strings.HasPrefix(name, "peer") }

// DirBytes is the total size of the files under dir.
func DirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// BytesPerItem is the growth of the nodes' data per item between two
// NodeSizes: the average peer (all files and block files alone) and the
// average orderer (ledger alone: its WAL grows in preallocated segments).
type BytesPerItem struct {
	Peer       float64 `json:"peer"`
	PeerBlocks float64 `json:"peerBlocks"`
	Orderer    float64 `json:"orderer"`
}

// PerItem computes BytesPerItem for items items.
func PerItem(before, after map[string]NodeSize, items int64) BytesPerItem {
	var r BytesPerItem
	if items <= 0 {
		return r
	}
	var peers, orderers float64
	for name, a := range after {
		b := before[name]
		if IsPeerDir(name) {
			peers++
			r.Peer += float64(a.All - b.All)
			r.PeerBlocks += float64(a.Ledger - b.Ledger)
		} else {
			orderers++
			r.Orderer += float64(a.Ledger - b.Ledger)
		}
	}
	n := float64(items)
	if peers > 0 {
		r.Peer, r.PeerBlocks = r.Peer/peers/n, r.PeerBlocks/peers/n
	}
	if orderers > 0 {
		r.Orderer /= orderers * n
	}
	return r
}

// NodeBytes is one node's data directory growth per item: all its files
// and its ledger alone.
type NodeBytes struct {
	Name          string  `json:"name"`
	PerItem       float64 `json:"bytesPerItem"`
	LedgerPerItem float64 `json:"ledgerBytesPerItem"`
}

// PerNode is the growth per item of every node of before, by name.
func PerNode(before, after map[string]NodeSize, items float64) []NodeBytes {
	var out []NodeBytes
	for _, name := range slices.Sorted(maps.Keys(before)) {
		b, a := before[name], after[name]
		out = append(out, NodeBytes{Name: name, PerItem: float64(a.All-b.All) / items, LedgerPerItem: float64(a.Ledger-b.Ledger) / items})
	}
	return out
}
