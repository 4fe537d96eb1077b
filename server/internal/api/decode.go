package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// decode reads a JSON body strictly: one object, no unknown fields, and a 400 that
// names the offending field when a value has the wrong type.
func decode(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.Invalidf("", "A JSON request body is required.")
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.New(errs.Invalid, "request.unsupported-media-type", "Send JSON with Content-Type: application/json.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return errs.Invalidf(te.Field, "%s must be a %s.", fieldOrBody(te.Field), jsonType(kindOf(te.Type)))
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return errs.Invalidf("", "The request body is not valid JSON.")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errs.Invalidf(f, "Unknown field %q.", f)
		default:
			return errs.Invalidf("", "The request body is not valid JSON.")
		}
	}
	if dec.More() {
		return errs.Invalidf("", "The request body must hold a single JSON object.")
	}
	return nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// kindOf names a Go type's JSON kind. A type that reads itself from text (a uuid, a
// time) is a string in JSON, whatever it is in Go.
func kindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string"
	}
	return t.Kind().String()
}

func fieldOrBody(f string) string {
	if f == "" {
		return "The body"
	}
	return f
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "object"
	default:
		return "number"
	}
}

// required reports a missing required field.
func required(field string) error {
	return errs.Invalidf(field, "%s is required.", field)
}

// pathID parses a UUID path parameter. A malformed id cannot name anything, so it is
// a 404 like any other id that does not exist here.
func pathID(c *fiber.Ctx, name string, notFound *errs.Error) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

func queryLimit(c *fiber.Ctx) (int, error) {
	l := c.Query("limit")
	if l == "" {
		return 50, nil
	}
	var n int
	if _, err := fmt.Sscanf(l, "%d", &n); err != nil || n < 1 || n > 200 || fmt.Sprint(n) != l {
		return 0, errs.Invalidf("limit", "limit must be a whole number from 1 to 200.")
	}
	return n, nil
}

// rawJSON embeds stored JSON text as-is in a response.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("{}"), nil
	}
	return []byte(r), nil
}
