package identifier_test

import (
	"testing"

	"github.com/idchain/idchain/identifier"
)

var (
	sinkID  identifier.ID
	sinkStr string
)

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

func BenchmarkValidate(b *testing.B) {
	cases := []struct {
		name  string
		check func() error
	}{
		{"ParsePrefix", func() error { _, err := identifier.ParsePrefix("88.608.8899"); return err }},
		{"ValidateGTIN", func() error { return identifier.ValidateGTIN("4006381333931") }},
		{"ParseElementString", func() error {
			_, err := identifier.ParseElementString("(01)09506000134352(17)250131(10)ABC123(21)XYZ-9")
			return err
		}},
		{"ParseDigitalLink", func() error {
			_, err := identifier.ParseDigitalLink("https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ-9?17=250131")
			return err
		}},
		{"CheckSerial", func() error { return identifier.CheckSerial("97GVM2WDTPR104") }},
		{"ParseCosmeticsCode", func() error { _, err := identifier.ParseCosmeticsCode("粤G妆网备字2020123456"); return err }},
		{"ParseStructuredSuffix", func() error {
			_, err := identifier.ParseStructuredSuffix("电路板.HX-4L-01.20240229.000123")
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.check(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNewSerial(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = identifier.NewSerial()
	}
}

func BenchmarkIDString(b *testing.B) {
	id := identifier.MustParse("88.608.8899/META_zj02")
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = id.String()
	}
}
