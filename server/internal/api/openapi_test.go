package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/api"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// The OpenAPI document (openapi.json, served at /api/v1/openapi.json) is the contract
// the console's TypeScript client is generated from. These tests keep it true: every
// route is documented and every operation is a route, with the route's access rule;
// the document is internally sound; real responses match the documented schemas; and
// the documented request bodies and query parameters are what the handlers decode.

const openAPIFile = "server/internal/api/openapi.json"

// accessNames are the x-kefu-access values of api.Access.
var accessNames = map[api.Access]string{
	api.Public:   "public",
	api.User:     "user",
	api.Operator: "operator",
	api.Member:   "member",
	api.Tenant:   "tenant",
}

// schemaNames are the component schemas the TypeScript client imports by name;
// renaming one breaks the client.
var schemaNames = []string{
	"User", "Me", "MembershipSummary", "Tenant", "TenantAccess", "Settings", "TokenPair",
	"SignupResponse", "Member", "Invitation", "InvitationPreview", "AcceptInvitationResponse",
	"Role", "Permission", "PermissionName", "ApiKey", "ApiKeyCreated", "AuditEntry", "Enrollment",
	"RecoveryCodes", "Problem", "MemberList", "InvitationList", "RoleList", "PermissionList",
	"ApiKeyList", "AuditEntryList", "TenantList",
}

// ---- the document -----------------------------------------------------------------

// oapi is the served OpenAPI document, decoded generically.
type oapi struct{ root map[string]any }

// oaOp is one operation: method (upper case) and OpenAPI path template.
type oaOp struct {
	method, path string
	op, item     map[string]any
}

func (o oaOp) String() string { return o.method + " " + o.path }

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func fetchOpenAPI(t *testing.T, e *kefutest.Env) *oapi {
	t.Helper()
	r := e.Call("GET", "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d: %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: Content-Type %q, want application/json", ct)
	}
	var root map[string]any
	if err := json.Unmarshal(r.Body, &root); err != nil {
		t.Fatalf("%s is not a JSON object: %v", openAPIFile, err)
	}
	return &oapi{root: root}
}

func startOpenAPI(t *testing.T) (*kefutest.Env, *oapi) {
	t.Helper()
	e := kefutest.Start(t, kefutest.Backend{Name: "sqlite"})
	return e, fetchOpenAPI(t, e)
}

// operations lists every operation, by path then method.
func (d *oapi) operations() []oaOp {
	paths, _ := d.root["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	var out []oaOp
	for _, p := range keys {
		item, _ := paths[p].(map[string]any)
		for _, m := range oaMethods {
			if op, ok := item[m].(map[string]any); ok {
				out = append(out, oaOp{method: strings.ToUpper(m), path: p, op: op, item: item})
			}
		}
	}
	return out
}

func (d *oapi) operation(method, path string) (oaOp, bool) {
	paths, _ := d.root["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return oaOp{method: strings.ToUpper(method), path: path, op: op, item: item}, ok
}

// pointer follows a local JSON pointer ("#/components/schemas/User").
func (d *oapi) pointer(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q is not a local reference", ref)
	}
	var cur any = d.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return cur, nil
}

// resolve follows $ref (repeatedly) and returns the object it ends at.
func (d *oapi) resolve(v any) (map[string]any, error) {
	for range 32 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%v is not an object", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		var err error
		if v, err = d.pointer(ref); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("$ref cycle")
}

// schema resolves a schema and merges its allOf parts (properties, required, type).
func (d *oapi) schema(v any) (map[string]any, error) {
	s, err := d.resolve(v)
	if err != nil {
		return nil, err
	}
	all, ok := s["allOf"].([]any)
	if !ok {
		return s, nil
	}
	out := map[string]any{}
	for k, v := range s {
		if k != "allOf" {
			out[k] = v
		}
	}
	props := map[string]any{}
	if p, ok := s["properties"].(map[string]any); ok {
		for k, v := range p {
			props[k] = v
		}
	}
	req, _ := s["required"].([]any)
	for _, part := range all {
		ps, err := d.schema(part)
		if err != nil {
			return nil, err
		}
		if p, ok := ps["properties"].(map[string]any); ok {
			for k, v := range p {
				props[k] = v
			}
		}
		r, _ := ps["required"].([]any)
		req = append(req, r...)
		if _, ok := out["type"]; !ok && ps["type"] != nil {
			out["type"] = ps["type"]
		}
		if ap, ok := ps["additionalProperties"]; ok {
			out["additionalProperties"] = ap
		}
	}
	out["properties"], out["required"] = props, req
	return out, nil
}

// params returns an operation's parameters (path-item ones, overridden by the
// operation's), resolved, keyed by "in name".
func (d *oapi) params(o oaOp) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, list := range []any{o.item["parameters"], o.op["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			m, err := d.resolve(p)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(m["in"])+" "+fmt.Sprint(m["name"])] = m
		}
	}
	return out, nil
}

// requestSchema is the JSON schema of an operation's request body (nil without one).
func (d *oapi) requestSchema(o oaOp) (map[string]any, error) {
	if o.op["requestBody"] == nil {
		return nil, nil
	}
	rb, err := d.resolve(o.op["requestBody"])
	if err != nil {
		return nil, err
	}
	content, _ := rb["content"].(map[string]any)
	mt, _ := content["application/json"].(map[string]any)
	if mt == nil && content["multipart/form-data"] != nil && len(content) == 1 {
		return nil, nil // file uploads: not a JSON body to probe
	}
	if mt == nil {
		return nil, errors.New("request body without application/json content")
	}
	return d.schema(mt["schema"])
}

// public reports whether an operation may be called without credentials.
func public(o oaOp) bool {
	sec, ok := o.op["security"].([]any)
	if !ok {
		return false
	}
	if len(sec) == 0 {
		return true
	}
	for _, req := range sec {
		if m, ok := req.(map[string]any); ok && len(m) == 0 {
			return true
		}
	}
	return false
}

var fiberParamRE = regexp.MustCompile(`^:([A-Za-z_][A-Za-z0-9_]*)$`)

