// Package benchkit is what the benchmark programs under scripts/bench share:
// the main wrapper, the flags naming the network and its user, list flags,
// the JSON report file, and the measuring helpers in measure.go.
package benchkit

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/idchain/idchain/profile"
)

// Main runs run with the program's arguments (without the program name)
// under a context that Ctrl-C cancels, and exits 1 with "name: err" when it
// fails.
func Main(name string, run func(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Target is the network a benchmark runs against and the user it submits as.
type Target struct {
	Profile string // path of profile.json
	User    string
}

// Flags registers -profile and -user (default maker-operator; userUsage
// says what the user does) on fs.
func (t *Target) Flags(fs *flag.FlagSet, userUsage string) {
	fs.StringVar(&t.Profile, "profile", "", "profile.json (default $IDCHAIN_PROFILE or network/.run/profile.json)")
	fs.StringVar(&t.User, "user", "maker-operator", userUsage)
}

// Resolve fills in the default profile path when -profile was not given.
func (t *Target) Resolve(getenv func(string) string) error {
	if t.Profile != "" {
		return nil
	}
	p, err := profile.Path(getenv)
	if err != nil {
		return err
	}
	t.Profile = p
	return nil
}

// Ints parses the comma-separated value of flag name: whole numbers from lo
// to hi (hi 0: no upper bound).
func Ints(name, s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < lo || hi > 0 && n > hi {
			if hi > 0 {
				return nil, fmt.Errorf("bad -%s value %q (%d-%d)", name, f, lo, hi)
			}
			return nil, fmt.Errorf("bad -%s value %q", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// WriteJSON writes v as indented JSON with a final newline to path.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
