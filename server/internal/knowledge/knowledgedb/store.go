// Package knowledgedb is the GORM store of the knowledge engine.
//
// An entry is one row holding both copies: the working copy's JSON with the columns
// lists filter on (title, locale, category, expiry), and the live copy's JSON with the
// columns the live corpus filters on. The working copy's tags are also rows of
// kb_entry_tags, for the tag filter.
package knowledgedb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

type categoryRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	ParentID  *uuid.UUID
	Position  int
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (categoryRow) TableName() string { return "kb_categories" }

type entryRow struct {
	TenantID       uuid.UUID `gorm:"primaryKey"`
	ID             uuid.UUID `gorm:"primaryKey"`
	Kind           string
	Status         string
	CategoryID     *uuid.UUID
	Locale         string
	Title          string
	Content        string
	HTML           string `gorm:"column:html"`
	SearchText     string
	ExpiresAt      *time.Time
	Version        int
	Live           *string
	LiveVersion    *int
	LiveCategoryID *uuid.UUID
	LiveLocale     *string
	LiveExpiresAt  *time.Time
	PublishedAt    *time.Time
	CreatedBy      *uuid.UUID
	UpdatedBy      *uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (entryRow) TableName() string { return "kb_entries" }

type tagRow struct {
	TenantID uuid.UUID `gorm:"primaryKey"`
	EntryID  uuid.UUID `gorm:"primaryKey"`
	Tag      string    `gorm:"primaryKey"`
}

func (tagRow) TableName() string { return "kb_entry_tags" }

type versionRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	EntryID   uuid.UUID `gorm:"primaryKey"`
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Action    string
	Status    string
	Content   string
	Note      string
	AuthorID  *uuid.UUID
	CreatedAt time.Time
}

func (versionRow) TableName() string { return "kb_versions" }

type stateRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	Revision  int64
	FoldedAt  time.Time
	UpdatedAt time.Time
}

func (stateRow) TableName() string { return "kb_state" }

// Store implements knowledge.Store.
type Store struct{ DB *db.DB }

var _ knowledge.Store = (*Store)(nil)

// encode writes content JSON without HTML escaping, which would only make it longer.
func encode(c knowledge.Content) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return "", fmt.Errorf("encode knowledge content: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func decode(s string) (knowledge.Content, error) {
	var c knowledge.Content
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, fmt.Errorf("decode knowledge content: %w", err)
	}
	return c, nil
}

// ---- categories -----------------------------------------------------------------

func toCategoryRow(c *knowledge.Category) (categoryRow, error) {
	name, err := json.Marshal(c.Name)
	if err != nil {
		return categoryRow{}, fmt.Errorf("encode category name: %w", err)
	}
	return categoryRow{TenantID: c.TenantID, ID: c.ID, ParentID: c.ParentID, Position: c.Position, Name: string(name),
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}, nil
}

func (r categoryRow) category() (knowledge.Category, error) {
	c := knowledge.Category{ID: r.ID, TenantID: r.TenantID, ParentID: r.ParentID, Position: r.Position,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Name), &c.Name); err != nil {
		return c, fmt.Errorf("decode category %s name: %w", r.ID, err)
	}
	return c, nil
}

func (s *Store) CreateCategory(ctx context.Context, c *knowledge.Category) error {
	r, err := toCategoryRow(c)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("create category: %w", err)
		}
		return nil
	})
}

func (s *Store) UpdateCategory(ctx context.Context, c *knowledge.Category) error {
	r, err := toCategoryRow(c)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&categoryRow{}).Where("id = ?", c.ID).Updates(map[string]any{
			"parent_id": r.ParentID, "position": r.Position, "name": r.Name, "updated_at": r.UpdatedAt,
		})
		if res.Error != nil {
			return fmt.Errorf("update category %s: %w", c.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return knowledge.ErrCategoryNotFound
		}
		return nil
	})
}

func (s *Store) GetCategory(ctx context.Context, id uuid.UUID) (knowledge.Category, error) {
	var r categoryRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("id = ?", id).Take(&r).Error
	})
	if db.IsNotFound(err) {
		return knowledge.Category{}, knowledge.ErrCategoryNotFound
	}
	if err != nil {
		return knowledge.Category{}, fmt.Errorf("get category %s: %w", id, err)
	}
	return r.category()
}

