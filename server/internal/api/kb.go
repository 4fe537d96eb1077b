package api

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// kbKind is one kind of knowledge entry as the API names it.
type kbKind struct {
	kind  knowledge.Kind
	path  string // under /kb
	param string // the id's path parameter
}

var kbKinds = []kbKind{
	{knowledge.KindArticle, "/articles", "article_id"},
	{knowledge.KindFAQ, "/faqs", "faq_id"},
}

func (s *Server) kbRoutes() {
	const kb = "/api/v1/tenants/:tenant_id/kb"
	s.handle("GET", kb+"/categories", Tenant, authz.KBRead, s.listKBCategories)
	s.handle("POST", kb+"/categories", Tenant, authz.KBEdit, s.createKBCategory)
	s.handle("GET", kb+"/categories/:category_id", Tenant, authz.KBRead, s.getKBCategory)
	s.handle("PATCH", kb+"/categories/:category_id", Tenant, authz.KBEdit, s.renameKBCategory)
	s.handle("POST", kb+"/categories/:category_id/move", Tenant, authz.KBEdit, s.moveKBCategory)
	s.handle("DELETE", kb+"/categories/:category_id", Tenant, authz.KBEdit, s.deleteKBCategory)
	s.handle("GET", kb+"/search", Tenant, authz.KBRead, s.searchKB)
	s.handle("GET", kb+"/export", Tenant, authz.KBRead, s.exportKB)
	s.handle("GET", kb+"/import/template", Tenant, authz.KBRead, s.kbImportTemplate)
	s.handle("POST", kb+"/import", Tenant, authz.KBEdit, s.importKB)
	for _, k := range kbKinds {
		base := kb + k.path
		item := base + "/:" + k.param
		s.handle("GET", base, Tenant, authz.KBRead, s.listKBEntries(k))
		s.handle("POST", base, Tenant, authz.KBEdit, s.createKBEntry(k))
		s.handle("GET", item, Tenant, authz.KBRead, s.getKBEntry(k))
		s.handle("PATCH", item, Tenant, authz.KBEdit, s.updateKBEntry(k))
		s.handle("DELETE", item, Tenant, authz.KBPublish, s.deleteKBEntry(k))
		// Writers submit; publishers approve (publish), send back (reject) and retire.
		s.handle("POST", item+"/submit", Tenant, authz.KBEdit, s.kbTransition(k, knowledge.ActionSubmit))
		s.handle("POST", item+"/publish", Tenant, authz.KBPublish, s.kbTransition(k, knowledge.ActionPublish))
		s.handle("POST", item+"/reject", Tenant, authz.KBPublish, s.kbTransition(k, knowledge.ActionReject))
		s.handle("POST", item+"/archive", Tenant, authz.KBPublish, s.kbTransition(k, knowledge.ActionArchive))
		s.handle("POST", item+"/rollback", Tenant, authz.KBEdit, s.rollbackKBEntry(k))
		s.handle("GET", item+"/versions", Tenant, authz.KBRead, s.listKBVersions(k))
		s.handle("GET", item+"/versions/:version", Tenant, authz.KBRead, s.getKBVersion(k))
		s.handle("GET", item+"/diff", Tenant, authz.KBRead, s.diffKBEntry(k))
	}
}

// nullString is a body field that may be absent (Set false), null or a string.
type nullString struct {
	Set   bool
	Value *string
}

func (n *nullString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var s string
	// A type error here reaches decode with the field's name, as for any string field.
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	n.Value = &s
	return nil
}

func (n nullString) uuid(field string) (knowledge.Nullable[uuid.UUID], error) {
	out := knowledge.Nullable[uuid.UUID]{Set: n.Set}
	if n.Value == nil {
		return out, nil
	}
	id, err := uuid.Parse(*n.Value)
	if err != nil {
		return out, errs.Invalidf(field, "%s must be a category id or null.", field)
	}
	out.Value = &id
	return out, nil
}

