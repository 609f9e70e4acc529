package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

// MaxBatch is the largest registration or event batch one request may carry.
const MaxBatch = domain.MaxRequestBatch

type prefixRequest struct {
	Prefix     string `json:"prefix"`
	Owner      string `json:"owner"`
	Enterprise string `json:"enterprise"` // a USCC: the owner org follows from it (enterprises.go)
}

func (s *Service) assignPrefix(c *gin.Context) {
	var req prefixRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	prefix, err := identifier.ParsePrefix(req.Prefix)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if req.Enterprise != "" && req.Owner != "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "give owner or enterprise, not both"))
		return
	}
	if req.Owner == "" && req.Enterprise == "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "owner (an MSP ID) or enterprise (a USCC) is required"))
		return
	}
	// An assigned prefix is a CONFLICT, whoever owns it. The
	// chaincode is idempotent for the same owner; refuse before submitting
	// and, for a concurrent assignment, by the record's own tx id.
	if cur, err := s.prefix(c, prefix); err == nil {
		s.Fail(c, prefixTaken(cur))
		return
	} else if domain.CodeOf(err) != domain.CodeNotFound {
		s.Fail(c, err)
		return
	}
	if req.Enterprise != "" {
		s.assignEnterprisePrefix(c, prefix, req.Enterprise)
		return
	}
	rec, done, err := submitAs[domain.Prefix](s, c, ledger.Call{Fn: ledger.FnAssignPrefix, Args: []string{prefix, req.Owner}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if rec.TxID != "" && rec.TxID != done.TxID {
		s.Fail(c, prefixTaken(rec))
		return
	}
	writeRaw(c, http.StatusCreated, done.Result)
}

// prefix reads a prefix assignment (NOT_FOUND when unassigned).
func (s *Service) prefix(c *gin.Context, prefix string) (domain.Prefix, error) {
	return evaluateAs[domain.Prefix](s, c, ledger.FnGetPrefix, prefix)
}

func prefixTaken(p domain.Prefix) error {
	return domain.Errorf(domain.CodeConflict, "prefix %s is already assigned to %s", p.Prefix, p.Owner)
}

func (s *Service) listPrefixes(c *gin.Context) {
	owner := c.Query("owner")
	if owner == "" {
		p, _ := Caller(c)
		owner = p.MSPID
	}
	list, err := evaluateAs[[]domain.Prefix](s, c, ledger.FnListPrefixes, owner)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"records": nonNil(list)})
}

type itemsRequest struct {
	Items []domain.ItemInput `json:"items"`
}

func (s *Service) registerItems(c *gin.Context) {
	var req itemsRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if len(req.Items) == 0 || len(req.Items) > MaxBatch {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "items: want 1-%d, got %d", MaxBatch, len(req.Items)))
		return
	}
	if preferAsync(c) && s.deps.Jobs != nil && s.deps.Registrar != nil {
		s.registerAsync(c, req.Items)
		return
	}
	var res domain.BatchResult
	var err error
	if s.deps.Registrar != nil {
		p, _ := Caller(c)
		res, err = s.deps.Registrar.Register(c, p.Name, req.Items)
	} else {
		var done ledger.Committed
		res, done, err = submitAs[domain.BatchResult](s, c, ledger.Call{Fn: ledger.FnRegisterItems, Args: []string{jsonArg(req.Items)}})
		res.TxID = done.TxID
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	if res.TxID != "" {
		SetTx(c, res.TxID)
	}
	c.JSON(batchStatus(res), res)
}

func (s *Service) resolve(c *gin.Context)    { s.cachedRead(c, ledger.FnGetItem, hotItem) }
func (s *Service) provenance(c *gin.Context) { s.cachedRead(c, ledger.FnGetProvenance, hotProv) }

// cachedRead answers the ledger's JSON of fn for the id (the same for every
// caller): from the in-process cache, else Redis, else the ledger.
func (s *Service) cachedRead(c *gin.Context, fn, variant string) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.serveHot(c, id, variant, func() ([]byte, error) { return s.read(c, fn, id) })
}

func (s *Service) traceForward(c *gin.Context)  { s.trace(c, ledger.FnTraceForward) }
func (s *Service) traceBackward(c *gin.Context) { s.trace(c, ledger.FnTraceBackward) }

func (s *Service) trace(c *gin.Context, fn string) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	depth, err := intQuery(c, "maxDepth", 0, 64)
	if err != nil {
		s.Fail(c, err)
		return
	}
	limit, err := intQuery(c, "limit", 0, 10000)
	if err != nil {
		s.Fail(c, err)
		return
	}
	b, err := s.evaluate(c, fn, id, strconv.Itoa(depth), strconv.Itoa(limit))
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, b)
}

// intQuery reads an optional integer query parameter in [0, max]; absent is 0
// (the chaincode's default).
func intQuery(c *gin.Context, name string, def, max int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, domain.Errorf(domain.CodeInvalid, "%s must be an integer from 0 to %d", name, max)
	}
	return n, nil
}

type eventsRequest struct {
	Events []domain.EventInput `json:"events"`
}

func (s *Service) recordEvents(c *gin.Context) {
	var req eventsRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if len(req.Events) == 0 || len(req.Events) > MaxBatch {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "events: want 1-%d, got %d", MaxBatch, len(req.Events)))
		return
	}
	res, err := s.recordEventBatches(c, req.Events)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(batchStatus(res.BatchResult), res.BatchResult)
}

// maxTxEvents is the most events one RecordEvents transaction takes
// (chaincode MaxBatch).
const maxTxEvents = domain.MaxTxBatch

// eventBatches is the outcome of events recorded in one or more
// transactions: per-event results in input order, TxID the last one.
type eventBatches struct {
	domain.BatchResult
	txIDs []string
}

// recordEventBatches records events in order, in transactions of at most
// maxTxEvents. A failure of the first transaction is the error (nothing
// was written); after that, the events not recorded are rejected with it.
func (s *Service) recordEventBatches(c *gin.Context, events []domain.EventInput) (eventBatches, error) {
	var out eventBatches
	for start := 0; start < len(events); start += maxTxEvents {
		chunk := events[start:min(start+maxTxEvents, len(events))]
		res, err := s.recordEventsTx(c, chunk)
		if err != nil && start == 0 {
			return out, err
		}
		if err != nil {
			s.logger(c).Error("events not recorded after earlier batches committed",
				"recorded", start, "of", len(events), "err", err.Error())
			for _, e := range events[start:] {
				out.Results = append(out.Results, domain.ItemResult{ID: e.ID, Status: domain.ResultRejected, Error: asAPIError(err)})
			}
			break
		}
		out.Results = append(out.Results, res.Results...)
		out.TxID = res.TxID
		out.txIDs = append(out.txIDs, res.TxID)
	}
	return out, nil
}

func (s *Service) recordEventsTx(c *gin.Context, events []domain.EventInput) (domain.BatchResult, error) {
	res, done, err := submitAs[domain.BatchResult](s, c, ledger.Call{Fn: ledger.FnRecordEvents, Args: []string{jsonArg(events)}})
	if err != nil {
		return res, err
	}
	if len(res.Results) != len(events) {
		return res, fmt.Errorf("%s: %d results for %d events", ledger.FnRecordEvents, len(res.Results), len(events))
	}
	res.TxID = done.TxID
	return res, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
