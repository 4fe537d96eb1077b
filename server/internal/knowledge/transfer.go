package knowledge

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Import limits. The file size bounds what is parsed; the row count bounds the one
// transaction an import is.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 5000
	// MaxImportErrors is how many rejected rows a report lists; the message gives the
	// total.
	MaxImportErrors = 500
)

// ErrImportInvalid is an import with rejected rows: nothing was imported. Its Fields
// list each rejected row with its number, the field and the reason.
var ErrImportInvalid = errs.New(errs.Unprocessable, "kb.import-invalid", "Some rows are invalid; nothing was imported.")

// ImportRow is one entry of an imported file.
type ImportRow struct {
	// Row is the row's number in the file as a person counts it (a spreadsheet's line:
	// the header is row 1; a JSON file's item, from 1).
	Row   int
	Input Input
	// Category is the category as written in the file: a category id, or a path of
	// names from the top ("售后/退款"), any locale's name; "" for none. The category
	// must exist: an import does not create categories.
	Category string
	// Problems are what the file's reader already found wrong with the row.
	Problems []errs.FieldError
}

// Import creates draft entries from the rows of a file, in one transaction: when any
// row is invalid nothing is imported, and the error (ErrImportInvalid) lists every
// rejected row.
func (s *Service) Import(ctx context.Context, k Kind, rows []ImportRow) ([]Entry, error) {
	if _, err := tenants.Require(ctx); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.Invalidf("file", "The file has no rows to import.")
	}
	if len(rows) > MaxImportRows {
		return nil, errs.Invalidf("file", "A file imports at most %d rows (got %d); split it.", MaxImportRows, len(rows))
	}
	cats, err := s.Store.ListCategories(ctx)
	if err != nil {
		return nil, err
	}
	resolve := categoryResolver(newTree(cats))
	now := s.now()
	var problems []errs.FieldError
	ins := make([]Input, len(rows))
	for i, r := range rows {
		problems = append(problems, r.Problems...)
		in := r.Input
		if r.Category != "" {
			id, msg := resolve(r.Category)
			if msg != "" {
				problems = append(problems, errs.FieldError{Row: r.Row, Field: "category", Message: msg})
			} else {
				in.Category = Nullable[uuid.UUID]{Set: true, Value: &id}
			}
		}
		// The checks of BulkCreate, on every row rather than up to the first bad one.
		var c Content
		err := apply(k, &c, in)
		if err == nil {
			err = s.prepare(k, &c, true, now)
		}
		if err != nil {
			problems = append(problems, rowProblem(r.Row, err))
		}
		ins[i] = in
	}
	if len(problems) > 0 {
		return nil, importError(problems)
	}
	var es []Entry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if es, err = s.BulkCreate(ctx, k, ins); err != nil { // joins this transaction
			return err
		}
		return s.audit(ctx, "kb."+string(k)+".imported", "kb."+string(k), es[0].ID, map[string]any{"count": len(es)})
	})
	if err != nil {
		// A category deleted since it was resolved, for one.
		var e *errs.Error
		if errors.As(err, &e) && e.Kind != errs.Internal {
			if m := itemRE.FindStringSubmatch(e.Field); m != nil {
				i, _ := strconv.Atoi(m[1])
				if i < len(rows) {
					return nil, importError([]errs.FieldError{{Row: rows[i].Row, Field: importField(m[2]), Message: e.Message}})
				}
			}
		}
		return nil, err
	}
	return es, nil
}

var itemRE = regexp.MustCompile(`^items\[(\d+)\]\.?(.*)$`)

// importField names a field as the file's columns do.
func importField(f string) string {
	if f == "category_id" {
		return "category"
	}
	return f
}

func rowProblem(row int, err error) errs.FieldError {
	e := errs.As(err)
	msg := e.Message
	if e.Kind == errs.Internal {
		msg = "The row could not be checked."
	}
	return errs.FieldError{Row: row, Field: importField(e.Field), Message: msg}
}

func importError(problems []errs.FieldError) error {
	rows := map[int]bool{}
	for _, p := range problems {
		rows[p.Row] = true
	}
	e := ErrImportInvalid.WithMessage("%d rows are invalid; nothing was imported.", len(rows))
	if len(rows) == 1 {
		e = ErrImportInvalid.WithMessage("1 row is invalid; nothing was imported.")
	}
	if len(problems) > MaxImportErrors {
		e.Message += fmt.Sprintf(" The first %d problems are listed.", MaxImportErrors)
		problems = problems[:MaxImportErrors]
	}
	e.Fields = problems
	e.Field = problems[0].Field
	return e
}

// categoryResolver finds a category by id or by a path of names ("a/b/c", each name
// in any locale, compared case-insensitively). It returns a reason when there is no
// such category, or when a path names several.
func categoryResolver(t tree) func(ref string) (uuid.UUID, string) {
	return func(ref string) (uuid.UUID, string) {
		ref = strings.TrimSpace(ref)
		if id, err := uuid.Parse(ref); err == nil {
			if _, ok := t.byID[id]; ok {
				return id, ""
			}
			return uuid.Nil, fmt.Sprintf("There is no category with id %s.", id)
		}
		parents := []uuid.UUID{uuid.Nil}
		for _, seg := range strings.Split(ref, "/") {
			seg = strings.TrimSpace(seg)
			var next []uuid.UUID
			for _, p := range parents {
				for _, c := range t.children[p] {
					for _, n := range c.Name {
						if strings.EqualFold(strings.TrimSpace(n), seg) {
							next = append(next, c.ID)
							break
						}
					}
				}
			}
			if len(next) == 0 {
				return uuid.Nil, fmt.Sprintf("There is no category %q: create it first, or give a category id.", ref)
			}
			parents = next
		}
		if len(parents) > 1 {
			return uuid.Nil, fmt.Sprintf("%q names %d categories; give the category id instead.", ref, len(parents))
		}
		return parents[0], ""
	}
}

// CategoryName is the category's name in the locale, else in another.
func CategoryName(c Category, locale string) string {
	if n, ok := c.Name[locale]; ok {
		return n
	}
	for _, l := range tenants.Locales {
		if n, ok := c.Name[l]; ok {
			return n
		}
	}
	for _, n := range c.Name {
		return n
	}
	return ""
}
