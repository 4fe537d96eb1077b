package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiDoc is the OpenAPI 3 description of every route; TestOpenAPIMatchesRoutes
// keeps it and the route table in step.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Type("json", "utf-8")
	return c.Send(openapiDoc)
}
