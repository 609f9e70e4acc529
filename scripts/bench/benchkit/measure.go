package benchkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
)

// Submit sends one transaction, waits for its commit status and returns
// the transaction's result and status. A commit that is not valid is an
// error "tx <id>: <validation code>".
func Submit(ctx context.Context, contract *client.Contract, name string, args ...string) ([]byte, *client.Status, error) {
	res, commit, err := contract.SubmitAsync(name, client.WithArguments(args...))
	if err != nil {
		return nil, nil, err
	}
	st, err := commit.StatusWithContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !st.Successful {
		return nil, st, fmt.Errorf("tx %s: %s", st.TransactionID, st.Code)
	}
	return res, st, nil
}

// ErrDone, returned by a Load operation, stops its client without counting
// the call.
var ErrDone = errors.New("benchkit: no more work")

// Tally is what Load counted.
type Tally struct {
	OK, Failed int64
	Seconds    float64         // wall time of the whole load
	Latencies  []time.Duration // of the successful calls, unsorted
	LastErr    error           // of the last failed call
}

// PerSec is the successful calls per second.
func (t Tally) PerSec() float64 { return float64(t.OK) / t.Seconds }

// Load runs clients goroutines, each calling op(client, i) for i = 0, 1, …
// back to back until d has passed, ctx is done or op returns ErrDone, and
// counts the calls that succeeded and failed.
func Load(ctx context.Context, clients int, d time.Duration, op func(client, i int) error) Tally {
	var t Tally
	var mu sync.Mutex
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				err := op(c, i)
				if errors.Is(err, ErrDone) {
					return
				}
				lat := time.Since(t0)
				mu.Lock()
				if err != nil {
					t.Failed++
					t.LastErr = err
				} else {
					t.OK++
					t.Latencies = append(t.Latencies, lat)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Seconds = time.Since(start).Seconds()
	return t
}

// Quantile is the q-quantile (0 ≤ q ≤ 1) of ds, 0 for none.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// RegisterItems submits one registry:RegisterItems transaction, waits for
// its commit and returns the number of items created; fewer than asked is
// an error.
func RegisterItems(ctx context.Context, contract *client.Contract, in []domain.ItemInput) (int, error) {
	arg, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	res, _, err := Submit(ctx, contract, "registry:RegisterItems", string(arg))
	if err != nil {
		return 0, err
	}
	var br domain.BatchResult
	if err := json.Unmarshal(res, &br); err != nil {
		return 0, err
	}
	created := 0
	for _, r := range br.Results {
		if r.Status == domain.ResultCreated {
			created++
		}
	}
	if created != len(in) {
		return created, fmt.Errorf("%d of %d items created", created, len(in))
	}
	return created, nil
}