func (n nullString) time(field string) (knowledge.Nullable[time.Time], error) {
	out := knowledge.Nullable[time.Time]{Set: n.Set}
	if n.Value == nil {
		return out, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *n.Value)
	if err != nil {
		return out, errs.Invalidf(field, "%s must be an RFC 3339 date-time like 2026-12-31T23:59:59Z, or null.", field)
	}
	out.Value = &t
	return out, nil
}

// ---- categories -----------------------------------------------------------------

func kbCategoryJSON(c knowledge.Category) fiber.Map {
	name := c.Name
	if name == nil {
		name = map[string]string{}
	}
	return fiber.Map{"id": c.ID, "parent_id": c.ParentID, "position": c.Position, "name": name,
		"created_at": c.CreatedAt, "updated_at": c.UpdatedAt}
}

func (s *Server) listKBCategories(c *fiber.Ctx) error {
	cs, err := s.opts.Knowledge.Categories(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(cs))
	for i, x := range cs {
		out[i] = kbCategoryJSON(x)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) getKBCategory(c *fiber.Ctx) error {
	id, err := pathID(c, "category_id", knowledge.ErrCategoryNotFound)
	if err != nil {
		return err
	}
	cat, err := s.opts.Knowledge.Category(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(kbCategoryJSON(cat))
}

func checkPosition(p *int) error {
	if p != nil && *p < 0 {
		return errs.Invalidf("position", "position must be 0 or more.")
	}
	return nil
}

func (s *Server) createKBCategory(c *fiber.Ctx) error {
	var in struct {
		Name     map[string]string `json:"name"`
		ParentID nullString        `json:"parent_id"`
		Position *int              `json:"position"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return required("name")
	}
	parent, err := in.ParentID.uuid("parent_id")
	if err != nil {
		return err
	}
	if err := checkPosition(in.Position); err != nil {
		return err
	}
	cat, err := s.opts.Knowledge.CreateCategory(c.UserContext(), knowledge.CategoryInput{Name: in.Name, ParentID: parent.Value, Position: in.Position})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(kbCategoryJSON(cat))
}

func (s *Server) renameKBCategory(c *fiber.Ctx) error {
	var in struct {
		Name map[string]string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return required("name")
	}
	id, err := pathID(c, "category_id", knowledge.ErrCategoryNotFound)
	if err != nil {
		return err
	}
	cat, err := s.opts.Knowledge.RenameCategory(c.UserContext(), id, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(kbCategoryJSON(cat))
}

func (s *Server) moveKBCategory(c *fiber.Ctx) error {
	var in struct {
		ParentID nullString `json:"parent_id"`
		Position *int       `json:"position"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if !in.ParentID.Set {
		return required("parent_id")
	}
	parent, err := in.ParentID.uuid("parent_id")
	if err != nil {
		return err
	}
	if err := checkPosition(in.Position); err != nil {
		return err
	}
	id, err := pathID(c, "category_id", knowledge.ErrCategoryNotFound)
	if err != nil {
		return err
	}
	cat, err := s.opts.Knowledge.MoveCategory(c.UserContext(), id, parent.Value, in.Position)
	if err != nil {
		return err
	}
	return c.JSON(kbCategoryJSON(cat))
}

func (s *Server) deleteKBCategory(c *fiber.Ctx) error {
	id, err := pathID(c, "category_id", knowledge.ErrCategoryNotFound)
	if err != nil {
		return err
	}
	if err := s.opts.Knowledge.DeleteCategory(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ---- entries --------------------------------------------------------------------

func strs(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// kbContentJSON is a copy of an entry (live copy, version snapshot) with the fields of
// its kind.
func kbContentJSON(k knowledge.Kind, x *knowledge.Content, html bool) fiber.Map {
	m := fiber.Map{"category_id": x.CategoryID, "tags": strs(x.Tags), "locale": x.Locale, "expires_at": x.ExpiresAt}
	if k == knowledge.KindFAQ {
		answers := x.ChannelAnswers
		if answers == nil {
			answers = map[string]string{}
		}
		m["question"], m["similar_questions"], m["answer"], m["channel_answers"] = x.Question, strs(x.SimilarQuestions), x.Answer, answers
	} else {
		m["title"], m["body"] = x.Title, x.Body
		if html {
			m["html"] = x.HTML
		}
	}
	return m
}

// kbEntryJSON is an entry; lists leave out what is long (an article's body and HTML)
// and the live copy.
func kbEntryJSON(e knowledge.Entry, full bool) fiber.Map {
	m := kbContentJSON(e.Kind, &e.Content, full)
	if !full {
		delete(m, "body")
	}
	var liveVersion any
	if e.LiveVersion > 0 {
		liveVersion = e.LiveVersion
	}
	m["id"], m["status"], m["stale"], m["version"], m["live_version"] = e.ID, e.Status, e.Stale, e.Version, liveVersion
	m["pending_changes"], m["published_at"] = e.PendingChanges(), e.PublishedAt
	m["created_by"], m["updated_by"], m["created_at"], m["updated_at"] = e.CreatedBy, e.UpdatedBy, e.CreatedAt, e.UpdatedAt
	m["helpful"], m["not_helpful"] = e.Helpful, e.NotHelpful
	if full {
		var live any
		if e.Live != nil {
			live = kbContentJSON(e.Kind, e.Live, true)
		}
		m["live"] = live
	}
	return m
}

// kbArticleBody and kbFAQBody are the bodies of creates and edits. They are flat
// rather than sharing an embedded struct: decoding errors name embedded fields by their
// Go path ("kbCommon.locale"), and the API names its fields as the client sent them.
type kbArticleBody struct {
	Title      *string    `json:"title"`
	Body       *string    `json:"body"`
	CategoryID nullString `json:"category_id"`
	Tags       *[]string  `json:"tags"`
	Locale     *string    `json:"locale"`
	ExpiresAt  nullString `json:"expires_at"`
	Version    *int       `json:"version"` // edits only
}

type kbFAQBody struct {
	Question         *string            `json:"question"`
	SimilarQuestions *[]string          `json:"similar_questions"`
	Answer           *string            `json:"answer"`
	ChannelAnswers   *map[string]string `json:"channel_answers"`
	CategoryID       nullString         `json:"category_id"`
	Tags             *[]string          `json:"tags"`
	Locale           *string            `json:"locale"`
	ExpiresAt        nullString         `json:"expires_at"`
	Version          *int               `json:"version"` // edits only
}

// decodeKBEntry reads the body of a create (create: the kind's required fields are
// checked) or of an edit.
func decodeKBEntry(c *fiber.Ctx, k knowledge.Kind, create bool) (knowledge.Input, error) {
	var in knowledge.Input
	var category, expires nullString
	var base *int
	if k == knowledge.KindFAQ {
		var b kbFAQBody
		if err := decode(c, &b); err != nil {
			return in, err
		}
		if create && b.Question == nil {
			return in, required("question")
		}
		if create && b.Answer == nil {
			return in, required("answer")
		}
		in = knowledge.Input{Question: b.Question, SimilarQuestions: b.SimilarQuestions, Answer: b.Answer,
			ChannelAnswers: b.ChannelAnswers, Tags: b.Tags, Locale: b.Locale}
		category, expires, base = b.CategoryID, b.ExpiresAt, b.Version
	} else {
		var b kbArticleBody
		if err := decode(c, &b); err != nil {
			return in, err
		}
		if create && b.Title == nil {
			return in, required("title")
		}
		if create && b.Body == nil {
			return in, required("body")
		}
		in = knowledge.Input{Title: b.Title, Body: b.Body, Tags: b.Tags, Locale: b.Locale}
		category, expires, base = b.CategoryID, b.ExpiresAt, b.Version
	}
	var err error
	if in.Category, err = category.uuid("category_id"); err != nil {
		return in, err
	}
	if in.ExpiresAt, err = expires.time("expires_at"); err != nil {
		return in, err
	}
	switch {
	case base != nil && create:
		// A new entry has no version to start from: as unknown as any other field.
		return in, errs.Invalidf("version", "Unknown field %q.", "version")
	case base != nil && *base < 1:
		return in, errs.Invalidf("version", "version must be the version number you edited (1 or more).")
	case base != nil:
		in.BaseVersion = *base
	}
	if create && in.Locale == nil {
		// An entry is written in the workspace's language unless it says otherwise.
		loc := access(c).Tenant.Locale
		if !slices.Contains(tenants.Locales, loc) {
			loc = tenants.Locales[0]
		}
		in.Locale = &loc
	}
	return in, nil
}

func kbFilter(c *fiber.Ctx, k knowledge.Kind) (knowledge.Filter, error) {
	f := knowledge.Filter{Kind: k}
	limit, err := queryLimit(c)
	if err != nil {
		return f, err
	}
	f.Limit = min(limit, 100)
	if v := c.Query("status"); v != "" {
		st, ok := knowledge.ParseStatus(v)
		if !ok {
			return f, errs.Invalidf("status", "status must be draft, in_review, published or archived.")
		}
		f.Status = st
	}
	if v := c.Query("category_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return f, errs.Invalidf("category_id", "category_id must be a category id.")
		}
		f.CategoryID = &id
	}
	if v := c.Query("locale"); v != "" {
		if !slices.Contains(tenants.Locales, v) {
			return f, errs.Invalidf("locale", "locale must be one of %s.", strings.Join(tenants.Locales, ", "))
		}
		f.Locale = v
	}
	switch v := c.Query("stale"); v {
	case "":
	case "true", "false":
		stale := v == "true"
		f.Stale = &stale
	default:
		return f, errs.Invalidf("stale", "stale must be true or false.")
	}
	if f.Tag = strings.TrimSpace(c.Query("tag")); len([]rune(f.Tag)) > knowledge.MaxTagLen {
		return f, errs.Invalidf("tag", "tag is at most %d characters.", knowledge.MaxTagLen)
	}
	if f.Query = strings.TrimSpace(c.Query("q")); len([]rune(f.Query)) > 200 {
		return f, errs.Invalidf("q", "q is at most 200 characters.")
	}
	if v := c.Query("cursor"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return f, errs.Invalidf("cursor", "cursor is not a cursor this API returned.")
		}
		f.Before = &id
	}
	return f, nil
}

func (s *Server) listKBEntries(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := kbFilter(c, k.kind)
		if err != nil {
			return err
		}
		want := f.Limit
		f.Limit = want + 1
		es, err := s.opts.Knowledge.List(c.UserContext(), f)
		if err != nil {
			return err
		}
		var next any
		if len(es) > want {
			es = es[:want]
			next = es[want-1].ID.String()
		}
		out := make([]fiber.Map, len(es))
		for i, e := range es {
			out[i] = kbEntryJSON(e, false)
		}
		return c.JSON(fiber.Map{"items": out, "next_cursor": next})
	}
}

func (s *Server) createKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := decodeKBEntry(c, k.kind, true)
		if err != nil {
			return err
		}
		e, err := s.opts.Knowledge.Create(c.UserContext(), k.kind, in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(kbEntryJSON(e, true))
	}
}

func (s *Server) getKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		e, err := s.opts.Knowledge.Get(c.UserContext(), k.kind, id)
		if err != nil {
			return err
		}
		return c.JSON(kbEntryJSON(e, true))
	}
}

