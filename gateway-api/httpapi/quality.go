package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

type planRequest struct {
	Industry domain.Industry   `json:"industry"`
	Items    []domain.PlanItem `json:"items"`
}

func (s *Service) putPlan(c *gin.Context) {
	var req planRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	plan := domain.Plan{Model: c.Param("model"), Industry: req.Industry, Items: req.Items}
	plan.Normalize()
	if err := plan.Validate(); err != nil {
		s.Fail(c, err)
		return
	}
	arg := jsonArg(struct {
		Model    string            `json:"model"`
		Industry domain.Industry   `json:"industry"`
		Items    []domain.PlanItem `json:"items"`
	}{plan.Model, plan.Industry, plan.Items})
	done, err := s.submit(c, ledger.Call{Fn: ledger.FnPutPlan, Args: []string{arg}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, done.Result)
}

// getPlan answers the plan in force for a model: of ?owner (an org) and
// ?enterprise (a USCC it hosts) when given, else of the caller's own org
// and enterprise (an enterprise user sees its enterprise's plan).
func (s *Service) getPlan(c *gin.Context) {
	owner, ent := c.Query("owner"), c.Query("enterprise")
	if owner == "" {
		p, _ := Caller(c)
		owner = p.MSPID
		if ent == "" {
			ent = p.Enterprise
		}
	}
	var b []byte
	var err error
	if ent == "" {
		b, err = s.evaluate(c, ledger.FnGetPlan, owner, c.Param("model"))
	} else {
		b, err = s.evaluate(c, ledger.FnGetEntPlan, owner, ent, c.Param("model"))
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, b)
}

type inspectionRequest struct {
	domain.InspectionInput
	// Detail is private raw data: kept in the owner's implicit collection
	// (sent as transient data), only its SHA-256 goes on the public record.
	Detail json.RawMessage `json:"detail,omitempty"`
}

type inspectionResponse struct {
	domain.InspectionResult
	DetailHash string `json:"detailHash,omitempty"`
	DetailTxID string `json:"detailTxId,omitempty"`
	// Replayed: the request repeated the item's latest inspection, which
	// is answered instead of recording a second one.
	Replayed bool `json:"replayed,omitempty"`
}

// retryWindow is how long after an inspection an identical request is
// taken as a re-sent one (a client retrying after a timeout or after the
// detail failed to store) rather than a new inspection.
const retryWindow = 15 * time.Minute

// retriedInspection returns the item's latest inspection when in repeats
// it: same organisation, model, equipment, results and detail hash,
// recorded within retryWindow. nil means record a new one.
func (s *Service) retriedInspection(c *gin.Context, in domain.InspectionInput, hash string) (*domain.Inspection, error) {
	list, err := evaluateAs[[]domain.Inspection](s, c, ledger.FnGetInspections, in.ID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	last := list[len(list)-1]
	p, _ := Caller(c)
	at, err := time.Parse(time.RFC3339Nano, last.At)
	if err != nil || time.Since(at) > retryWindow || last.InspectorMSP != p.MSPID ||
		last.Model != in.Model || last.Equipment != in.Equipment || last.DetailHash != hash ||
		jsonArg(last.Results) != jsonArg(in.Results) {
		return nil, nil
	}
	return &last, nil
}

func (s *Service) recordInspection(c *gin.Context) {
	var req inspectionRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	id, err := parseID(req.ID)
	if err != nil {
		s.Fail(c, err)
		return
	}
	req.ID = id
	it, ok := s.requireOwner(c, id)
	if !ok {
		return
	}
	hash, salt := "", []byte(nil)
	if len(req.Detail) > 0 && string(req.Detail) != "null" {
		// salted: the public hash does not confirm a guess of the detail
		salt = detailSalt(id, domain.CategoryInspectionDetail, req.Detail)
		hash = domain.DetailHash(salt, req.Detail)
	}
	if req.Model == "" {
		req.Model = it.Model
	}
	var out inspectionResponse
	prev, err := s.retriedInspection(c, req.InspectionInput, hash)
	switch {
	case err != nil:
		s.Fail(c, err)
		return
	case prev != nil:
		// A re-sent request whose inspection committed (its detail may
		// not have been stored): answer that one, store the detail again.
		out.InspectionResult = domain.InspectionResult{Judgement: prev.Judgement, PlanVersion: prev.PlanVersion, TxID: prev.TxID}
		out.Replayed = true
		SetTx(c, prev.TxID)
	default:
		res, done, err := submitAs[domain.InspectionResult](s, c, ledger.Call{Fn: ledger.FnRecordInspect,
			Args: []string{jsonArg(req.InspectionInput), hash}})
		if err != nil {
			s.Fail(c, err)
			return
		}
		out.InspectionResult, out.TxID = res, done.TxID
	}
	if hash != "" {
		// Own transaction, endorsed by the owner only: a transaction writing
		// both public keys and an implicit collection cannot be endorsed.
		det, err := s.submit(c, ledger.Call{Fn: ledger.FnStoreDetail,
			Args:      []string{id, string(domain.CategoryInspectionDetail)},
			Transient: map[string][]byte{"detail": req.Detail, "salt": salt},
			Orgs:      []string{it.Owner}})
		if err != nil {
			s.logger(c).Error("inspection recorded but its detail was not stored",
				"id", id, "inspectionTx", out.TxID, "err", err.Error())
			s.Fail(c, err, gin.H{"inspection": out})
			return
		}
		out.DetailHash, out.DetailTxID = hash, det.TxID
	}
	c.JSON(http.StatusCreated, out)
}

func (s *Service) release(c *gin.Context) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if _, ok := s.requireOwner(c, id); !ok {
		return
	}
	rel, _, err := submitAs[domain.Release](s, c, ledger.Call{Fn: ledger.FnRelease, Args: []string{id}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		Status domain.Status `json:"status"`
		domain.Release
	}{domain.StatusReleased, rel})
}

type recallRequest struct {
	Reason string `json:"reason"`
}

func (s *Service) recall(c *gin.Context) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	var req recallRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if req.Reason == "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "reason is required"))
		return
	}
	if p, _ := Caller(c); !domain.IsRegulator(p.MSPID, p.Role) {
		if _, ok := s.requireOwner(c, id); !ok {
			return
		}
	} else if _, err := s.item(c, id); err != nil {
		s.Fail(c, err)
		return
	}
	// Descendants are invalidated by the chaincode event, which lists them.
	done, err := s.submit(c, ledger.Call{Fn: ledger.FnRecall, Args: []string{id, req.Reason}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, done.Result)
}

// detailSaltKey keys the salts of private detail hashes:
// IDCHAIN_DETAIL_SALT_KEY when set (keeps a re-sent inspection's hash the
// same across API restarts), else random per process.
var detailSaltKey = func() []byte {
	if k := os.Getenv("IDCHAIN_DETAIL_SALT_KEY"); k != "" {
		return []byte(k)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("no randomness for detail salts: " + err.Error())
	}
	return k
}()

// detailSalt is the 32-byte salt of an item's private detail: an HMAC of
// id, category and detail under detailSaltKey, so it is unguessable
// without the key yet the same for a re-sent request (retriedInspection
// compares hashes). It travels to the chaincode in the transient field
// "salt" and is kept with the detail (chaincode StoreDetail).
func detailSalt(id string, cat domain.Category, detail []byte) []byte {
	m := hmac.New(sha256.New, detailSaltKey)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(cat))
	m.Write([]byte{0})
	m.Write(detail)
	return m.Sum(nil)
}
