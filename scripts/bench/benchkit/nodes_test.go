package benchkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNodeSizesAndPerItem(t *testing.T) {
	dir := t.TempDir()
	write := func(p string, n int) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	peer, ord := filepath.Join(dir, "peer0.maker"), filepath.Join(dir, "orderer1")
	write(filepath.Join(peer, "ledgersData", "chains", "blk"), 100)
	write(filepath.Join(peer, "ledgersData", "state", "db"), 50)
	write(filepath.Join(ord, "ledger", "blk"), 70)
	write(filepath.Join(ord, "wal", "seg"), 1000)
	before, err := NodeSizes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if before["peer0.maker"] != (NodeSize{150, 100}) || before["orderer1"] != (NodeSize{1070, 70}) {
		t.Fatalf("sizes %+v", before)
	}
	write(filepath.Join(peer, "ledgersData", "chains", "blk2"), 200)
	write(filepath.Join(peer, "ledgersData", "state", "db2"), 100)
	write(filepath.Join(ord, "ledger", "blk2"), 150)
	after, _ := NodeSizes(dir)
	if got := PerItem(before, after, 10); got != (BytesPerItem{Peer: 30, PeerBlocks: 20, Orderer: 15}) {
		t.Fatalf("per item %+v", got)
	}
}
