package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// fasthttp answers a connection that sent no request within the read timeout through
// the error handler; it must say 408 (which clients drop quietly), not 400.
func TestRequestTimeoutIs408(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	app := fiber.New(fiber.Config{ErrorHandler: s.errorHandler})
	app.Get("/slow", func(*fiber.Ctx) error { return fiber.ErrRequestTimeout })
	res, err := app.Test(httptest.NewRequest("GET", "/slow", nil))
	if err != nil {
		t.Fatal(err)
	}
	var p Problem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 408 || p.Status != 408 || p.Code != "request.timeout" {
		t.Fatalf("got %d %+v, want 408 request.timeout", res.StatusCode, p)
	}
}