func (s *Server) updateKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		in, err := decodeKBEntry(c, k.kind, false)
		if err != nil {
			return err
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		e, err := s.opts.Knowledge.Update(c.UserContext(), k.kind, id, in)
		if err != nil {
			return err
		}
		return c.JSON(kbEntryJSON(e, true))
	}
}

func (s *Server) deleteKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		if err := s.opts.Knowledge.Delete(c.UserContext(), k.kind, id); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func (s *Server) kbTransition(k kbKind, a knowledge.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			Note string `json:"note"`
		}
		// Only reject takes a body (the reviewer's note), and it is optional.
		if a == knowledge.ActionReject && len(strings.TrimSpace(string(c.Body()))) > 0 {
			if err := decode(c, &in); err != nil {
				return err
			}
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		ctx, svc := c.UserContext(), s.opts.Knowledge
		var e knowledge.Entry
		switch a {
		case knowledge.ActionSubmit:
			e, err = svc.Submit(ctx, k.kind, id)
		case knowledge.ActionPublish:
			e, err = svc.Publish(ctx, k.kind, id)
		case knowledge.ActionReject:
			e, err = svc.Reject(ctx, k.kind, id, in.Note)
		case knowledge.ActionArchive:
			e, err = svc.Archive(ctx, k.kind, id)
		}
		if err != nil {
			return err
		}
		return c.JSON(kbEntryJSON(e, true))
	}
}