// openAPIPath turns a Fiber route path into an OpenAPI template (:id → {id}).
func openAPIPath(p string) (string, error) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			m := fiberParamRE.FindStringSubmatch(s)
			if m == nil {
				return "", fmt.Errorf("route %s: segment %q is not a plain :name parameter; teach openAPIPath about it", p, s)
			}
			segs[i] = "{" + m[1] + "}"
		} else if s == "*" && i == len(segs)-1 {
			segs[i] = "{path}" // a trailing wildcard: the rest of the path
		} else if strings.ContainsAny(s, "*+?{}") {
			return "", fmt.Errorf("route %s: segment %q has wildcard or optional syntax; teach openAPIPath about it", p, s)
		}
	}
	return strings.Join(segs, "/"), nil
}

var templateParamRE = regexp.MustCompile(`\{([^{}]+)\}`)

// ---- 1–4: the document and the route table match --------------------------------------

func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	e, d := startOpenAPI(t)

	registered := map[string]bool{}
	for _, r := range e.Main.HTTP.Routes() {
		p, err := openAPIPath(r.Path)
		if err != nil {
			t.Error(err)
			continue
		}
		key := r.Method + " " + p
		registered[key] = true
		access, ok := accessNames[r.Access]
		if !ok {
			t.Errorf("%s: access %d has no x-kefu-access name; add it to accessNames", key, r.Access)
		}
		o, ok := d.operation(r.Method, p)
		if !ok {
			hint := ""
			if r.Perm != "" {
				hint = fmt.Sprintf(`, "x-kefu-permission": %q`, r.Perm)
			}
			t.Errorf("route %s %s is not documented: add the operation %q to %s "+
				`(operationId, summary, tags, security, parameters, requestBody, responses, "x-kefu-access": %q%s)`,
				r.Method, r.Path, key, openAPIFile, access, hint)
			continue
		}
		if got, _ := o.op["x-kefu-access"].(string); got != access {
			t.Errorf("%s: x-kefu-access %q, but the route's access is %q", key, got, access)
		}
		if got, _ := o.op["x-kefu-permission"].(string); got != string(r.Perm) {
			t.Errorf("%s: x-kefu-permission %q, but the route needs %q", key, got, r.Perm)
		}
		if desc, _ := o.op["description"].(string); r.Perm != "" && !strings.Contains(desc, "`"+string(r.Perm)+"`") {
			t.Errorf("%s: the description does not name the required permission `%s`", key, r.Perm)
		}
		if public(o) != (r.Access == api.Public) {
			t.Errorf("%s: security %v does not match the route's access %q", key, o.op["security"], access)
		}
	}

	for _, o := range d.operations() {
		if !registered[o.String()] {
			t.Errorf("%s documents %s, which is not a registered route: remove the operation or register the route", openAPIFile, o)
		}
		// Path parameters: exactly the template's, each required.
		ps, err := d.params(o)
		if err != nil {
			t.Errorf("%s: parameters: %v", o, err)
			continue
		}
		want := map[string]bool{}
		for _, m := range templateParamRE.FindAllStringSubmatch(o.path, -1) {
			want[m[1]] = true
			p, ok := ps["path "+m[1]]
			if !ok {
				t.Errorf("%s: path parameter %q is not declared", o, m[1])
				continue
			}
			if p["required"] != true {
				t.Errorf("%s: path parameter %q must be required: true", o, m[1])
			}
			if p["schema"] == nil {
				t.Errorf("%s: path parameter %q has no schema", o, m[1])
			}
		}
		for k := range ps {
			if name, ok := strings.CutPrefix(k, "path "); ok && !want[name] {
				t.Errorf("%s: declares path parameter %q, which the path does not have", o, name)
			}
		}
	}
}

// ---- 5, 6 and the rest of the document's own consistency --------------------------------

