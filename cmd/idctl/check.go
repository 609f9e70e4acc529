package main

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/idchain/idchain/identifier"
)

// Kinds reported by `idctl check`.
const (
	kindIdentifier    = "identifier"
	kindGTIN          = "gtin"
	kindSSCC          = "sscc"
	kindElementString = "gs1_element_string"
	kindDigitalLink   = "gs1_digital_link"
	kindSerial        = "serial"
	kindCosmetics     = "cosmetics_code"
)

// checkResult is the JSON `idctl check` prints.
type checkResult struct {
	Valid      bool        `json:"valid"`
	Kind       string      `json:"kind,omitempty"`
	Input      string      `json:"input"`
	Normalized string      `json:"normalized,omitempty"`
	Parts      any         `json:"parts,omitempty"`
	Error      *checkError `json:"error,omitempty"`
}

type checkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Pos     *int   `json:"pos,omitempty"` // byte offset in input
}

type idParts struct {
	Prefix     string                       `json:"prefix"`
	Suffix     string                       `json:"suffix"`
	National   bool                         `json:"national"`
	Structured *identifier.StructuredSuffix `json:"structured,omitempty"` // suffix follows 分类.型号.日期.顺序
	Serial     bool                         `json:"serial,omitempty"`     // suffix is a valid idchain serial
}

type gtinParts struct {
	Format     string `json:"format"`
	GTIN14     string `json:"gtin14"`
	CheckDigit string `json:"check_digit"`
}

type gs1Parts struct {
	identifier.GS1Data
	ElementString   string `json:"element_string,omitempty"`
	DigitalLinkPath string `json:"digital_link_path,omitempty"`
}

type cosmeticsParts struct {
	identifier.CosmeticsCode
	ProvinceName string `json:"province_name,omitempty"`
}

// runCheck implements `idctl check CODE`.
func runCheck(e *env, args []string) int {
	fs := newFlags(e, "check", "CODE")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, fs, "需要恰好一个代码 exactly one CODE is required")
	}
	res := checkCode(fs.Arg(0))
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fail(e, "check", err)
	}
	if !res.Valid {
		return exitInvalid
	}
	return exitOK
}

// checkCode recognises the kind of s and judges it.
func checkCode(s string) checkResult {
	kind := guessKind(s)
	res := checkResult{Kind: kind, Input: s}
	var err error
	switch kind {
	case kindElementString:
		err = checkGS1(&res, s, identifier.ParseElementString)
	case kindDigitalLink:
		err = checkGS1(&res, s, identifier.ParseDigitalLink)
	case kindGTIN:
		var g string
		if g, err = identifier.NormalizeGTIN(s); err == nil {
			res.Normalized = g
			res.Parts = gtinParts{Format: identifier.GTINFormat(s), GTIN14: g, CheckDigit: g[13:]}
		}
	case kindSSCC:
		if err = identifier.ValidateSSCC(s); err == nil {
			res.Normalized = s
		}
	case kindSerial:
		res.Normalized, err = identifier.NormalizeSerial(s)
	case kindCosmetics:
		var c identifier.CosmeticsCode
		if c, err = identifier.ParseCosmeticsCode(s); err == nil {
			p, _ := identifier.ProvinceByAbbr(c.Province)
			res.Normalized, res.Parts = c.String(), cosmeticsParts{c, p.Name}
		}
	case kindIdentifier:
		err = checkIdentifier(&res, s)
	default:
		err = &identifier.Error{Code: identifier.CodeInvalidCode, Pos: -1,
			Reason: "无法识别 unrecognised code: expected a 标识 PREFIX/SUFFIX, GTIN, GS1 Digital Link, element string, serial or cosmetics code"}
	}
	if err != nil {
		res.Normalized, res.Parts, res.Error = "", nil, toCheckError(err)
		return res
	}
	res.Valid = true
	return res
}

// guessKind picks the parser for s from its shape; "" means unrecognised.
func guessKind(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(s, "("):
		return kindElementString
	case strings.HasPrefix(s, "/"), strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return kindDigitalLink
	case s != "" && strings.Trim(s, "0123456789") == "":
		if len(s) == 18 {
			return kindSSCC
		}
		return kindGTIN
	case strings.Contains(s, "妆"):
		return kindCosmetics
	case strings.ContainsAny(s, "/."):
		return kindIdentifier
	case len(s) == identifier.SerialLen:
		return kindSerial
	}
	return ""
}

func checkGS1(res *checkResult, s string, parse func(string) (identifier.GS1Data, error)) error {
	d, err := parse(s)
	if err != nil {
		return err
	}
	p := gs1Parts{GS1Data: d}
	p.ElementString, _ = d.ElementString()
	p.DigitalLinkPath, _ = d.DigitalLinkPath()
	res.Parts = p
	if res.Kind == kindElementString {
		res.Normalized = p.ElementString
	} else {
		res.Normalized = p.DigitalLinkPath
	}
	return nil
}

func checkIdentifier(res *checkResult, s string) error {
	id, err := identifier.Parse(s)
	if err != nil {
		return err
	}
	p := idParts{Prefix: id.Prefix, Suffix: id.Suffix, National: id.IsNational()}
	if st, err := identifier.ParseStructuredSuffix(id.Suffix); err == nil {
		p.Structured = &st
	}
	n, err := identifier.NormalizeSerial(id.Suffix)
	p.Serial = err == nil && n == id.Suffix
	res.Normalized, res.Parts = id.String(), p
	return nil
}

func toCheckError(err error) *checkError {
	var e *identifier.Error
	if !errors.As(err, &e) {
		return &checkError{Code: identifier.CodeInvalidCode, Message: err.Error()}
	}
	ce := &checkError{Code: e.Code, Message: e.Message()}
	if e.Pos >= 0 {
		pos := e.Pos
		ce.Pos = &pos
	}
	return ce
}
