package site

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/gateway-api/scans"
)

// PublicView is the consumer's view of an item: the ledger's public
// verification with the maker's display name, scan counts and warnings.
// Anti-diversion findings are never part of it (they go to the owner).
type PublicView struct {
	domain.Verification
	// Recall shadows the ledger's record: no tx id, no user.
	Recall *PublicRecall `json:"recall,omitempty"`
	// ProducedAt is the production date: the productionDate attribute of
	// the item or its registered parent (lot, batch), else when it was
	// commissioned or registered.
	ProducedAt string    `json:"producedAt,omitempty"`
	Warnings   []Warning `json:"warnings,omitempty"`
}

// PublicRecall is the recall that applies to an item, as the public sees it.
type PublicRecall struct {
	ID     string `json:"id"` // the recalled item: this one or an ancestor
	Reason string `json:"reason"`
	At     string `json:"at"`
	By     string `json:"by"` // display name of the recalling organisation
}

// Warning is a consumer-facing caution about a code.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Warning codes.
const (
	WarnManyScans = "MANY_SCANS"      // scanned more often than a genuine unit would be
	WarnOldScan   = "FIRST_SCAN_LONG" // first verified long ago: possibly a copied code
)

// verify is the public JSON verification of an item (cached). An unknown
// but well-formed id answers 404 with "genuine": false.
func (s *Site) verify(c *gin.Context) {
	id, err := httpapi.ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.Writer.Header()["Cache-Control"] = noStore
	if _, authed := httpapi.Caller(c); authed {
		// A keyed read counts no scan: its answer is the same for every
		// keyed caller and comes pre-rendered from the API's in-process
		// cache (scan figures up to its TTL old).
		s.ServeHot(c, id, httpapi.HotVerify, func() ([]byte, error) {
			v, err := s.publicView(c, id, true)
			if err != nil {
				return nil, notGenuine(id, err)
			}
			return httpapi.Marshal(v)
		})
		return
	}
	v, err := s.publicView(c, id, true)
	if err != nil {
		s.Fail(c, notGenuine(id, err))
		return
	}
	c.JSON(http.StatusOK, v)
}

// noStore is the Cache-Control of verify answers (shared: assigned, not
// copied, on the hottest path).
var noStore = []string{"no-store"}

// notGenuine adds "id" and "genuine": false to a NOT_FOUND answer for id.
func notGenuine(id string, err error) error {
	if domain.CodeOf(err) == domain.CodeNotFound {
		return httpapi.FailWith(err, gin.H{"id": id, "genuine": false})
	}
	return err
}

// publicView reads the cached verification of id and, when count is set
// and the caller is anonymous, counts the scan of a serialized unit and
// checks the scan's ?region= against the region the unit was shipped for.
// A well-formed id that is not registered is NOT_FOUND.
func (s *Site) publicView(c *gin.Context, id string, count bool) (PublicView, error) {
	var v PublicView
	b, err := s.Read(c, ledger.FnVerify, id)
	if err != nil {
		return v, err
	}
	if err := httpapi.Decode(ledger.FnVerify, b, &v.Verification); err != nil {
		return v, err
	}
	if !v.Genuine {
		return v, domain.Errorf(domain.CodeNotFound, "%s is not registered", id)
	}
	owner := v.Maker
	v.Maker = s.orgName(owner)
	if e := v.Verification.MakerEnterprise; e != nil && e.Name != "" {
		v.Maker = e.Name // the enterprise is the maker; its org only hosts it
	}
	if r := v.Verification.Recall; r != nil {
		v.Recall = &PublicRecall{ID: r.ID, Reason: r.Reason, At: r.At, By: s.orgName(r.By)}
		v.Verification.Recall = nil
	}
	v.ProducedAt = s.producedAt(c, v.Verification)
	for i := range v.Timeline {
		v.Timeline[i].By = s.orgName(v.Timeline[i].By)
	}
	if !serialized(v.Verification) {
		return v, nil
	}
	_, authed := httpapi.Caller(c)
	// A HEAD request (link checkers, resolver test suites) is no scan.
	count = count && c.Request.Method != http.MethodHead
	s.countScan(c, &v, count && !authed)
	if count && !authed {
		if region := c.Query("region"); region != "" {
			s.checkRegion(c, v, owner, region)
		}
	}
	return v, nil
}

// serialized reports whether scans of the item are counted: a unit, or
// anything carrying a serial number.
func serialized(v domain.Verification) bool {
	return v.Kind == domain.KindUnit || v.Serial != ""
}

// countScan fills scans, first-scan time and warnings. Redis trouble is
// logged and the page is served without scan data.
func (s *Site) countScan(c *gin.Context, v *PublicView, hit bool) {
	pub := s.cfg
	ledgerFirst, _ := time.Parse(time.RFC3339Nano, v.FirstScanAt)
	if pub.Scans == nil {
		return
	}
	now := pub.Now()
	var info scans.ScanInfo
	var err error
	if hit {
		info, err = pub.Scans.Hit(c.Request.Context(), v.ID, now, ledgerFirst)
	} else {
		info, err = pub.Scans.Peek(c.Request.Context(), v.ID)
	}
	if err != nil {
		s.Logger(c).Warn("scan counter unavailable", "err", err.Error())
		return
	}
	first := info.FirstAt
	if !ledgerFirst.IsZero() && (first.IsZero() || ledgerFirst.Before(first)) {
		first = ledgerFirst
	}
	v.Scans = info.Count
	if !first.IsZero() {
		v.FirstScanAt = first.UTC().Format(time.RFC3339)
	}
	if info.Count > pub.ScanWarnAfter {
		v.Warnings = append(v.Warnings, Warning{WarnManyScans,
			"此码已被查询 " + itoa(info.Count) + " 次，可能被复制，请谨慎购买 / This code has been checked many times and may be a copy"})
	}
	if !first.IsZero() && info.Count > 1 && now.Sub(first) > pub.ScanWarnAge {
		v.Warnings = append(v.Warnings, Warning{WarnOldScan,
			"此码首次查询于 " + localTime(first) + "，如您刚购买，请警惕假冒 / First verified long ago: if you just bought it, beware of a copied code"})
	}
}

// producedAt finds the production date of an item (see PublicView).
func (s *Site) producedAt(c *gin.Context, v domain.Verification) string {
	id := v.ID
	for range 2 { // the item, then its registered parent
		it, err := s.Item(c, id)
		if err != nil {
			break
		}
		if d := it.Attributes["productionDate"]; d != "" {
			return d
		}
		if id = it.Parent; id == "" {
			break
		}
	}
	for _, e := range v.Timeline {
		if e.Type == domain.EventCommissioning {
			return e.At
		}
	}
	return v.CreatedAt
}
