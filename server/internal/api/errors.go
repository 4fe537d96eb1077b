package api

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Problem is an RFC 9457 problem detail with kefu's stable code.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Errors lists every invalid field when there are several.
	Errors []errs.FieldError `json:"errors,omitempty"`
}

var kindStatus = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Invalid:         http.StatusBadRequest,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Unprocessable:   http.StatusUnprocessableEntity,
	errs.TooManyRequests: http.StatusTooManyRequests,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Unavailable:     http.StatusServiceUnavailable,
}

// tenants/ sits outside server/internal and cannot use errs; its sentinels are
// classified here, beside every other mapping.
var tenantErrors = []struct {
	err error
	e   *errs.Error
}{
	{tenants.ErrNotFound, errs.New(errs.NotFound, "tenant.not-found", "Tenant not found.")},
	{tenants.ErrSuspended, errs.New(errs.Forbidden, "tenant.suspended", "This tenant is suspended.")},
	{tenants.ErrInvalidName, errs.New(errs.Invalid, "request.invalid", tenants.ErrInvalidName.Error()).WithField("name")},
	{tenants.ErrInvalidSlug, errs.New(errs.Invalid, "request.invalid", tenants.ErrInvalidSlug.Error()).WithField("slug")},
	{tenants.ErrSlugTaken, errs.New(errs.Conflict, "tenant.slug-taken", "This slug is already taken.").WithField("slug")},
	{tenants.ErrInvalidTimezone, errs.New(errs.Invalid, "request.invalid", tenants.ErrInvalidTimezone.Error()).WithField("timezone")},
	{tenants.ErrInvalidLocale, errs.New(errs.Invalid, "request.invalid", tenants.ErrInvalidLocale.Error()).WithField("locale")},
	{tenants.ErrInvalidStatus, errs.New(errs.Invalid, "request.invalid", tenants.ErrInvalidStatus.Error()).WithField("status")},
}

// classify turns any error into an *errs.Error.
func classify(err error) *errs.Error {
	var e *errs.Error
	if errors.As(err, &e) {
		return e
	}
	for _, te := range tenantErrors {
		if errors.Is(err, te.err) {
			return te.e
		}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return errs.New(errs.NotFound, "route.not-found", "No such endpoint.")
		case fiber.StatusMethodNotAllowed:
			return &errs.Error{Kind: errs.Invalid, Code: "route.method-not-allowed", Message: "Method not allowed."}
		case fiber.StatusRequestEntityTooLarge:
			return errs.New(errs.TooLarge, "request.too-large", "The request body is too large.")
		case fiber.StatusRequestHeaderFieldsTooLarge:
			return errs.New(errs.TooLarge, "request.headers-too-large", "The request headers are too large.")
		case fiber.StatusUnsupportedMediaType:
			return errs.New(errs.Invalid, "request.unsupported-media-type", "Send JSON with Content-Type: application/json.")
		case fiber.StatusBadRequest:
			return errs.New(errs.Invalid, "request.invalid", fe.Message)
		case fiber.StatusRequestTimeout:
			return &errs.Error{Kind: errs.Invalid, Code: "request.timeout", Message: "No complete request arrived in time."}
		}
		if fe.Code < 500 {
			return &errs.Error{Kind: errs.Invalid, Code: "request.invalid", Message: fe.Message}
		}
	}
	return errs.As(err)
}

// errorHandler is Fiber's one place where errors become responses.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	e := classify(err)
	status := kindStatus[e.Kind]
	var fe *fiber.Error
	if errors.As(err, &fe) && (fe.Code == fiber.StatusMethodNotAllowed || fe.Code == fiber.StatusRequestHeaderFieldsTooLarge ||
		fe.Code == fiber.StatusRequestTimeout) {
		// Statuses no Kind names keep Fiber's code. A 408 is what fasthttp answers on a
		// connection that sent no request within the read timeout; HTTP clients (Go's
		// among them) drop such an idle connection quietly on a 408, but log a 400.
		status = fe.Code
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	p := Problem{
		Type: "urn:kefu:problem:" + e.Code, Title: http.StatusText(status), Status: status,
		Detail: e.Message, Code: e.Code, Field: e.Field, Instance: c.Path(), RequestID: requestID(c),
		Errors: e.Fields,
	}
	if status >= 500 {
		// Internal details go to the log with the request and tenant, never to the client.
		s.log.ErrorContext(c.UserContext(), "request failed", slog.String("route", routePattern(c)), slog.Any("err", err))
		p.Detail = "Internal error."
		if e.Kind == errs.Unavailable {
			p.Detail = e.Message
		}
	}
	if e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	if status == http.StatusMethodNotAllowed {
		c.Set(fiber.HeaderAllow, s.allowedMethods(c.Path()))
	}
	if status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="kefu"`)
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(p, "application/problem+json")
}

// allowedMethods lists the methods registered for path, for a 405's Allow header.
func (s *Server) allowedMethods(path string) string {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/") // routing is not strict about a trailing slash
	}
	segs := strings.Split(path, "/")
	var out []string
	for _, r := range s.routes {
		pat := strings.Split(r.Path, "/")
		if len(pat) != len(segs) || slices.Contains(out, r.Method) {
			continue
		}
		match := true
		for i, p := range pat {
			if p != segs[i] && (!strings.HasPrefix(p, ":") || segs[i] == "") {
				match = false
				break
			}
		}
		if match {
			out = append(out, r.Method)
		}
	}
	return strings.Join(out, ", ")
}
