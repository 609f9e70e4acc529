package identifier

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kinds of cosmetics codes issued by the NMPA and provincial authorities.
const (
	CosmeticsSpecialDomestic   = "special_domestic"   // 国妆特字G + YYYY + NNNN
	CosmeticsSpecialImport     = "special_import"     // 国妆特进字J + YYYY + NNNN
	CosmeticsFilingDomestic    = "filing_domestic"    // <省>G妆网备字 + YYYY + NNNNNN
	CosmeticsFilingImport      = "filing_import"      // 国妆网备进字(<省>) + YYYY + NNNNNN
	CosmeticsProductionLicence = "production_licence" // <省>妆 + YYYY + NNNN
)

// CosmeticsCode is a parsed cosmetics registration or filing number or
// production licence number.
type CosmeticsCode struct {
	Kind     string `json:"kind"`
	Province string `json:"province,omitempty"` // abbreviation as written, e.g. 粤
	Year     int    `json:"year"`
	Seq      string `json:"seq"` // the serial digits after the year
}

// Province is a provincial-level division with its one-character
// abbreviations; Alt is the second abbreviation some provinces also use.
type Province struct {
	Abbr string `json:"abbr"`
	Alt  string `json:"alt,omitempty"`
	Name string `json:"name"`
}

var provinces = [...]Province{
	{"京", "", "北京"}, {"津", "", "天津"}, {"冀", "", "河北"}, {"晋", "", "山西"}, {"蒙", "", "内蒙古"},
	{"辽", "", "辽宁"}, {"吉", "", "吉林"}, {"黑", "", "黑龙江"}, {"沪", "", "上海"}, {"苏", "", "江苏"},
	{"浙", "", "浙江"}, {"皖", "", "安徽"}, {"闽", "", "福建"}, {"赣", "", "江西"}, {"鲁", "", "山东"},
	{"豫", "", "河南"}, {"鄂", "", "湖北"}, {"湘", "", "湖南"}, {"粤", "", "广东"}, {"桂", "", "广西"},
	{"琼", "", "海南"}, {"渝", "", "重庆"}, {"川", "蜀", "四川"}, {"贵", "黔", "贵州"}, {"云", "滇", "云南"},
	{"藏", "", "西藏"}, {"陕", "秦", "陕西"}, {"甘", "陇", "甘肃"}, {"青", "", "青海"}, {"宁", "", "宁夏"},
	{"新", "", "新疆"},
}

// Provinces lists the 31 mainland provincial-level divisions.
func Provinces() []Province { return append([]Province(nil), provinces[:]...) }

// ProvinceByAbbr finds the province an abbreviation (main or alternative)
// stands for.
func ProvinceByAbbr(abbr string) (Province, bool) {
	for _, p := range provinces {
		if abbr == p.Abbr || abbr != "" && abbr == p.Alt {
			return p, true
		}
	}
	return Province{}, false
}

