package identifier

import (
	"strings"
	"time"
)

// StructuredSuffix is the electronics-industry suffix convention
// 分类.型号.日期.顺序 (category.model.date.sequence), for example
// "PCB.HX-4L-01.20240315.000123".
type StructuredSuffix struct {
	Category string `json:"category"`
	Model    string `json:"model"`
	Date     string `json:"date"` // YYYYMMDD, a real calendar date
	Seq      string `json:"seq"`  // decimal digits
}

// ParseStructuredSuffix splits a suffix into its four parts. The suffix must
// be a valid 标识 suffix with exactly four non-empty dot-separated parts; the
// date must be YYYYMMDD and the sequence digits only. Errors have code
// INVALID_IDENTIFIER with Pos relative to suffix.
func ParseStructuredSuffix(suffix string) (StructuredSuffix, error) {
	if err := checkSuffix(suffix, 0); err != nil {
		return StructuredSuffix{}, err
	}
	var parts [4]string
	start := 0
	for i := range parts {
		end := strings.IndexByte(suffix[start:], '.')
		if i == len(parts)-1 {
			if end >= 0 {
				return StructuredSuffix{}, newError(CodeInvalidIdentifier, start+end, "structured suffix has more than four parts")
			}
			end = len(suffix) - start
		} else if end < 0 {
			return StructuredSuffix{}, newError(CodeInvalidIdentifier, len(suffix), "structured suffix needs four parts 分类.型号.日期.顺序")
		}
		if end == 0 {
			return StructuredSuffix{}, newError(CodeInvalidIdentifier, start, "structured suffix has an empty part")
		}
		parts[i] = suffix[start : start+end]
		start += end + 1
	}
	s := StructuredSuffix{Category: parts[0], Model: parts[1], Date: parts[2], Seq: parts[3]}
	datePos := len(s.Category) + len(s.Model) + 2
	if _, err := time.Parse("20060102", s.Date); err != nil || len(s.Date) != 8 {
		return StructuredSuffix{}, newError(CodeInvalidIdentifier, datePos, "structured suffix date must be a valid YYYYMMDD")
	}
	if !isDigits(s.Seq) {
		return StructuredSuffix{}, newError(CodeInvalidIdentifier, datePos+9, "structured suffix sequence must be digits")
	}
	return s, nil
}

// String joins the parts with dots.
func (s StructuredSuffix) String() string {
	return s.Category + "." + s.Model + "." + s.Date + "." + s.Seq
}
