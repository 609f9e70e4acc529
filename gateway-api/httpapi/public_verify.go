package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// verify is the public JSON verification of an item (cached). An unknown
// but well-formed id answers 404 with "genuine": false.
func (s *Service) verify(c *gin.Context) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	b, err := s.read(c, ledger.FnVerify, id)
	if err != nil {
		if domain.CodeOf(err) == domain.CodeNotFound {
			s.Fail(c, err, gin.H{"id": id, "genuine": false})
			return
		}
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, b)
}
