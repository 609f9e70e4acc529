//go:build gs1examples

package chaincode

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// TestGS1ExamplesCheckout is a developer check behind the build tag
// gs1examples, so make test never compiles it (nor reports it skipped): with
// IDCHAIN_GS1_EPCIS set to a checkout of github.com/gs1/EPCIS it parses
// every JSON/**/*.jsonld of GS1's repository and captures the documents one
// by one, in path order, into one in-memory ledger, printing each
// document's outcome (the table in docs/epcis.md). GS1's documents are not
// kept in this repository. Run it with scripts/gs1-examples.sh <checkout>.
func TestGS1ExamplesCheckout(t *testing.T) {
	root := os.Getenv("IDCHAIN_GS1_EPCIS")
	if root == "" {
		t.Fatal("set IDCHAIN_GS1_EPCIS to a checkout of github.com/gs1/EPCIS (scripts/gs1-examples.sh)")
	}
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "JSON"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no JSON/**/*.jsonld under %s: %v", root, err)
	}
	sort.Strings(files)
	l := fakestub.NewLedger()
	maker := who(t, makerMSP, domain.RoleOperator)
	counts := map[string]int{}
	failed := 0
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(root, "JSON"), f)
		name := strings.ReplaceAll(rel, string(filepath.Separator), "_")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := epcis.ParseEPCISDocument(b, epcis.Options{})
		if err != nil {
			failed++
			t.Logf("| `%s` | document refused: %v |", name, err)
			continue
		}
		var evs []json.RawMessage
		line := ""
		for _, o := range parsed {
			if o.Record == nil {
				counts["refused by the parser"]++
				line += " refused by the parser (" + o.Error.Error() + ")"
				continue
			}
			evs = append(evs, o.Record.Event)
		}
		if len(evs) > 0 {
			res, err := captureTx(t, l, maker, evs)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, r := range res {
				counts[r.Status]++
				line += " " + r.Status
				if r.Error != nil {
					line += " (" + string(r.Error.Code) + ")"
				}
			}
		}
		t.Logf("| `%s` |%s |", name, line)
	}
	t.Logf("%d documents (%d refused whole), outcomes per event: %v", len(files), failed, counts)
}
