package chaincode

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/idchain/idchain/domain"
)

// benchGTIN is carried by the units of the "/gtin" benchmarks (each unit
// has its own serial, so each gets a GS1 index key).
const benchGTIN = "06901234567892"

// BenchmarkRegisterItems registers batches of units under one case on the
// fake stub, through the full chaincode (argument parsing, JSON response),
// and reports the state calls per item: the chaincode↔peer round trips a
// peer would serve. The "/gtin" runs give every unit a GTIN.
func BenchmarkRegisterItems(b *testing.B) {
	cc, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		n    int
		gtin string
	}{{1, ""}, {10, ""}, {100, ""}, {1000, ""}, {100, benchGTIN}, {1000, benchGTIN}} {
		n, name := c.n, fmt.Sprintf("batch=%d", c.n)
		if c.gtin != "" {
			name += "/gtin"
		}
		b.Run(name, func(b *testing.B) {
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
					items[j].GTIN = c.gtin
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
