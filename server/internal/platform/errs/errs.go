// Package errs is kefu's one error vocabulary. Engines return *Error values (or wrap
// them with fmt.Errorf("...: %w", err)); the HTTP layer maps Kind to a status in one
// place. Code is a stable, dotted identifier clients may switch on ("member.last-owner");
// Message is safe to show to the user; Field names the offending input, if any.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for transport mapping. It is deliberately coarse: the
// stable Code carries the detail.
type Kind int

const (
	Internal        Kind = iota // a bug or an outage; never shown in detail
	Invalid                     // malformed input (400)
	Unauthenticated             // missing or bad credentials (401)
	Forbidden                   // authenticated but not allowed (403)
	NotFound                    // does not exist, or exists in another tenant (404)
	Conflict                    // state conflict (409)
	Unprocessable               // well-formed but violates a rule (422)
	TooManyRequests             // throttled (429)
	TooLarge                    // payload too large (413)
	Unavailable                 // a dependency is down (503)
)

// Error is a classified, user-presentable error.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string
	// RetryAfter is a hint in seconds for TooManyRequests.
	RetryAfter int
	// Fields lists every offending input when there are several (Field is the first).
	Fields []FieldError
	// Err is the underlying cause; it is logged for Internal errors and never shown.
	Err error
}

func (e *Error) Error() string {
	msg := e.Code
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match on Code, so sentinel *Error values can be compared even
// after With* copies.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Code != ""
}

// FieldError is one invalid input among several.
type FieldError struct {
	// Row is the 1-based row of an imported file the error is about (0: none).
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Message string `json:"detail"`
}

// New builds an error of the given kind.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// WithField returns a copy naming the offending input field.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// WithMessage returns a copy with another user-facing message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Wrap returns a copy carrying the cause.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Invalidf is shorthand for a 400 naming a field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: "request.invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unprocessablef is shorthand for a 422 naming a field.
func Unprocessablef(code, field, format string, args ...any) *Error {
	return &Error{Kind: Unprocessable, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// As extracts the *Error in err's chain; anything unclassified is Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: "internal", Message: "Internal error.", Err: err}
}

// KindOf reports the kind of err (Internal when unclassified).
func KindOf(err error) Kind { return As(err).Kind }

// Common errors shared by several engines.
var (
	ErrNotFound     = New(NotFound, "not-found", "The resource does not exist.")
	ErrUnauthorized = New(Unauthenticated, "auth.unauthenticated", "Authentication is required.")
	ErrForbidden    = New(Forbidden, "auth.forbidden", "You do not have permission to do this.")
)