func (s *Store) ListCategories(ctx context.Context) ([]knowledge.Category, error) {
	var out []knowledge.Category
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		out, err = listCategories(tx)
		return err
	})
	return out, err
}

func listCategories(tx *gorm.DB) ([]knowledge.Category, error) {
	var rows []categoryRow
	if err := tx.Order("position, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	out := make([]knowledge.Category, 0, len(rows))
	for _, r := range rows {
		c, err := r.category()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Store) CategoryUsage(ctx context.Context, id uuid.UUID) (children, entries int, err error) {
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&categoryRow{}).Where("parent_id = ?", id).Count(&n).Error; err != nil {
			return fmt.Errorf("count subcategories: %w", err)
		}
		children = int(n)
		if err := tx.Model(&entryRow{}).Where("(category_id = ? OR live_category_id = ?)", id, id).Count(&n).Error; err != nil {
			return fmt.Errorf("count category entries: %w", err)
		}
		entries = int(n)
		return nil
	})
	return children, entries, err
}

func (s *Store) DeleteCategory(ctx context.Context, id uuid.UUID) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Delete(&categoryRow{})
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
				return knowledge.ErrCategoryNotEmpty
			}
			return fmt.Errorf("delete category %s: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return knowledge.ErrCategoryNotFound
		}
		return nil
	})
}

// ---- entries --------------------------------------------------------------------

func toEntryRow(e *knowledge.Entry) (entryRow, error) {
	work := e.Content
	html := work.HTML
	work.HTML = ""
	content, err := encode(work)
	if err != nil {
		return entryRow{}, err
	}
	r := entryRow{TenantID: e.TenantID, ID: e.ID, Kind: string(e.Kind), Status: string(e.Status), CategoryID: work.CategoryID,
		Locale: work.Locale, Title: work.Heading(e.Kind), Content: content, HTML: html, SearchText: searchText(&work),
		ExpiresAt: work.ExpiresAt, Version: e.Version, PublishedAt: e.PublishedAt, CreatedBy: e.CreatedBy, UpdatedBy: e.UpdatedBy,
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	if e.Live != nil {
		live, err := encode(*e.Live)
		if err != nil {
			return entryRow{}, err
		}
		v := e.LiveVersion
		r.Live, r.LiveVersion, r.LiveCategoryID, r.LiveLocale, r.LiveExpiresAt = &live, &v, e.Live.CategoryID, &e.Live.Locale, e.Live.ExpiresAt
	}
	return r, nil
}

// searchText is what the q filter looks in: every text of the working copy, lower-cased.
func searchText(c *knowledge.Content) string {
	parts := []string{c.Title, c.Body, c.Question, c.Answer}
	parts = append(parts, c.SimilarQuestions...)
	kinds := make([]string, 0, len(c.ChannelAnswers))
	for k := range c.ChannelAnswers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		parts = append(parts, c.ChannelAnswers[k])
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

func (r entryRow) entry() (knowledge.Entry, error) {
	e := knowledge.Entry{ID: r.ID, TenantID: r.TenantID, Kind: knowledge.Kind(r.Kind), Status: knowledge.Status(r.Status),
		Version: r.Version, PublishedAt: utcPtr(r.PublishedAt), CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	var err error
	if e.Content, err = decode(r.Content); err != nil {
		return e, fmt.Errorf("entry %s: %w", r.ID, err)
	}
	e.Content.HTML = r.HTML
	if r.Live != nil {
		live, err := decode(*r.Live)
		if err != nil {
			return e, fmt.Errorf("entry %s live copy: %w", r.ID, err)
		}
		e.Live = &live
		if r.LiveVersion != nil {
			e.LiveVersion = *r.LiveVersion
		}
	}
	return e, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Store) CreateEntry(ctx context.Context, e *knowledge.Entry) error {
	r, err := toEntryRow(e)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return knowledge.ErrUnknownCategory
			}
			return fmt.Errorf("create %s: %w", e.Kind, err)
		}
		return writeTags(tx, e)
	})
}

