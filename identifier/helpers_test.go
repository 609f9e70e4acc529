package identifier_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

// wantError fails unless err is an *identifier.Error matching sentinel with
// the given position and reason.
func wantError(tb testing.TB, err error, sentinel error, pos int, reason string) {
	tb.Helper()
	var e *identifier.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &e) {
		tb.Fatalf("error = %v, want %v", err, sentinel)
	}
	if e.Pos != pos || e.Reason != reason {
		tb.Fatalf("error = pos %d %q, want pos %d %q", e.Pos, e.Reason, pos, reason)
	}
}

// rejectCase is an input a parser must reject with the given error.
type rejectCase struct {
	name, in string
	sentinel error
	pos      int
	reason   string
}

// runRejects runs check on every case as a subtest.
func runRejects(t *testing.T, check func(string) error, cases []rejectCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, check(tt.in), tt.sentinel, tt.pos, tt.reason)
		})
	}
}

func quote(s string) string { return strconv.Quote(s) }

func isDigitString(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