func (s *Server) rollbackKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			Version *int `json:"version"`
		}
		if err := decode(c, &in); err != nil {
			return err
		}
		if in.Version == nil {
			return required("version")
		}
		if *in.Version < 1 {
			return errs.Invalidf("version", "version must be 1 or more.")
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		e, err := s.opts.Knowledge.Rollback(c.UserContext(), k.kind, id, *in.Version)
		if err != nil {
			return err
		}
		return c.JSON(kbEntryJSON(e, true))
	}
}

// ---- versions -------------------------------------------------------------------

func kbVersionJSON(k knowledge.Kind, v knowledge.Version, content bool) fiber.Map {
	m := fiber.Map{"version": v.Version, "action": v.Action, "status": v.Status, "note": v.Note,
		"author_id": v.AuthorID, "created_at": v.CreatedAt}
	if content {
		m["content"] = kbContentJSON(k, &v.Content, false)
	}
	return m
}

// queryVersion reads an optional version number from the query.
func queryVersion(c *fiber.Ctx, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errs.Invalidf(name, "%s must be a version number (1 or more).", name)
	}
	return n, nil
}

func (s *Server) listKBVersions(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit, err := queryLimit(c)
		if err != nil {
			return err
		}
		limit = min(limit, 100)
		before, err := queryVersion(c, "cursor")
		if err != nil {
			return err
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		vs, err := s.opts.Knowledge.Versions(c.UserContext(), k.kind, id, before, limit+1)
		if err != nil {
			return err
		}
		var next any
		if len(vs) > limit {
			vs = vs[:limit]
			next = strconv.Itoa(vs[limit-1].Version)
		}
		out := make([]fiber.Map, len(vs))
		for i, v := range vs {
			out[i] = kbVersionJSON(k.kind, v, false)
		}
		return c.JSON(fiber.Map{"items": out, "next_cursor": next})
	}
}