func writeTags(tx *gorm.DB, e *knowledge.Entry) error {
	if err := tx.Where("entry_id = ?", e.ID).Delete(&tagRow{}).Error; err != nil {
		return fmt.Errorf("clear tags of %s: %w", e.ID, err)
	}
	if len(e.Content.Tags) == 0 {
		return nil
	}
	rows := make([]tagRow, len(e.Content.Tags))
	for i, t := range e.Content.Tags {
		rows[i] = tagRow{TenantID: e.TenantID, EntryID: e.ID, Tag: t}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("write tags of %s: %w", e.ID, err)
	}
	return nil
}

func (s *Store) GetEntry(ctx context.Context, kind knowledge.Kind, id uuid.UUID, lock bool) (knowledge.Entry, error) {
	var r entryRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Where("id = ? AND kind = ?", id, string(kind))
		if lock && s.DB.Dialect() == db.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		return q.Take(&r).Error
	})
	if db.IsNotFound(err) {
		return knowledge.Entry{}, knowledge.NotFound(kind)
	}
	if err != nil {
		return knowledge.Entry{}, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	e, err := r.entry()
	if err != nil {
		return e, err
	}
	es := []knowledge.Entry{e}
	if err := s.withFeedback(ctx, es); err != nil {
		return e, err
	}
	return es[0], nil
}

func (s *Store) UpdateEntry(ctx context.Context, e *knowledge.Entry) error {
	r, err := toEntryRow(e)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&entryRow{}).Where("id = ? AND kind = ?", e.ID, string(e.Kind)).Updates(map[string]any{
			"status": r.Status, "category_id": r.CategoryID, "locale": r.Locale, "title": r.Title, "content": r.Content,
			"html": r.HTML, "search_text": r.SearchText, "expires_at": r.ExpiresAt, "version": r.Version, "live": r.Live, "live_version": r.LiveVersion,
			"live_category_id": r.LiveCategoryID, "live_locale": r.LiveLocale, "live_expires_at": r.LiveExpiresAt,
			"published_at": r.PublishedAt, "updated_by": r.UpdatedBy, "updated_at": r.UpdatedAt,
		})
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
				return knowledge.ErrUnknownCategory
			}
			return fmt.Errorf("update %s %s: %w", e.Kind, e.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return knowledge.NotFound(e.Kind)
		}
		return writeTags(tx, e)
	})
}

func (s *Store) DeleteEntry(ctx context.Context, kind knowledge.Kind, id uuid.UUID) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Tags and versions go by ON DELETE CASCADE (kefu's SQLite DSN turns foreign
		// keys on).
		res := tx.Where("id = ? AND kind = ?", id, string(kind)).Delete(&entryRow{})
		if res.Error != nil {
			return fmt.Errorf("delete %s %s: %w", kind, id, res.Error)
		}
		if res.RowsAffected == 0 {
			return knowledge.NotFound(kind)
		}
		return nil
	})
}

// effectiveExpiry is the expiry date staleness is judged by: the live copy's when there
// is one, else the working copy's (knowledge.Service.stale says the same in Go).
const effectiveExpiry = "(CASE WHEN live IS NOT NULL THEN live_expires_at ELSE expires_at END)"

func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
}

