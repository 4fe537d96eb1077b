// Package logging builds kefu's slog logger: JSON (or text) with the request id and
// tenant id taken from the context of every record, so any log line written with a
// request's context can be traced to that request and tenant without each call site
// repeating them.
package logging

import (
	"context"
	"io"
	"log/slog"

	"github.com/kefu-io/kefu/tenants"
)

type requestIDKey struct{}

// WithRequestID records the request id for log lines written under ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id recorded in ctx, if any.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// New returns a logger writing to w at level in format "json" or "text".
func New(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(ContextHandler{h})
}

// ContextHandler adds request_id and tenant_id from the record's context.
type ContextHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if t, ok := tenants.FromContext(ctx); ok {
		r.AddAttrs(slog.String("tenant_id", t.String()))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h ContextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ContextHandler{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h ContextHandler) WithGroup(name string) slog.Handler {
	return ContextHandler{h.Handler.WithGroup(name)}
}
