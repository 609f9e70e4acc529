package identifier

import "strconv"

// 统一社会信用代码 (unified social credit code, USCC) per GB 32100-2015:
//
//	position  1     registration authority (登记管理部门代码)
//	          2     institution type within that authority (机构类别代码)
//	          3–8   administrative division of the registering office (GB/T 2260, six digits)
//	          9–17  organisation code (组织机构代码, GB 11714: eight body characters + its check character)
//	          18    check character over positions 1–17
//
// Every character is from a 31-character alphabet: the digits and the capital
// letters without I, O, Z, S and V. The check character of position 18 uses
// weights 3^(i-1) mod 31 and the alphabet's values 0–30; the organisation
// code's check character uses GB 11714's weights 3,7,9,10,5,8,4,2 over the
// values 0–9, A=10 … Z=35 and mod 11 (10 is written X, 11 is written 0).

// USCCLen is the length of a unified social credit code.
const USCCLen = 18

// usccAlphabet lists the characters of a USCC in value order (0–30).
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights of positions 1–17 (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are GB 11714's weights of the eight body characters.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// USCCType is one registration authority + institution type pair of the
// standard's code table (GB 32100-2015 table 1 with amendment No. 1, which
// added the authorities A and N).
type USCCType struct {
	Authority     byte   `json:"-"`
	Type          byte   `json:"-"`
	AuthorityName string `json:"authority"`
	TypeName      string `json:"type"`
}

// usccTypes is the code table, ordered by authority then type.
var usccTypes = [...]USCCType{
	{'1', '1', "机构编制", "机关"},
	{'1', '2', "机构编制", "事业单位"},
	{'1', '3', "机构编制", "中央编办直接管理机构编制的群众团体"},
	{'1', '9', "机构编制", "其他"},
	{'2', '1', "外交", "外国常驻新闻机构"},
	{'2', '9', "外交", "其他"},
	{'3', '1', "司法行政", "律师执业机构"},
	{'3', '2', "司法行政", "公证处"},
	{'3', '3', "司法行政", "基层法律服务所"},
	{'3', '4', "司法行政", "司法鉴定机构"},
	{'3', '5', "司法行政", "仲裁委员会"},
	{'3', '9', "司法行政", "其他"},
	{'4', '1', "文化", "外国在华文化中心"},
	{'4', '9', "文化", "其他"},
	{'5', '1', "民政", "社会团体"},
	{'5', '2', "民政", "民办非企业单位"},
	{'5', '3', "民政", "基金会"},
	{'5', '9', "民政", "其他"},
	{'6', '1', "旅游", "外国旅游部门常驻代表机构"},
	{'6', '2', "旅游", "港澳台地区旅游部门常驻内地（大陆）代表机构"},
	{'6', '9', "旅游", "其他"},
	{'7', '1', "宗教", "宗教活动场所"},
	{'7', '2', "宗教", "宗教院校"},
	{'7', '9', "宗教", "其他"},
	{'8', '1', "工会", "基层工会"},
	{'8', '9', "工会", "其他"},
	{'9', '1', "工商", "企业"},
	{'9', '2', "工商", "个体工商户"},
	{'9', '3', "工商", "农民专业合作社"},
	{'A', '1', "中央军委改革和编制办公室", "军队事业单位"},
	{'A', '9', "中央军委改革和编制办公室", "其他"},
	{'N', '1', "农业", "组级集体经济组织"},
	{'N', '2', "农业", "村级集体经济组织"},
	{'N', '3', "农业", "乡镇级集体经济组织"},
	{'N', '9', "农业", "其他"},
	{'Y', '1', "其他", "其他"},
}

// USCC is a parsed unified social credit code.
type USCC struct {
	Code          string `json:"code"`          // the 18 characters
	Authority     string `json:"authority"`     // position 1
	Type          string `json:"type"`          // position 2
	AuthorityName string `json:"authorityName"` // e.g. 工商
	TypeName      string `json:"typeName"`      // e.g. 企业
	Division      string `json:"division"`      // positions 3–8
	OrgCode       string `json:"orgCode"`       // positions 9–17, GB 11714 organisation code
}

// IsEnterprise reports whether the code names a company registered with the
// market regulator (authority 9, type 1: 企业).
func (u USCC) IsEnterprise() bool { return u.Authority == "9" && u.Type == "1" }

// usccValue returns the value (0–30) of a USCC character, or -1.
func usccValue(c byte) int {
	for i := 0; i < len(usccAlphabet); i++ {
		if usccAlphabet[i] == c {
			return i
		}
	}
	return -1
}

// USCCCheck returns the check character (position 18) of the first 17
// characters of a code. Characters outside the alphabet are INVALID_CODE.
func USCCCheck(first17 string) (byte, error) {
	if len(first17) != USCCLen-1 {
		return 0, newError(CodeInvalidCode, -1, "a USCC check is computed over 17 characters, got "+strconv.Itoa(len(first17)))
	}
	sum := 0
	for i := 0; i < len(first17); i++ {
		v := usccValue(first17[i])
		if v < 0 {
			return 0, newError(CodeInvalidCode, i, "character "+quoteByte(first17[i])+" is not in the USCC alphabet (0-9, A-Y without I, O, S, V)")
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// EnterpriseUSCC builds the USCC of an enterprise (registration authority
// 9, type 1) in region (six digits) from an organisation code body (eight
// characters), computing both check characters.
func EnterpriseUSCC(region, orgCodeBody string) (string, error) {
	if len(region) != 6 {
		return "", newError(CodeInvalidCode, -1, "a region code has 6 digits, got "+strconv.Itoa(len(region)))
	}
	oc, err := OrgCodeCheck(orgCodeBody)
	if err != nil {
		return "", err
	}
	first := "91" + region + orgCodeBody + string(oc)
	c, err := USCCCheck(first)
	if err != nil {
		return "", err
	}
	return first + string(c), nil
}

// OrgCodeCheck returns the GB 11714 check character of an organisation
// code's eight body characters (digits or capital letters).
func OrgCodeCheck(body string) (byte, error) {
	if len(body) != 8 {
		return 0, newError(CodeInvalidCode, -1, "an organisation code body has 8 characters, got "+strconv.Itoa(len(body)))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, newError(CodeInvalidCode, i, "character "+quoteByte(c)+" is not allowed in an organisation code")
		}
		sum += v * orgCodeWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + r), nil
	}
}

// ParseUSCC validates a unified social credit code: 18 characters of the
// USCC alphabet, a known authority/type pair, a six-digit division code, an
// organisation code whose GB 11714 check character holds, and the GB 32100
// check character. Lower case is accepted and normalised to upper case;
// surrounding or inner spaces are not. Errors have code INVALID_CODE with
// the byte position of the first problem.
func ParseUSCC(s string) (USCC, error) {
	if len(s) != USCCLen {
		return USCC{}, newError(CodeInvalidCode, -1, "a unified social credit code has 18 characters, got "+strconv.Itoa(len(s))+" bytes")
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
			b[i] = c
		}
		if usccValue(c) < 0 {
			return USCC{}, newError(CodeInvalidCode, i, "character "+quoteByte(s[i])+" is not in the USCC alphabet (0-9, A-Y without I, O, S, V)")
		}
	}
	t, ok := usccTypeOf(b[0], b[1])
	if !ok {
		if !knownAuthority(b[0]) {
			return USCC{}, newError(CodeInvalidCode, 0, "unknown registration authority code "+quoteByte(b[0]))
		}
		return USCC{}, newError(CodeInvalidCode, 1, "unknown institution type "+quoteByte(b[1])+" for registration authority "+quoteByte(b[0]))
	}
	for i := 2; i < 8; i++ {
		if b[i] < '0' || b[i] > '9' {
			return USCC{}, newError(CodeInvalidCode, i, "the administrative division code (positions 3-8) is six digits")
		}
	}
	oc, _ := OrgCodeCheck(string(b[8:16])) // every USCC character is a digit or capital letter
	if b[16] != oc {
		return USCC{}, newError(CodeInvalidCode, 16, "organisation code check character is "+quoteByte(b[16])+", want "+quoteByte(oc))
	}
	cc, _ := USCCCheck(string(b[:17]))
	if b[17] != cc {
		return USCC{}, newError(CodeInvalidCode, 17, "check character is "+quoteByte(b[17])+", want "+quoteByte(cc))
	}
	code := string(b)
	return USCC{
		Code: code, Authority: code[0:1], Type: code[1:2], AuthorityName: t.AuthorityName, TypeName: t.TypeName,
		Division: code[2:8], OrgCode: code[8:17],
	}, nil
}

// NormalizeUSCC returns the upper-case form of a valid code.
func NormalizeUSCC(s string) (string, error) {
	u, err := ParseUSCC(s)
	return u.Code, err
}

// USCCTypes lists the authority/type pairs the parser accepts.
func USCCTypes() []USCCType { return append([]USCCType(nil), usccTypes[:]...) }

func usccTypeOf(auth, typ byte) (USCCType, bool) {
	for _, t := range usccTypes {
		if t.Authority == auth && t.Type == typ {
			return t, true
		}
	}
	return USCCType{}, false
}

func knownAuthority(auth byte) bool {
	for _, t := range usccTypes {
		if t.Authority == auth {
			return true
		}
	}
	return false
}