func (s *Store) ListEntries(ctx context.Context, f knowledge.Filter) ([]knowledge.Entry, error) {
	var rows []entryRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Model(&entryRow{}).Where("kind = ?", string(f.Kind))
		if f.Status != "" {
			q = q.Where("status = ?", string(f.Status))
		}
		if f.CategoryID != nil {
			q = q.Where("category_id = ?", *f.CategoryID)
		}
		if f.Locale != "" {
			q = q.Where("locale = ?", f.Locale)
		}
		if f.Tag != "" {
			q = q.Where("id IN (?)", tx.Model(&tagRow{}).Select("entry_id").Where("tag = ?", f.Tag))
		}
		if f.Stale != nil {
			now := f.Now.UTC()
			if *f.Stale {
				q = q.Where("status <> 'archived' AND "+effectiveExpiry+" <= ?", now)
			} else {
				q = q.Where("(status = 'archived' OR "+effectiveExpiry+" IS NULL OR "+effectiveExpiry+" > ?)", now)
			}
		}
		if f.Query != "" {
			like := likePattern(f.Query)
			q = q.Where(`search_text LIKE ? ESCAPE '\'`, like)
		}
		if f.Before != nil {
			q = q.Where("id < ?", *f.Before)
		}
		q = q.Order("id DESC")
		if f.Limit > 0 {
			q = q.Limit(f.Limit)
		}
		return q.Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list %s entries: %w", f.Kind, err)
	}
	out := make([]knowledge.Entry, 0, len(rows))
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := s.withFeedback(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ---- feedback -------------------------------------------------------------------

type feedbackRow struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	EntryID    uuid.UUID `gorm:"primaryKey"`
	Helpful    int64
	NotHelpful int64
	UpdatedAt  time.Time
}

func (feedbackRow) TableName() string { return "kb_feedback" }

// feedbackBatch bounds the ids of one IN list (SQLite allows 32766 parameters).
const feedbackBatch = 500

// withFeedback fills in the entries' feedback counts. It is a query of its own, not a
// join, because GetEntry may lock its row FOR UPDATE, which PostgreSQL refuses on the
// nullable side of an outer join.
func (s *Store) withFeedback(ctx context.Context, es []knowledge.Entry) error {
	if len(es) == 0 {
		return nil
	}
	counts := map[uuid.UUID]feedbackRow{}
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		for i := 0; i < len(es); i += feedbackBatch {
			ids := make([]uuid.UUID, 0, feedbackBatch)
			for _, e := range es[i:min(i+feedbackBatch, len(es))] {
				ids = append(ids, e.ID)
			}
			var rows []feedbackRow
			if err := tx.Where("entry_id IN ?", ids).Find(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				counts[r.EntryID] = r
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read knowledge feedback: %w", err)
	}
	for i := range es {
		r := counts[es[i].ID]
		es[i].Helpful, es[i].NotHelpful = r.Helpful, r.NotHelpful
	}
	return nil
}

func (s *Store) AddFeedback(ctx context.Context, entryID uuid.UUID, helpful bool, now time.Time) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	r := feedbackRow{TenantID: tid, EntryID: entryID, UpdatedAt: now.UTC()}
	col := "not_helpful"
	if helpful {
		r.Helpful, col = 1, "helpful"
	} else {
		r.NotHelpful = 1
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "tenant_id"}, {Name: "entry_id"}},
			DoUpdates: clause.Assignments(map[string]any{
				col:          gorm.Expr("kb_feedback." + col + " + 1"),
				"updated_at": r.UpdatedAt,
			}),
		}).Create(&r).Error
		if errors.Is(err, gorm.ErrForeignKeyViolated) {
			return knowledge.ErrArticleNotFound
		}
		if err != nil {
			return fmt.Errorf("count feedback for %s: %w", entryID, err)
		}
		return nil
	})
}

// ---- versions -------------------------------------------------------------------

func (s *Store) AddVersion(ctx context.Context, v *knowledge.Version) error {
	content, err := encode(v.Content)
	if err != nil {
		return err
	}
	r := versionRow{EntryID: v.EntryID, Version: v.Version, Action: string(v.Action), Status: string(v.Status),
		Content: content, Note: v.Note, AuthorID: v.AuthorID, CreatedAt: v.CreatedAt.UTC()}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("add version %d of %s: %w", v.Version, v.EntryID, err)
		}
		return nil
	})
}

func (r versionRow) version() (knowledge.Version, error) {
	v := knowledge.Version{EntryID: r.EntryID, Version: r.Version, Action: knowledge.Action(r.Action),
		Status: knowledge.Status(r.Status), Note: r.Note, AuthorID: r.AuthorID, CreatedAt: r.CreatedAt.UTC()}
	var err error
	if v.Content, err = decode(r.Content); err != nil {
		return v, fmt.Errorf("version %d of %s: %w", r.Version, r.EntryID, err)
	}
	return v, nil
}

