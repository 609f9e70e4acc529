package identifier_test

import (
	"testing"

	"github.com/idchain/idchain/identifier"
)

var sinkID identifier.ID

func BenchmarkParse(b *testing.B) {
	for _, in := range []string{"88.608.8899/META_zj02", "88.118.8/电路板.HX-2024.20240315.0001", "88.608.ABC/META_zj02"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				id, err := identifier.Parse(in)
				if err != nil {
					b.Fatal(err)
				}
				sinkID = id
			}
		})
	}
}

func BenchmarkNormalizeGTIN(b *testing.B) {
	for _, in := range []string{"09506000134352", "4006381333931"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := identifier.NormalizeGTIN(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
