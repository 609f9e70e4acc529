package benchkit

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestInts(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		hi      int
		want    []int
		wantErr bool
	}{
		{"a list with spaces parses", "1, 8,32", 0, []int{1, 8, 32}, false},
		{"no upper bound takes large numbers", "100000", 0, []int{100000}, false},
		{"a number below the bound is refused", "0", 0, nil, true},
		{"a number above the bound is refused", "5001", 5000, nil, true},
		{"a word is refused", "1,x", 0, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Ints("sizes", tc.in, 1, tc.hi)
			if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
				t.Fatalf("Ints(%q) = %v, %v", tc.in, got, err)
			}
		})
	}
}

func TestQuantileOfNoneIsZero(t *testing.T) {
	if q := Quantile(nil, 0.5); q != 0 {
		t.Fatalf("Quantile(nil) = %v", q)
	}
}

func TestQuantileDoesNotReorderItsInput(t *testing.T) {
	ds := []time.Duration{3, 1, 2}
	if q := Quantile(ds, 0.5); q != 2 {
		t.Fatalf("median %v", q)
	}
	if q := Quantile(ds, 1); q != 3 {
		t.Fatalf("max %v", q)
	}
	if !slices.Equal(ds, []time.Duration{3, 1, 2}) {
		t.Fatalf("input reordered: %v", ds)
	}
}

func TestLoadCountsUntilTheWorkIsDone(t *testing.T) {
	var next atomic.Int64
	boom := errors.New("boom")
	tl := Load(context.Background(), 4, time.Minute, func(_, _ int) error {
		n := next.Add(1)
		switch {
		case n > 10:
			return ErrDone
		case n%5 == 0:
			return boom
		}
		return nil
	})
	if tl.OK != 8 || tl.Failed != 2 || len(tl.Latencies) != 8 || !errors.Is(tl.LastErr, boom) {
		t.Fatalf("tally %+v", tl)
	}
}

func TestLoadStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls, late atomic.Int64
	var cancelled atomic.Bool
	tl := Load(ctx, 2, time.Minute, func(_, _ int) error {
		if cancelled.Load() {
			late.Add(1)
		}
		if calls.Add(1) == 5 {
			cancel()
			cancelled.Store(true)
		}
		return nil
	})
	// Each client may start at most one call that passed its context check
	// just before the cancel; none may start after that.
	if n := late.Load(); n > 2 {
		t.Fatalf("%d calls started after the cancel, want at most one per client", n)
	}
	if tl.OK < 5 || tl.OK != calls.Load() {
		t.Fatalf("tally %+v, %d calls", tl, calls.Load())
	}
}
