package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiJSON is the hand-written OpenAPI 3 document of every route.
//
//go:embed openapi.json
var openapiJSON []byte

func (s *Service) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapiJSON)
}