func (s *Store) ListVersions(ctx context.Context, entryID uuid.UUID, before, limit int) ([]knowledge.Version, error) {
	var rows []versionRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Where("entry_id = ?", entryID)
		if before > 0 {
			q = q.Where("version < ?", before)
		}
		return q.Order("version DESC").Limit(limit).Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", entryID, err)
	}
	out := make([]knowledge.Version, 0, len(rows))
	for _, r := range rows {
		v, err := r.version()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Store) GetVersion(ctx context.Context, entryID uuid.UUID, version int) (knowledge.Version, error) {
	var r versionRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("entry_id = ? AND version = ?", entryID, version).Take(&r).Error
	})
	if db.IsNotFound(err) {
		return knowledge.Version{}, knowledge.ErrVersionNotFound
	}
	if err != nil {
		return knowledge.Version{}, fmt.Errorf("get version %d of %s: %w", version, entryID, err)
	}
	return r.version()
}

// ---- revision and live content ----------------------------------------------------

// The revision a reader sees is the stored revision plus the number of live expiry
// dates that passed since folded_at. Each change to live content adds one to the
// stored revision and folds in the expiry dates passed so far (moving folded_at to
// now), so the visible revision grows with each change and each expiry, and never
// shrinks. The fold must count the rows as they were before the change: archiving an
// entry whose expiry passed after the last fold removes one from the count, which the
// +1 of the change would otherwise only cancel.

// BumpRevision adds one change to the tenant's live revision, folding in passed expiry
// dates. One statement: the upsert's row lock also serialises concurrent changes.
func (s *Store) BumpRevision(ctx context.Context, now time.Time) error {
	now = now.UTC()
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := stateRow{Revision: 1, FoldedAt: now, UpdatedAt: now}
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.Assignments(map[string]any{
				"revision": gorm.Expr(`kb_state.revision + 1 + (SELECT count(*) FROM kb_entries e
					WHERE e.tenant_id = kb_state.tenant_id AND e.live IS NOT NULL
					AND e.live_expires_at > kb_state.folded_at AND e.live_expires_at <= ?)`, now),
				"folded_at":  now,
				"updated_at": now,
			}),
		}).Create(&r).Error
		if err != nil {
			return fmt.Errorf("bump knowledge revision: %w", err)
		}
		return nil
	})
}

func revision(tx *gorm.DB, now time.Time) (int64, error) {
	var st stateRow
	res := tx.Limit(1).Find(&st)
	if res.Error != nil {
		return 0, fmt.Errorf("read knowledge revision: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, nil
	}
	var passed int64
	if err := tx.Model(&entryRow{}).Where("live IS NOT NULL AND live_expires_at > ? AND live_expires_at <= ?", st.FoldedAt.UTC(), now).
		Count(&passed).Error; err != nil {
		return 0, fmt.Errorf("count expired knowledge: %w", err)
	}
	return st.Revision + passed, nil
}

func (s *Store) Revision(ctx context.Context, now time.Time) (int64, error) {
	var rev int64
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		rev, err = revision(tx, now.UTC())
		return err
	})
	return rev, err
}

// Live reads everything in one transaction, so the entries are those of the revision.
// On SQLite a read outside a transaction is a snapshot only per statement, hence the
// write transaction there too.
func (s *Store) Live(ctx context.Context, now time.Time) (knowledge.LiveSet, error) {
	now = now.UTC()
	var set knowledge.LiveSet
	err := s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if set.Revision, err = revision(tx, now); err != nil {
			return err
		}
		var rows []entryRow
		if err := tx.Where("live IS NOT NULL AND (live_expires_at IS NULL OR live_expires_at > ?)", now).
			Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("read live knowledge: %w", err)
		}
		set.Entries = make([]knowledge.Entry, 0, len(rows))
		for _, r := range rows {
			e, err := r.entry()
			if err != nil {
				return err
			}
			set.Entries = append(set.Entries, e)
			if x := e.Live.ExpiresAt; x != nil && (set.NextExpiry == nil || x.Before(*set.NextExpiry)) {
				t := x.UTC()
				set.NextExpiry = &t
			}
		}
		set.Categories, err = listCategories(tx)
		return err
	})
	return set, err
}
