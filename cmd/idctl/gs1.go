package main

import (
	"fmt"

	"github.com/idchain/idchain/identifier"
)

// runGS1 implements `idctl gs1 link|element …`.
func runGS1(e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "link":
			return runGS1Link(e, args[1:])
		case "element":
			return runGS1Element(e, args[1:])
		}
	}
	fmt.Fprintln(e.stderr, "用法 usage:")
	fmt.Fprintln(e.stderr, "  idctl gs1 link [-base URL] ELEMENT_STRING     元素串 → Digital Link")
	fmt.Fprintln(e.stderr, "  idctl gs1 link [-base URL] -gtin G [-lot L] [-serial S] [-cpv V] [-expiry YYMMDD]")
	fmt.Fprintln(e.stderr, "  idctl gs1 element DIGITAL_LINK                Digital Link → 元素串")
	return exitUsage
}

// runGS1Link prints the Digital Link URI for an element string or for the
// fields given as flags.
func runGS1Link(e *env, args []string) int {
	const synopsis = "[-base URL] ELEMENT_STRING | -gtin G [-lot L] [-serial S] [-cpv V] [-expiry YYMMDD]"
	fs := newFlags(e, "gs1 link", synopsis)
	base := fs.String("base", identifier.DefaultResolver, "解析器地址 resolver base URI")
	var d identifier.GS1Data
	fs.StringVar(&d.GTIN, "gtin", "", "GTIN-8/12/13/14")
	fs.StringVar(&d.Lot, "lot", "", "批号 lot, AI (10)")
	fs.StringVar(&d.Serial, "serial", "", "序列号 serial, AI (21)")
	fs.StringVar(&d.CPV, "cpv", "", "消费品变体 consumer product variant, AI (22)")
	fs.StringVar(&d.Expiry, "expiry", "", "有效期 expiry YYMMDD, AI (17)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	switch {
	case fs.NArg() == 1 && d == (identifier.GS1Data{}):
		parsed, err := identifier.ParseElementString(fs.Arg(0))
		if err != nil {
			return fail(e, "gs1 link", err)
		}
		d = parsed
	case fs.NArg() == 0 && d.GTIN != "":
		g, err := identifier.NormalizeGTIN(d.GTIN)
		if err != nil {
			return fail(e, "gs1 link", err)
		}
		d.GTIN = g
	default:
		return usageError(e, fs, "给出一个元素串或 -gtin give one element string or -gtin")
	}
	link, err := d.DigitalLink(*base)
	if err != nil {
		return fail(e, "gs1 link", err)
	}
	fmt.Fprintln(e.stdout, link)
	return exitOK
}

// runGS1Element prints the element string for a Digital Link URI or path.
func runGS1Element(e *env, args []string) int {
	fs := newFlags(e, "gs1 element", "DIGITAL_LINK")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, fs, "需要恰好一个 Digital Link exactly one DIGITAL_LINK is required")
	}
	d, err := identifier.ParseDigitalLink(fs.Arg(0))
	if err != nil {
		return fail(e, "gs1 element", err)
	}
	s, err := d.ElementString()
	if err != nil {
		return fail(e, "gs1 element", err)
	}
	fmt.Fprintln(e.stdout, s)
	return exitOK
}
