package httpapi

import (
	"context"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/accounts"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/offline"
)

// Offline signing (issue 15 §7): a user enrolled from its own CSR
// (external account) has every write signed by its own key. The API builds
// the proposal for the user's certificate and returns its digest; the user
// signs and sends it back to be endorsed; the API returns the transaction's
// digest; the user signs and the API submits and waits for the commit. The
// API holds no key of such a user and cannot act in its name.

var fnName = regexp.MustCompile(`^[a-z]+:[A-Z][A-Za-z]+$`)

type prepareRequest struct {
	Fn   string   `json:"fn"` // "contract:Function", e.g. registry:RegisterItems
	Args []string `json:"args"`
}

type signedRequest struct {
	Bytes     []byte `json:"bytes"`     // the proposal or transaction as returned
	Signature []byte `json:"signature"` // ECDSA (ASN.1, low S) over the digest
}

// externalCaller returns the caller's external account and its flow.
func (s *Service) externalCaller(c *gin.Context) (accounts.Account, *offline.Flow, bool) {
	d := s.deps.Enterprises
	if d.Accounts == nil || d.Offline == nil {
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "offline signing is not configured"))
		return accounts.Account{}, nil, false
	}
	p, _ := Caller(c)
	a, ok := d.Accounts.ByName(p.Name)
	if !ok || !a.External {
		s.Fail(c, domain.Errorf(domain.CodeForbidden, "offline signing is for users enrolled from their own CSR; %s signs through the API", p.Name))
		return a, nil, false
	}
	f := d.Offline(a.Org)
	if f == nil {
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "no peer of %s for offline signing", a.Org))
		return a, nil, false
	}
	return a, f, true
}

func (s *Service) offlinePrepare(c *gin.Context) {
	a, f, ok := s.externalCaller(c)
	if !ok {
		return
	}
	var req prepareRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if !fnName.MatchString(req.Fn) {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "fn must be contract:Function"))
		return
	}
	p, err := f.Prepare(a.Org, []byte(a.CertPEM), req.Fn, req.Args, nil)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"txId": p.TxID, "bytes": p.Proposal, "digest": p.Digest})
}

func (s *Service) offlineEndorse(c *gin.Context) {
	a, f, ok := s.externalCaller(c)
	if !ok {
		return
	}
	var req signedRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), submitTimeout)
	defer cancel()
	e, err := f.Endorse(ctx, a.Org, []byte(a.CertPEM), req.Bytes, req.Signature)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"txId": e.TxID, "bytes": e.Transaction, "digest": e.Digest, "result": string(e.Result)})
}

func (s *Service) offlineSubmit(c *gin.Context) {
	a, f, ok := s.externalCaller(c)
	if !ok {
		return
	}
	var req signedRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), submitTimeout)
	defer cancel()
	done, err := f.Submit(ctx, a.Org, []byte(a.CertPEM), req.Bytes, req.Signature)
	if err != nil {
		s.Fail(c, err)
		return
	}
	SetTx(c, done.TxID)
	status := http.StatusOK
	if !done.Valid {
		status = http.StatusConflict
	} else {
		s.afterOfflineCommit(ctx, c, done, req.Bytes)
	}
	c.JSON(status, gin.H{"txId": done.TxID, "valid": done.Valid, "code": done.Code})
}

// afterOfflineCommit runs the after-commit path for a valid offline-signed
// transaction: the block comes from the commit (offline.Flow.Submit), the
// event from the transaction the caller signed and the orderer accepted
// (the endorsers signed its event; a changed byte fails their signatures
// and the transaction would not be valid).
func (s *Service) afterOfflineCommit(ctx context.Context, c *gin.Context, done *offline.Committed, tx []byte) {
	ev, _, err := ledger.TransactionEvent(tx)
	if err != nil {
		// Committed, but its event unreadable here: the event listener
		// still drops what it changed.
		s.logger(c).Warn("offline transaction committed; its chaincode event is unreadable", "txId", done.TxID, "err", err.Error())
	}
	s.afterCommit(ctx, ledger.Committed{TxID: done.TxID, Block: done.Block, Result: done.Result, Event: ev})
}