func (s *Server) getKBVersion(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.Params("version"))
		if err != nil || n < 1 {
			return knowledge.ErrVersionNotFound
		}
		v, err := s.opts.Knowledge.Version(c.UserContext(), k.kind, id, n)
		if err != nil {
			return err
		}
		return c.JSON(kbVersionJSON(k.kind, v, true))
	}
}

func (s *Server) diffKBEntry(k kbKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, err := queryVersion(c, "from")
		if err != nil {
			return err
		}
		to, err := queryVersion(c, "to")
		if err != nil {
			return err
		}
		id, err := pathID(c, k.param, knowledge.NotFound(k.kind))
		if err != nil {
			return err
		}
		d, err := s.opts.Knowledge.Diff(c.UserContext(), k.kind, id, from, to)
		if err != nil {
			return err
		}
		changes := make([]fiber.Map, len(d.Changes))
		for i, ch := range d.Changes {
			lines := make([]fiber.Map, len(ch.Lines))
			for j, l := range ch.Lines {
				lines[j] = fiber.Map{"op": l.Op, "text": l.Text}
			}
			changes[i] = fiber.Map{"field": ch.Field, "from": ch.From, "to": ch.To, "lines": lines}
		}
		return c.JSON(fiber.Map{"from": d.From, "to": d.To, "changes": changes})
	}
}