// ParseCosmeticsCode recognises any of the five cosmetics code forms (see
// the Cosmetics* kinds). Years must be 2000–2099. In the import filing form
// both ASCII and full-width parentheses are accepted; String writes ASCII.
// Errors have code INVALID_CODE.
func ParseCosmeticsCode(s string) (CosmeticsCode, error) {
	switch {
	case strings.HasPrefix(s, "国妆特字G"):
		return cosmeticsTail(s, len("国妆特字G"), CosmeticsCode{Kind: CosmeticsSpecialDomestic}, 4)
	case strings.HasPrefix(s, "国妆特进字J"):
		return cosmeticsTail(s, len("国妆特进字J"), CosmeticsCode{Kind: CosmeticsSpecialImport}, 4)
	case strings.HasPrefix(s, "国妆网备进字"):
		return cosmeticsImportFiling(s)
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return CosmeticsCode{}, newError(CodeInvalidCode, 0, "not a cosmetics registration, filing or licence number")
	}
	prov := s[:n]
	rest := s[n:]
	var c CosmeticsCode
	var digits int
	switch {
	case strings.HasPrefix(rest, "G妆网备字"):
		c, digits = CosmeticsCode{Kind: CosmeticsFilingDomestic, Province: prov}, 6
		n += len("G妆网备字")
	case strings.HasPrefix(rest, "妆"):
		c, digits = CosmeticsCode{Kind: CosmeticsProductionLicence, Province: prov}, 4
		n += len("妆")
	default:
		return CosmeticsCode{}, newError(CodeInvalidCode, 0, "not a cosmetics registration, filing or licence number")
	}
	if _, ok := ProvinceByAbbr(prov); !ok {
		if prov == "国" { // a national form with a typo, e.g. 国妆特字 without G
			return CosmeticsCode{}, newError(CodeInvalidCode, 0, "not a cosmetics registration, filing or licence number")
		}
		return CosmeticsCode{}, newError(CodeInvalidCode, 0, "unknown province abbreviation "+strconv.Quote(prov))
	}
	return cosmeticsTail(s, n, c, digits)
}

// ParseProductionLicence accepts only a cosmetics production licence number.
func ParseProductionLicence(s string) (CosmeticsCode, error) {
	c, err := ParseCosmeticsCode(s)
	if err == nil && c.Kind != CosmeticsProductionLicence {
		return CosmeticsCode{}, newError(CodeInvalidCode, 0, "not a production licence number (<省>妆YYYYNNNN)")
	}
	return c, err
}

func cosmeticsImportFiling(s string) (CosmeticsCode, error) {
	i := len("国妆网备进字")
	var closing string
	switch {
	case strings.HasPrefix(s[i:], "("):
		i, closing = i+1, ")"
	case strings.HasPrefix(s[i:], "（"):
		i, closing = i+len("（"), "）"
	default:
		return CosmeticsCode{}, newError(CodeInvalidCode, i, "expected (<省>) after 国妆网备进字")
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	prov := s[i : i+n]
	if _, ok := ProvinceByAbbr(prov); !ok {
		return CosmeticsCode{}, newError(CodeInvalidCode, i, "unknown province abbreviation "+strconv.Quote(prov))
	}
	if !strings.HasPrefix(s[i+n:], closing) {
		return CosmeticsCode{}, newError(CodeInvalidCode, i+n, "expected "+closing+" after the province")
	}
	c := CosmeticsCode{Kind: CosmeticsFilingImport, Province: prov}
	return cosmeticsTail(s, i+n+len(closing), c, 6)
}

// cosmeticsTail reads YYYY and exactly digits serial digits from s[i:].
func cosmeticsTail(s string, i int, c CosmeticsCode, digits int) (CosmeticsCode, error) {
	tail := s[i:]
	if len(tail) != 4+digits || !isDigits(tail) {
		return CosmeticsCode{}, newError(CodeInvalidCode, i, "expected a 4-digit year and "+strconv.Itoa(digits)+" digits")
	}
	year, _ := strconv.Atoi(tail[:4])
	if year < 2000 || year > 2099 {
		return CosmeticsCode{}, newError(CodeInvalidCode, i, "year "+tail[:4]+" is outside 2000–2099")
	}
	c.Year, c.Seq = year, tail[4:]
	return c, nil
}

// String writes the code in its canonical form.
func (c CosmeticsCode) String() string {
	tail := strconv.Itoa(c.Year) + c.Seq
	switch c.Kind {
	case CosmeticsSpecialDomestic:
		return "国妆特字G" + tail
	case CosmeticsSpecialImport:
		return "国妆特进字J" + tail
	case CosmeticsFilingDomestic:
		return c.Province + "G妆网备字" + tail
	case CosmeticsFilingImport:
		return "国妆网备进字(" + c.Province + ")" + tail
	case CosmeticsProductionLicence:
		return c.Province + "妆" + tail
	}
	return ""
}