func TestOpenAPIDocumentIsSound(t *testing.T) {
	t.Parallel()
	_, d := startOpenAPI(t)
	root := d.root

	if root["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", root["openapi"])
	}
	info, _ := root["info"].(map[string]any)
	if info["title"] != "kefu API" || info["version"] != "1" || info["description"] == nil {
		t.Errorf("info = title %v, version %v; want kefu API, 1, with a description", info["title"], info["version"])
	}
	if got := fmt.Sprint(root["servers"]); got != "[map[url:/]]" {
		t.Errorf("servers = %s, want [{url: /}]", got)
	}
	comps, _ := root["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	if b, _ := schemes["bearerAuth"].(map[string]any); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("components.securitySchemes.bearerAuth = %v, want an HTTP bearer scheme", b)
	}
	tags := map[string]bool{}
	for _, tg := range root["tags"].([]any) {
		tags[fmt.Sprint(tg.(map[string]any)["name"])] = true
	}
	schemas, _ := comps["schemas"].(map[string]any)
	for _, n := range schemaNames {
		if schemas[n] == nil {
			t.Errorf("components.schemas.%s is missing (the TypeScript client uses the name)", n)
		}
	}

	// Every $ref resolves, and every object schema's required fields are declared.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, err := d.pointer(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			if req, ok := x["required"].([]any); ok {
				props, _ := x["properties"].(map[string]any)
				for _, r := range req {
					if _, ok := props[fmt.Sprint(r)]; !ok && x["allOf"] == nil {
						t.Errorf("%s: required field %v is not among the properties", at, r)
					}
				}
			}
			for k, v := range x {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range x {
				walk(v, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(root, "#")

	opIDRE := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	ids := map[string]string{}
	for _, o := range d.operations() {
		id, _ := o.op["operationId"].(string)
		switch {
		case !opIDRE.MatchString(id):
			t.Errorf("%s: operationId %q is not camelCase", o, id)
		case ids[id] != "":
			t.Errorf("%s: operationId %q is also %s's", o, id, ids[id])
		}
		ids[id] = o.String()
		if s, _ := o.op["summary"].(string); strings.TrimSpace(s) == "" {
			t.Errorf("%s: no summary", o)
		}
		ts, _ := o.op["tags"].([]any)
		if len(ts) == 0 {
			t.Errorf("%s: no tags", o)
		}
		for _, tg := range ts {
			if !tags[fmt.Sprint(tg)] {
				t.Errorf("%s: tag %v is not declared in tags", o, tg)
			}
		}
		access, _ := o.op["x-kefu-access"].(string)
		if !slices.Contains([]string{"public", "user", "operator", "member", "tenant"}, access) {
			t.Errorf("%s: x-kefu-access %q is not public, user, operator, member or tenant", o, access)
		}
		if _, ok := o.op["security"].([]any); !ok {
			t.Errorf("%s: no security (use [] for public operations)", o)
		} else if !public(o) && fmt.Sprint(o.op["security"]) != "[map[bearerAuth:[]]]" {
			t.Errorf("%s: security %v, want [{bearerAuth: []}]", o, o.op["security"])
		}
		perm, _ := o.op["x-kefu-permission"].(string)
		if (access == "tenant") != (perm != "") {
			t.Errorf("%s: x-kefu-permission %q with x-kefu-access %q (tenant operations, and only they, name a permission)", o, perm, access)
		}
		if perm != "" {
			if _, ok := authz.ParsePermission(perm); !ok {
				t.Errorf("%s: x-kefu-permission %q is not in the permission catalogue", o, perm)
			}
		}

		responses, _ := o.op["responses"].(map[string]any)
		success := false
		for code, r := range responses {
			resp, err := d.resolve(r)
			if err != nil {
				t.Errorf("%s %s: %v", o, code, err)
				continue
			}
			content, _ := resp["content"].(map[string]any)
			switch {
			case code == "101":
				success = true // a WebSocket upgrade
			case code == "204":
				success = true
				if content != nil {
					t.Errorf("%s: 204 with content", o)
				}
			case code[0] == '2':
				success = true
				if len(content) == 0 {
					t.Errorf("%s: %s without content", o, code)
				}
			case code[0] == '4':
				mt, _ := content["application/problem+json"].(map[string]any)
				if len(content) != 1 || mt == nil || fmt.Sprint(mt["schema"]) != "map[$ref:#/components/schemas/Problem]" {
					t.Errorf("%s: %s must be application/problem+json with the Problem schema", o, code)
				}
				if code == "429" {
					if h, _ := resp["headers"].(map[string]any); h["Retry-After"] == nil {
						t.Errorf("%s: 429 without a Retry-After header", o)
					}
				}
			}
		}
		if !success {
			t.Errorf("%s: no success response", o)
		}

		s, err := d.requestSchema(o)
		if err != nil {
			t.Errorf("%s: %v", o, err)
		} else if s != nil && (s["type"] != "object" || s["additionalProperties"] != false) {
			t.Errorf("%s: the request body schema must be an object with additionalProperties: false (the server refuses unknown fields)", o)
		}
	}

	// Enumerations copied from the server stay in step with it.
	var catalogue []any
	for _, p := range authz.Catalogue {
		catalogue = append(catalogue, string(p.Name))
	}
	if pn, _ := schemas["PermissionName"].(map[string]any); !reflect.DeepEqual(pn["enum"], catalogue) {
		t.Errorf("components.schemas.PermissionName.enum = %v, want the catalogue %v", pn["enum"], catalogue)
	}
	var locales []any
	for _, l := range tenants.Locales {
		locales = append(locales, l)
	}
	for name, s := range schemas {
		props, _ := s.(map[string]any)["properties"].(map[string]any)
		if loc, ok := props["locale"].(map[string]any); ok && !reflect.DeepEqual(loc["enum"], locales) {
			t.Errorf("components.schemas.%s.locale enum = %v, want tenants.Locales %v", name, loc["enum"], locales)
		}
	}
}

// ---- 7: real responses match the documented schemas -----------------------------------

// conform reports where v does not match schema. It knows the JSON Schema the document
// uses: $ref, allOf, type (a name or a list), properties, required,
// additionalProperties, items, enum, const and the formats uuid, date-time, email, uri.
// A field the schema does not declare is an error unless additionalProperties allows it.
func (d *oapi) conform(schema, v any, at string) []string {
	s, err := d.schema(schema)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	var types []string
	switch ty := s["type"].(type) {
	case string:
		types = []string{ty}
	case []any:
		for _, x := range ty {
			types = append(types, fmt.Sprint(x))
		}
	}
	kind := jsonKind(v)
	if len(types) > 0 && !slices.Contains(types, kind) && !(kind == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: %s, documented as %s", at, kind, strings.Join(types, " or "))}
	}
	var out []string
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(x any) bool { return reflect.DeepEqual(x, v) }) {
		out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, v) {
		out = append(out, fmt.Sprintf("%s: %v, documented as the constant %v", at, v, c))
	}
	if str, ok := v.(string); ok {
		if msg := badFormat(fmt.Sprint(s["format"]), str); msg != "" {
			out = append(out, fmt.Sprintf("%s: %q %s", at, str, msg))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		extra := s["additionalProperties"]
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				out = append(out, d.conform(ps, x[k], at+"."+k)...)
			} else if m, ok := extra.(map[string]any); ok {
				out = append(out, d.conform(m, x[k], at+"."+k)...)
			} else if props != nil && extra != true {
				out = append(out, fmt.Sprintf("%s: field %q is not in the documented schema", at, k))
			}
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[fmt.Sprint(r)]; !ok {
				out = append(out, fmt.Sprintf("%s: required field %q is missing", at, r))
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, el := range x {
				out = append(out, d.conform(items, el, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return out
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func badFormat(format, s string) string {
	switch format {
	case "uuid":
		if _, err := uuid.Parse(s); err != nil || len(s) != 36 {
			return "is not a uuid"
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return "is not an RFC 3339 date-time"
		}
	case "email":
		if i := strings.LastIndexByte(s, '@'); i < 1 || i == len(s)-1 {
			return "is not an email address"
		}
	case "uri":
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return "is not an absolute URI"
		}
	}
	return ""
}

// checkResponse checks a real response against the operation that answered it: the
// status is documented, and so is the media type; a JSON body conforms to the schema; a
// problem's code is named in the documented description of its status.
func (d *oapi) checkResponse(t *testing.T, method, path string, res *kefutest.Resp) {
	t.Helper()
	o, ok := d.operation(method, path)
	if !ok {
		t.Errorf("%s %s is not documented", method, path)
		return
	}
	responses, _ := o.op["responses"].(map[string]any)
	code := strconv.Itoa(res.Status)
	raw, ok := responses[code]
	if !ok {
		raw, ok = responses["default"] // OpenAPI: any status not listed
	}
	if !ok {
		t.Errorf("%s answered %d, which the document does not list for it: %s", o, res.Status, bytes.TrimSpace(res.Body))
		return
	}
	resp, err := d.resolve(raw)
	if err != nil {
		t.Errorf("%s %s: %v", o, code, err)
		return
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(bytes.TrimSpace(res.Body)) != 0 {
			t.Errorf("%s → %d is documented without a body, but has %s", o, res.Status, res.Body)
		}
		return
	}
	mediaType, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	mt, ok := content[mediaType].(map[string]any)
	if !ok {
		mt, ok = content["*/*"].(map[string]any)
	}
	if !ok {
		t.Errorf("%s → %d: Content-Type %q is not among the documented %v", o, res.Status, mediaType, slices.Sorted(maps.Keys(content)))
		return
	}
	if mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
		return
	}
	var body any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Errorf("%s → %d: body is not JSON: %v", o, res.Status, err)
		return
	}
	for _, msg := range d.conform(mt["schema"], body, "body") {
		t.Errorf("%s → %d: %s (update %s or the handler)", o, res.Status, msg, openAPIFile)
	}
	if res.Status >= 400 && mediaType == "application/problem+json" { // a connector's own answers are not ours
		desc, _ := raw.(map[string]any)["description"].(string) // the operation's own description wins
		if desc == "" {
			desc, _ = resp["description"].(string)
		}
		if pc, _ := body.(map[string]any)["code"].(string); !strings.Contains(desc, "`"+pc+"`") {
			t.Errorf("%s → %d: the documented description does not mention the code `%s`", o, res.Status, pc)
		}
	}
}

// TestOpenAPIResponsesConform walks the API as a console would, and checks every
// response (successes and a sample of errors) against the document.
func TestOpenAPIResponsesConform(t *testing.T) {
	t.Parallel()
	e, d := startOpenAPI(t)
	ctx := context.Background()

	// call sends a request to path (the concrete form of the documented docPath), wants
	// the status and checks the response against the document.
	call := func(method, docPath, path, token string, body any, want int) *kefutest.Resp {
		t.Helper()
		r := e.Call(method, path, token, body)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
		}
		d.checkResponse(t, method, docPath, r)
		return r
	}
	const T = "/api/v1/tenants/{tenant_id}"

	call("GET", "/healthz", "/healthz", "", nil, http.StatusOK)
	call("GET", "/readyz", "/readyz", "", nil, http.StatusOK)
	call("GET", "/metrics", "/metrics", "", nil, http.StatusOK)
	call("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", nil, http.StatusOK)

	const email, name = "owner@conform.test", "Conformance Owner"
	pw := kefutest.Password
	su := call("POST", "/api/v1/signup", "/api/v1/signup", "", map[string]string{
		"tenant_name": "Conform Co", "name": name, "email": email, "password": pw}, http.StatusCreated)
	tid := su.Str("tenant.id")
	tp := "/api/v1/tenants/" + tid
	tok := call("POST", "/api/v1/auth/login", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw}, http.StatusOK).Str("access_token")
	call("POST", "/api/v1/auth/refresh", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": su.Str("refresh_token")}, http.StatusOK)

	call("GET", "/api/v1/me", "/api/v1/me", tok, nil, http.StatusOK)
	call("PATCH", "/api/v1/me", "/api/v1/me", tok, map[string]string{"name": name}, http.StatusOK)

	call("GET", T, tp, tok, nil, http.StatusOK)
	call("GET", T+"/settings", tp+"/settings", tok, nil, http.StatusOK)
	call("PATCH", T+"/settings", tp+"/settings", tok, map[string]any{"timezone": "Asia/Shanghai", "locale": "en"}, http.StatusOK)
	call("GET", T+"/permissions", tp+"/permissions", tok, nil, http.StatusOK)

	role := call("POST", T+"/roles", tp+"/roles", tok, map[string]any{
		"name": "triage", "description": "Reads members.", "permissions": []string{"members:read"}}, http.StatusCreated).Str("id")
	call("GET", T+"/roles/{role_id}", tp+"/roles/"+role, tok, nil, http.StatusOK)
	call("GET", T+"/roles/{role_id}", tp+"/roles/admin", tok, nil, http.StatusOK)
	call("PATCH", T+"/roles/{role_id}", tp+"/roles/"+role, tok, map[string]any{"description": "Reads the member list."}, http.StatusOK)
	call("GET", T+"/roles", tp+"/roles", tok, nil, http.StatusOK)

	kr := call("POST", T+"/api-keys", tp+"/api-keys", tok, map[string]string{"name": "CI", "role": "viewer"}, http.StatusCreated)
	key, keyID := kr.Str("key"), kr.Str("id")
	call("GET", T, tp, key, nil, http.StatusOK) // an API key's view, and a last_used_at
	call("GET", T+"/api-keys", tp+"/api-keys", tok, nil, http.StatusOK)
	// A role without permissions: TenantAccess.permissions is null, not [].
	empty := call("POST", T+"/roles", tp+"/roles", tok, map[string]any{"name": "nothing"}, http.StatusCreated).Str("id")
	ek := call("POST", T+"/api-keys", tp+"/api-keys", tok, map[string]string{"name": "Idle", "role": "nothing"}, http.StatusCreated)
	call("GET", T, tp, ek.Str("key"), nil, http.StatusOK)
	call("DELETE", T+"/api-keys/{key_id}", tp+"/api-keys/"+ek.Str("id"), tok, nil, http.StatusNoContent)
	call("DELETE", T+"/roles/{role_id}", tp+"/roles/"+empty, tok, nil, http.StatusNoContent)

	const invitee = "agent@conform.test"
	call("POST", T+"/invitations", tp+"/invitations", tok, map[string]string{"email": invitee, "role": "agent"}, http.StatusCreated)
	call("GET", T+"/invitations", tp+"/invitations", tok, nil, http.StatusOK)
	itok := invitationToken(t, e, invitee)
	call("POST", "/api/v1/invitations/lookup", "/api/v1/invitations/lookup", "", map[string]string{"token": itok}, http.StatusOK)
	agent := call("POST", "/api/v1/invitations/accept", "/api/v1/invitations/accept", "",
		map[string]string{"token": itok, "name": "Agent", "password": pw}, http.StatusCreated)
	if agent.Str("access_token") == "" {
		t.Error("accepting as a new account returned no session")
	}
	inv := call("POST", T+"/invitations", tp+"/invitations", tok, map[string]string{"email": "later@conform.test", "role": "viewer"}, http.StatusCreated).Str("id")
	call("DELETE", T+"/invitations/{invitation_id}", tp+"/invitations/"+inv, tok, nil, http.StatusNoContent)

	var ownerMember, agentMember string
	for _, m := range call("GET", T+"/members", tp+"/members", tok, nil, http.StatusOK).Items() {
		switch m["email"] {
		case email:
			ownerMember, _ = m["id"].(string)
		case invitee:
			agentMember, _ = m["id"].(string)
		}
	}
	call("PATCH", T+"/members/{member_id}", tp+"/members/"+agentMember, tok, map[string]string{"role": "triage"}, http.StatusOK)
	call("DELETE", T+"/roles/{role_id}", tp+"/roles/"+role, tok, nil, http.StatusConflict) // role.in-use
	call("DELETE", T+"/members/{member_id}", tp+"/members/"+agentMember, tok, nil, http.StatusNoContent)
	call("DELETE", T+"/roles/{role_id}", tp+"/roles/"+role, tok, nil, http.StatusNoContent)
	call("DELETE", T+"/api-keys/{key_id}", tp+"/api-keys/"+keyID, tok, nil, http.StatusNoContent)
	call("GET", T+"/api-keys", tp+"/api-keys", tok, nil, http.StatusOK) // with revoked_at
	call("GET", T+"/audit-log", tp+"/audit-log?limit=100", tok, nil, http.StatusOK)
	call("GET", T+"/audit-log", tp+"/audit-log?action=role.created", tok, nil, http.StatusOK)

	// Channels, conversations, the widget and webhooks.
	call("GET", T+"/connectors", tp+"/connectors", tok, nil, http.StatusOK)
	line := call("POST", T+"/channels", tp+"/channels", tok, map[string]any{"connector": "test", "name": "Line", "config": map[string]any{"token": "conform-token"}}, http.StatusCreated).Str("id")
	call("POST", T+"/channels", tp+"/channels", tok, map[string]any{"connector": "test", "name": "Bad", "config": map[string]any{"token": "x"}}, http.StatusUnprocessableEntity)
	call("POST", T+"/channels", tp+"/channels", tok, map[string]any{"connector": "test", "name": "Line", "config": map[string]any{"token": "conform-token"}}, http.StatusConflict)
	call("PATCH", T+"/channels/{channel_id}", tp+"/channels/"+line, tok, map[string]any{"config": map[string]any{"token": "********", "greeting": "hi"}}, http.StatusOK)
	call("GET", T+"/channels/{channel_id}", tp+"/channels/"+line, tok, nil, http.StatusOK)
	call("GET", T+"/channels/{channel_id}", tp+"/channels/"+uuid.NewString(), tok, nil, http.StatusNotFound)
	hookCall := func(path string, body any, hdr map[string]string, want int) {
		t.Helper()
		r := e.Do(kefutest.Request{Method: "POST", Path: path, Body: body, Headers: hdr})
		if r.Status != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, r.Status, want, r.Body)
		}
		d.checkResponse(t, "POST", "/hooks/{channel_id}", r)
	}
	hookCall("/hooks/"+line, map[string]any{"id": "c1", "from": "cust", "name": "Cust", "text": "Hello"}, map[string]string{"X-Test-Token": "conform-token"}, http.StatusOK)
	hookCall("/hooks/"+line, map[string]any{"id": "c2", "from": "cust", "text": "x"}, map[string]string{"X-Test-Token": "bad"}, http.StatusUnauthorized)
	hookCall("/hooks/"+uuid.NewString(), map[string]any{}, nil, http.StatusNotFound)
	convs := call("GET", T+"/conversations", tp+"/conversations?status=queued,open&limit=10", tok, nil, http.StatusOK).Items()
	if len(convs) != 1 {
		t.Fatalf("conversations: %v", convs)
	}
	cv := convs[0]["id"].(string)
	cp := tp + "/conversations/" + cv
	call("GET", T+"/conversations", tp+"/conversations?status=nonesuch", tok, nil, http.StatusBadRequest)
	call("GET", T+"/conversations/{conversation_id}", cp, tok, nil, http.StatusOK)
	call("GET", "/api/v1/conversations", "/api/v1/conversations?assignee=all", tok, nil, http.StatusOK)
	call("POST", T+"/conversations/{conversation_id}/assign", cp+"/assign", tok, map[string]any{"assignee_id": "me"}, http.StatusOK)
	call("POST", T+"/conversations/{conversation_id}/assign", cp+"/assign", tok, map[string]any{"assignee_id": uuid.NewString()}, http.StatusUnprocessableEntity)
	call("POST", T+"/conversations/{conversation_id}/read", cp+"/read", tok, nil, http.StatusOK)
	call("POST", T+"/conversations/{conversation_id}/typing", cp+"/typing", tok, nil, http.StatusNoContent)
	call("POST", T+"/conversations/{conversation_id}/messages", cp+"/messages", tok, map[string]any{"text": "Hi!", "client_id": "k1"}, http.StatusAccepted)
	call("POST", T+"/conversations/{conversation_id}/messages", cp+"/messages", tok, map[string]any{"text": ""}, http.StatusBadRequest)
	e.Provider.WaitSent(t, 1)
	call("GET", T+"/conversations/{conversation_id}/messages", cp+"/messages?limit=1", tok, nil, http.StatusOK)
	call("GET", T+"/conversations/{conversation_id}/messages", cp+"/messages?before=nope", tok, nil, http.StatusBadRequest)
	call("POST", T+"/conversations/{conversation_id}/resolve", cp+"/resolve", tok, nil, http.StatusOK)
	call("POST", T+"/conversations/{conversation_id}/reopen", cp+"/reopen", tok, nil, http.StatusOK)
	call("GET", T+"/conversations/{conversation_id}", tp+"/conversations/"+uuid.NewString(), tok, nil, http.StatusNotFound)
	contact := call("GET", T+"/conversations/{conversation_id}", cp, tok, nil, http.StatusOK).Str("contact.id")
	call("GET", T+"/contacts", tp+"/contacts?q=cust&limit=5", tok, nil, http.StatusOK)
	call("GET", T+"/contacts/{contact_id}", tp+"/contacts/"+contact, tok, nil, http.StatusOK)
	call("GET", T+"/contacts/{contact_id}", tp+"/contacts/"+uuid.NewString(), tok, nil, http.StatusNotFound)
	call("PATCH", T+"/contacts/{contact_id}", tp+"/contacts/"+contact, tok, map[string]any{"phone": "+1 555 0100"}, http.StatusOK)
	call("POST", T+"/contacts/{contact_id}/merge", tp+"/contacts/"+contact+"/merge", tok, map[string]any{"contact_id": contact}, http.StatusUnprocessableEntity)

	site := call("POST", T+"/channels", tp+"/channels", tok, map[string]any{"connector": "web", "name": "Site", "config": map[string]any{"welcome_message": "Hi"}}, http.StatusCreated).Str("id")
	wp := "/widget/" + site
	call("GET", "/widget/{channel_id}/config", wp+"/config", "", nil, http.StatusOK)
	call("GET", "/widget/{channel_id}/config", "/widget/"+line+"/config", "", nil, http.StatusNotFound)
	vt := call("POST", "/widget/{channel_id}/session", wp+"/session", "", map[string]any{}, http.StatusOK).Str("token")
	call("POST", "/widget/{channel_id}/session", wp+"/session", "", map[string]any{"identity": map[string]any{"user_id": "u1", "ts": 1, "signature": "00"}}, http.StatusForbidden)
	call("POST", "/widget/{channel_id}/messages", wp+"/messages", vt, map[string]any{"client_id": "v1", "text": "From the site"}, http.StatusAccepted)
	call("POST", "/widget/{channel_id}/messages", wp+"/messages", "nope", map[string]any{"client_id": "v1", "text": "x"}, http.StatusUnauthorized)
	wm := call("GET", "/widget/{channel_id}/messages", wp+"/messages", vt, nil, http.StatusOK).Items()
	call("POST", "/widget/{channel_id}/read", wp+"/read", vt, map[string]any{"message_id": wm[0]["id"]}, http.StatusNoContent)
	call("POST", "/widget/{channel_id}/typing", wp+"/typing", vt, nil, http.StatusNoContent)
	call("GET", "/widget/{channel_id}/ws", wp+"/ws?token="+vt, "", nil, http.StatusBadRequest)
	call("GET", "/api/v1/realtime", "/api/v1/realtime", tok, nil, http.StatusBadRequest)
	call("POST", "/widget/{channel_id}/feedback", wp+"/feedback", vt, map[string]any{"message_id": wm[0]["id"], "rating": 1}, http.StatusNotFound) // not a bot answer

	// The bot: settings (with a stored key that never comes back), model, try, unanswered, turns.
	call("GET", T+"/bot/settings", tp+"/bot/settings", tok, nil, http.StatusOK)
	call("PUT", T+"/bot/settings", tp+"/bot/settings", tok, map[string]any{"channels": []string{site},
		"llm": map[string]any{"enabled": true, "base_url": "https://llm.example/v1", "model": "m"}, "llm_api_key": "sk-conform"}, http.StatusOK)
	call("PUT", T+"/bot/settings", tp+"/bot/settings", tok, map[string]any{"answer_threshold": 3}, http.StatusBadRequest)
	call("GET", T+"/bot/model", tp+"/bot/model", tok, nil, http.StatusOK)
	call("POST", T+"/bot/try", tp+"/bot/try", tok, map[string]any{"text": "退款多久到账"}, http.StatusOK)
	call("POST", T+"/bot/try", tp+"/bot/try", tok, map[string]any{"text": "转人工"}, http.StatusOK)
	call("POST", T+"/bot/try", tp+"/bot/try", tok, map[string]any{"text": ""}, http.StatusBadRequest)
	call("GET", T+"/bot/unanswered", tp+"/bot/unanswered?limit=5", tok, nil, http.StatusOK)
	call("POST", T+"/bot/unanswered/resolve", tp+"/bot/unanswered/resolve", tok, map[string]any{"turn_ids": []string{uuid.NewString()}, "action": "dismiss"}, http.StatusOK)
	call("POST", T+"/bot/unanswered/resolve", tp+"/bot/unanswered/resolve", tok, map[string]any{"turn_ids": []string{}, "action": "dismiss"}, http.StatusBadRequest)
	call("GET", T+"/conversations/{conversation_id}/bot-turns", cp+"/bot-turns", tok, nil, http.StatusOK)
	call("GET", T+"/conversations/{conversation_id}/bot-turns", tp+"/conversations/"+uuid.NewString()+"/bot-turns", tok, nil, http.StatusNotFound)
	call("GET", T+"/attachments/{attachment_id}", tp+"/attachments/"+uuid.NewString(), tok, nil, http.StatusNotFound)
	call("DELETE", T+"/channels/{channel_id}", tp+"/channels/"+site, tok, nil, http.StatusNoContent)

	// Two-factor authentication, end to end.
	secret := call("POST", "/api/v1/me/2fa/enroll", "/api/v1/me/2fa/enroll", tok, map[string]string{"password": pw}, http.StatusOK).Str("secret")
	now := time.Now()
	valid := map[string]bool{}
	for _, at := range []time.Time{now.Add(-30 * time.Second), now, now.Add(30 * time.Second)} {
		c, err := crypt.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	wrong := "000000"
	for valid[wrong] {
		wrong = fmt.Sprintf("%06d", (mustAtoi(wrong)+111111)%1000000)
	}
	call("POST", "/api/v1/me/2fa/confirm", "/api/v1/me/2fa/confirm", tok, map[string]string{"code": wrong}, http.StatusUnauthorized)
	code, err := crypt.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	if err := json.Unmarshal(call("POST", "/api/v1/me/2fa/confirm", "/api/v1/me/2fa/confirm", tok, map[string]string{"code": code}, http.StatusOK).Body, &rc); err != nil || len(rc.RecoveryCodes) < 2 {
		t.Fatalf("recovery codes: %v %v", rc, err)
	}
	if err := json.Unmarshal(call("POST", "/api/v1/me/2fa/recovery-codes", "/api/v1/me/2fa/recovery-codes", tok, map[string]string{"code": rc.RecoveryCodes[0]}, http.StatusOK).Body, &rc); err != nil || len(rc.RecoveryCodes) < 1 {
		t.Fatalf("recovery codes: %v %v", rc, err)
	}
	call("POST", "/api/v1/me/2fa/disable", "/api/v1/me/2fa/disable", tok, map[string]string{"password": pw, "code": rc.RecoveryCodes[0]}, http.StatusNoContent)

	const pw2, pw3 = "another sturdy passphrase", "a third sturdy passphrase"
	call("POST", "/api/v1/me/password", "/api/v1/me/password", tok, map[string]string{"current_password": pw, "new_password": "short"}, http.StatusUnprocessableEntity)
	tok = call("POST", "/api/v1/me/password", "/api/v1/me/password", tok, map[string]string{"current_password": pw, "new_password": pw2}, http.StatusOK).Str("access_token")
	n := e.Outbox.Count(email)
	call("POST", "/api/v1/auth/password/forgot", "/api/v1/auth/password/forgot", "", map[string]string{"email": email}, http.StatusNoContent)
	call("POST", "/api/v1/auth/password/reset", "/api/v1/auth/password/reset", "", map[string]string{"token": "kfp_forged", "new_password": pw3}, http.StatusNotFound)
	call("POST", "/api/v1/auth/password/reset", "/api/v1/auth/password/reset", "",
		map[string]string{"token": resetToken(t, e.Outbox.WaitForNth(t, email, n+1)), "new_password": pw3}, http.StatusNoContent)
	call("GET", "/api/v1/me", "/api/v1/me", tok, nil, http.StatusUnauthorized) // the reset ended every session
	tok = e.Login(email, pw3)

	// A platform operator.
	if _, err := e.Main.Identity.CreateUser(ctx, "op@conform.test", "Operator", pw, true); err != nil {
		t.Fatal(err)
	}
	op := e.Login("op@conform.test", pw)
	call("GET", "/api/v1/platform/tenants", "/api/v1/platform/tenants?status=active&limit=10", op, nil, http.StatusOK)
	call("GET", "/api/v1/platform/plugins", "/api/v1/platform/plugins", op, nil, http.StatusOK)
	call("GET", "/api/v1/platform/plugins", "/api/v1/platform/plugins", tok, nil, http.StatusForbidden)
	call("POST", "/api/v1/platform/tenants/{tenant_id}/suspend", "/api/v1/platform/tenants/"+tid+"/suspend", op, nil, http.StatusOK)
	call("GET", T+"/settings", tp+"/settings", tok, nil, http.StatusForbidden) // tenant.suspended
	call("POST", "/api/v1/platform/tenants/{tenant_id}/resume", "/api/v1/platform/tenants/"+tid+"/resume", op, nil, http.StatusOK)

	// A sample of errors: documented statuses, Problem bodies, codes named in the docs.
	call("GET", T, tp, "", nil, http.StatusUnauthorized)
	call("GET", T, "/api/v1/tenants/"+uuid.NewString(), tok, nil, http.StatusNotFound)
	call("GET", T+"/settings", tp+"/settings", op, nil, http.StatusNotFound)
	call("GET", "/api/v1/me", "/api/v1/me", key, nil, http.StatusForbidden) // a revoked key is still an API key
	call("GET", "/api/v1/platform/tenants", "/api/v1/platform/tenants", tok, nil, http.StatusForbidden)
	call("GET", "/api/v1/platform/tenants", "/api/v1/platform/tenants?limit=0", op, nil, http.StatusBadRequest)
	call("POST", "/api/v1/signup", "/api/v1/signup", "", map[string]string{"tenant_name": "X", "name": "X", "email": email, "password": pw, "plan": "gold"}, http.StatusBadRequest)
	call("POST", "/api/v1/signup", "/api/v1/signup", "", map[string]string{"tenant_name": "X", "name": "X", "email": email, "password": "sturdy passphrase four"}, http.StatusConflict)
	call("POST", "/api/v1/auth/login", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "wrong password"}, http.StatusUnauthorized)
	call("POST", "/api/v1/auth/refresh", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": su.Str("refresh_token")}, http.StatusUnauthorized)
	call("PATCH", T+"/members/{member_id}", tp+"/members/"+ownerMember, tok, map[string]string{"role": "admin"}, http.StatusConflict)
	call("PATCH", T+"/members/{member_id}", tp+"/members/"+ownerMember, tok, map[string]string{"role": "nonesuch"}, http.StatusUnprocessableEntity)
	call("POST", T+"/api-keys", tp+"/api-keys", tok, map[string]string{"name": "root", "role": "owner"}, http.StatusUnprocessableEntity)
	call("DELETE", T+"/roles/{role_id}", tp+"/roles/admin", tok, nil, http.StatusConflict)
	call("GET", T+"/roles/{role_id}", tp+"/roles/nonesuch", tok, nil, http.StatusNotFound)
	call("GET", T+"/audit-log", tp+"/audit-log?before=nope", tok, nil, http.StatusBadRequest)
	call("POST", "/api/v1/invitations/lookup", "/api/v1/invitations/lookup", "", map[string]string{"token": itok}, http.StatusNotFound) // used
	call("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", tok, nil, http.StatusNoContent)
	call("GET", "/api/v1/me", "/api/v1/me", tok, nil, http.StatusUnauthorized)
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ---- request bodies and query parameters are what the handlers decode ------------------

// TestOpenAPIRequestsMatchServer probes every operation without side effects: a
// protected one refuses an anonymous caller; a request body with an undocumented field
// is refused (additionalProperties: false); each documented field exists in the
// handler's decoder with the documented JSON type (a mistyped value is a 400 naming the
// field and the type); each documented required field is required; and each
// documented uuid, bounded or enumerated query parameter is read (a bad value is a 400
// naming it). Finally, every query parameter the handlers read is documented.
func TestOpenAPIRequestsMatchServer(t *testing.T) {
	t.Parallel()
	e, d := startOpenAPI(t)
	a := e.Signup("Probe Co", "owner@probe.test")
	if _, err := e.Main.Identity.CreateUser(context.Background(), "op@probe.test", "Operator", kefutest.Password, true); err != nil {
		t.Fatal(err)
	}
	op := e.Login("op@probe.test", kefutest.Password)

	send := func(o oaOp, path, token string, body any) *kefutest.Resp {
		t.Helper()
		r := e.Call(o.method, path, token, body)
		d.checkResponse(t, o.method, o.path, r)
		return r
	}
	want400 := func(o oaOp, what string, r *kefutest.Resp, field, detail string) {
		t.Helper()
		p := r.JSON()
		if r.Status != http.StatusBadRequest || p["field"] != field || (detail != "" && p["detail"] != detail) {
			t.Errorf("%s, %s: got %d %s; want 400 with field %q and detail %q", o, what, r.Status, bytes.TrimSpace(r.Body), field, detail)
		}
	}

	documentedQuery := map[string]bool{}
	for _, o := range d.operations() {
		path := templateParamRE.ReplaceAllStringFunc(o.path, func(p string) string {
			if p == "{tenant_id}" {
				return a.TenantID
			}
			return uuid.NewString()
		})
		token := a.AccessToken
		switch {
		case public(o):
			token = ""
		case o.op["x-kefu-access"] == "operator":
			token = op
		}
		if !public(o) {
			if r := send(o, path, "", nil); r.Status != http.StatusUnauthorized {
				t.Errorf("%s without credentials: %d, want 401 (it is documented as authenticated)", o, r.Status)
			}
		}

		ps, err := d.params(o)
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range ps {
			name, ok := strings.CutPrefix(k, "query ")
			if !ok {
				continue
			}
			documentedQuery[name] = true
			s, err := d.schema(p["schema"])
			if err != nil {
				t.Fatalf("%s: %s: %v", o, k, err)
			}
			var bad string
			switch {
			case s["format"] == "uuid":
				bad = "not-a-uuid"
			case s["minimum"] != nil:
				bad = fmt.Sprint(s["minimum"].(float64) - 1)
			case s["enum"] != nil:
				bad = "zz-not-in-enum"
			default:
				continue // free text: nothing to refuse
			}
			want400(o, "query "+name+"="+bad, send(o, path+"?"+url.Values{name: {bad}}.Encode(), token, nil), name, "")
		}

		s, err := d.requestSchema(o)
		if err != nil || s == nil {
			continue
		}
		want400(o, "an undocumented body field", send(o, path, token, `{"zz_undocumented":1}`), "zz_undocumented", `Unknown field "zz_undocumented".`)
		props, _ := s["properties"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			ps, err := d.schema(props[name])
			if err != nil {
				t.Fatalf("%s: %s: %v", o, name, err)
			}
			wrong, word := mistyped(fmt.Sprint(ps["type"]))
			want400(o, "field "+name+" mistyped", send(o, path, token, fmt.Sprintf(`{%q:%s}`, name, wrong)),
				name, fmt.Sprintf("%s must be a %s.", name, word))
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			body := map[string]any{}
			for _, other := range req {
				if other != r {
					ps, _ := d.schema(props[fmt.Sprint(other)])
					body[fmt.Sprint(other)] = placeholder(fmt.Sprint(ps["type"]))
				}
			}
			want400(o, fmt.Sprintf("without required %v", r), send(o, path, token, body), fmt.Sprint(r), fmt.Sprintf("%v is required.", r))
		}
	}

	// Every query parameter a handler reads is documented (on some operation).
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	queryRE := regexp.MustCompile(`\.Query\("([^"]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range queryRE.FindAllSubmatch(src, -1) {
			if !documentedQuery[string(m[1])] {
				t.Errorf("%s reads the query parameter %q, which no operation in %s documents", f, m[1], openAPIFile)
			}
		}
	}
}

// mistyped returns a JSON value that is not of the schema type, and the word decode.go
// uses for the type in its 400.
func mistyped(typ string) (wrong, word string) {
	switch typ {
	case "[string null]":
		return "true", "string" // nullable: null is allowed, a boolean is not
	case "string":
		return "true", "string"
	case "boolean":
		return `"x"`, "boolean"
	case "array":
		return `"x"`, "list"
	case "integer", "number":
		return `"x"`, "number"
	case "object", "[object null]":
		return `"x"`, "object"
	}
	return "null", "?" + typ
}

// placeholder is a value of the schema type that is not empty.
func placeholder(typ string) any {
	switch typ {
	case "boolean":
		return true
	case "array":
		return []string{"x"}
	case "integer", "number":
		return 1
	case "object":
		return map[string]any{"x": 1}
	}
	return "x"
}
