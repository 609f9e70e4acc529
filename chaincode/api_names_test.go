package chaincode

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// TestAPIFunctionNamesAreInTheChaincodeMetadata reads every Fn* constant of
// the API's ledger package (gateway-api/ledger) and checks that the
// chaincode's contract metadata — what contract-api dispatches on — has a
// transaction of that name, so a renamed chaincode function cannot leave
// the API calling a function that does not exist.
func TestAPIFunctionNamesAreInTheChaincodeMetadata(t *testing.T) {
	cc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := fakestub.NewLedger().NewTx(who(t, makerMSP, domain.RoleOperator)).SetArgs("org.hyperledger.fabric:GetMetadata")
	resp := cc.Invoke(s)
	if resp.Status != 200 {
		t.Fatalf("GetMetadata: %d %s", resp.Status, resp.Message)
	}
	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string `json:"name"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal(resp.Payload, &md); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for name, c := range md.Contracts {
		for _, tx := range c.Transactions {
			known[name+":"+tx.Name] = true
		}
	}
	fns := apiFunctionNames(t)
	if len(fns) < 20 {
		t.Fatalf("found only %d Fn constants in gateway-api/ledger: %v", len(fns), fns)
	}
	for name, fn := range fns {
		if !known[fn] {
			t.Errorf("ledger.%s = %q is not a transaction of the chaincode", name, fn)
		}
	}
	for _, fn := range domain.WriteFunctions() {
		if !known[fn] {
			t.Errorf("domain.Writers names %q, which is not a transaction of the chaincode", fn)
		}
	}
}

// apiFunctionNames parses gateway-api/ledger for constants named Fn*.
func apiFunctionNames(t *testing.T) map[string]string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), filepath.Join("..", "gateway-api", "ledger"), func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if !strings.HasPrefix(n.Name, "Fn") || i >= len(vs.Values) {
							continue
						}
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							out[n.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}
