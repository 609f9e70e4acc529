package chaincode

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/idchain/idchain/domain"
)

// BenchmarkRegisterItems registers batches of units under one case on the
// fake stub, through the full chaincode (argument parsing, JSON response),
// and reports the state calls per item: the chaincode↔peer round trips a
// peer would serve.
func BenchmarkRegisterItems(b *testing.B) {
	cc, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			l := newWorld(b)
			mustRegister(b, l, generic(makerPfx+"/CASE", domain.KindCase, ""))
			op := who(b, makerMSP, domain.RoleOperator)
			calls := map[string]int{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				items := make([]domain.ItemInput, n)
				for j := range items {
					items[j] = unit(i*n+j, makerPfx+"/CASE")
				}
				arg, _ := json.Marshal(items)
				s := l.NewTx(op).SetArgs("registry:RegisterItems", string(arg))
				b.StartTimer()
				if resp := cc.Invoke(s); resp.Status != 200 {
					b.Fatal(resp.Message)
				}
				b.StopTimer()
				_ = s.Commit()
				for k, v := range s.Calls {
					calls[k] += v
				}
				b.StartTimer()
			}
			items := float64(b.N * n)
			b.ReportMetric(float64(calls["GetState"])/items, "reads/item")
			b.ReportMetric(float64(calls["PutState"])/items, "puts/item")
			b.ReportMetric(float64(calls["SetStateValidationParameter"])/items, "sbe/item")
		})
	}
}
