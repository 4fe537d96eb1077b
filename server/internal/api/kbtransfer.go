package api

import (
	"bytes"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/knowledge/kbio"
	"github.com/kefu-io/kefu/server/internal/knowledge/search"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// ---- search -----------------------------------------------------------------------

// maxSearchOffset bounds paging: past it nobody is reading, and the ranking of the
// whole match set is what a deep page costs.
const maxSearchOffset = 10000

func queryKind(c *fiber.Ctx, required bool) (knowledge.Kind, error) {
	switch v := c.Query("kind"); v {
	case "faq", "article":
		return knowledge.Kind(v), nil
	case "":
		if !required {
			return "", nil
		}
		return "", errs.Invalidf("kind", "kind is required: faq or article.")
	default:
		return "", errs.Invalidf("kind", "kind must be faq or article.")
	}
}

func (s *Server) searchKB(c *fiber.Ctx) error {
	q := knowledge.SearchQuery{Text: strings.TrimSpace(c.Query("q"))}
	if utf8.RuneCountInString(q.Text) > search.MaxQueryRunes {
		return errs.Invalidf("q", "q is at most %d characters.", search.MaxQueryRunes)
	}
	var err error
	if q.Kind, err = queryKind(c, false); err != nil {
		return err
	}
	if v := c.Query("locale"); v != "" {
		if !slices.Contains(tenants.Locales, v) {
			return errs.Invalidf("locale", "locale must be one of %s.", strings.Join(tenants.Locales, ", "))
		}
		q.Locale = v
	}
	if v := c.Query("category_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return errs.Invalidf("category_id", "category_id must be a category id.")
		}
		q.CategoryID = &id
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	q.Limit = min(limit, search.MaxLimit)
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxSearchOffset || strconv.Itoa(n) != v {
			return errs.Invalidf("offset", "offset must be a whole number from 0 to %d.", maxSearchOffset)
		}
		q.Offset = n
	}
	res, err := s.opts.Knowledge.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	items := make([]fiber.Map, len(res.Hits))
	for i, h := range res.Hits {
		items[i] = fiber.Map{"id": h.ID, "kind": h.Kind, "title": h.Title, "title_html": h.TitleHTML, "snippet_html": h.SnippetHTML,
			"score": h.Score, "category_id": h.CategoryID, "locale": h.Locale}
	}
	return c.JSON(fiber.Map{"items": items, "total": res.Total, "revision": res.Revision})
}

// ---- import and export ------------------------------------------------------------

func queryFormat(c *fiber.Ctx, allowed ...kbio.Format) (kbio.Format, bool, error) {
	v := c.Query("format")
	if v == "" {
		return kbio.CSV, false, nil
	}
	f, ok := kbio.ParseFormat(v)
	if !ok || !slices.Contains(allowed, f) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return "", false, errs.Invalidf("format", "format must be %s.", strings.Join(names, ", "))
	}
	return f, true, nil
}

func attachment(c *fiber.Ctx, f kbio.Format, name string) {
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"."+string(f)+`"`)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	noStore(c)
}

func kindPlural(k knowledge.Kind) string {
	if k == knowledge.KindFAQ {
		return "faqs"
	}
	return "articles"
}

func (s *Server) exportKB(c *fiber.Ctx) error {
	f, _, err := queryFormat(c, kbio.CSV, kbio.XLSX, kbio.JSON)
	if err != nil {
		return err
	}
	k, err := queryKind(c, true)
	if err != nil {
		return err
	}
	es, err := s.opts.Knowledge.ListAll(c.UserContext(), k)
	if err != nil {
		return err
	}
	// Encoded whole before anything is sent, so that a failure is a clean error.
	var buf bytes.Buffer
	if err := kbio.Encode(&buf, k, f, es); err != nil {
		return err
	}
	attachment(c, f, "kb-"+kindPlural(k)+"-"+time.Now().UTC().Format("20060102"))
	return c.Send(buf.Bytes())
}

func (s *Server) kbImportTemplate(c *fiber.Ctx) error {
	f, _, err := queryFormat(c, kbio.CSV, kbio.XLSX)
	if err != nil {
		return err
	}
	k, err := queryKind(c, true)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := kbio.Template(&buf, k, f); err != nil {
		return err
	}
	attachment(c, f, "kb-"+kindPlural(k)+"-template")
	return c.Send(buf.Bytes())
}

func (s *Server) importKB(c *fiber.Ctx) error {
	f, given, err := queryFormat(c, kbio.CSV, kbio.XLSX, kbio.JSON)
	if err != nil {
		return err
	}
	k, err := queryKind(c, true)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return errs.Invalidf("file", "Send the file as the multipart form field \"file\".")
	}
	if fh.Size > knowledge.MaxImportBytes {
		return kbio.ErrFileTooLarge
	}
	if !given {
		// Without format, the file's extension says.
		if g, ok := kbio.ParseFormat(strings.TrimPrefix(strings.ToLower(filepath.Ext(fh.Filename)), ".")); ok {
			f = g
		}
	}
	file, err := fh.Open()
	if err != nil {
		return errs.Invalidf("file", "The file could not be read.")
	}
	defer file.Close()
	loc := access(c).Tenant.Locale
	if !slices.Contains(tenants.Locales, loc) {
		loc = tenants.Locales[0]
	}
	rows, err := kbio.Decode(file, k, f, loc)
	if err != nil {
		return err
	}
	es, err := s.opts.Knowledge.Import(c.UserContext(), k, rows)
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return c.JSON(fiber.Map{"count": len(es), "ids": ids})
}
