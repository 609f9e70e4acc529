package epcis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEventHashExamplesCheckout runs every JSON-LD example of the event
// hash reference (tests/examples/*.jsonld with their .hashes of
// github.com/RalphTro/epcis-event-hash-generator) through EventHashID.
// It runs only with IDCHAIN_EVENT_HASH_EXAMPLES naming that examples
// directory (a developer check, like TestGS1ExamplesCheckout); the
// examples are not kept in this repository. It logs one line per document
// and fails on any event whose hash differs.
func TestEventHashExamplesCheckout(t *testing.T) {
	dir := os.Getenv("IDCHAIN_EVENT_HASH_EXAMPLES")
	if dir == "" {
		t.Skip("IDCHAIN_EVENT_HASH_EXAMPLES is not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonld"))
	if len(files) == 0 {
		t.Fatalf("no *.jsonld in %s", dir)
	}
	total, same := 0, 0
	for _, f := range files {
		base := strings.TrimSuffix(f, ".jsonld")
		want := readLines(t, base+".hashes")
		pre := readLines(t, base+".prehashes")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Context json.RawMessage `json:"@context"`
			Body    struct {
				EventList    []json.RawMessage `json:"eventList"`
				QueryResults struct {
					ResultsBody struct {
						EventList []json.RawMessage `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		events := doc.Body.EventList
		if events == nil {
			events = doc.Body.QueryResults.ResultsBody.EventList
		}
		ok := 0
		for i, ev := range events {
			if why, known := knownHashDifferences[fmt.Sprintf("%s#%d", filepath.Base(f), i)]; known {
				t.Logf("%s event %d: known difference (%s)", filepath.Base(f), i, why)
				total++
				continue
			}
			total++
			got, err := Options{}.EventHashID(ev, doc.Context)
			if err != nil {
				t.Errorf("%s event %d: %v", filepath.Base(f), i, err)
				continue
			}
			if i < len(want) && got == want[i] {
				ok++
				same++
				continue
			}
			p, _ := Options{}.PreHash(ev, doc.Context)
			w := ""
			if i < len(pre) {
				w = pre[i]
			}
			t.Errorf("%s event %d:\n got  %s\n want %s", filepath.Base(f), i, p, w)
		}
		t.Logf("%s: %d of %d events match", filepath.Base(f), ok, len(events))
	}
	t.Logf("%d of %d events match", same, total)
}

// knownHashDifferences are the reference examples idchain's hash does not
// reproduce, with the reason (see docs/epcis.md).
var knownHashDifferences = map[string]string{
	"epcisDocHavingEventWithIgnoreFields.jsonld#0":      "the reference drops fields a document lists under {https://repository-x.example.com/}ignoreFields, a convention of the reference tool, not of CBV 2.0",
	"epcisQueryDocHavingEventWithIgnoreFields.jsonld#0": "same ignoreFields convention",
}

func readLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}
