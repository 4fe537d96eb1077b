// Package canneddb stores canned responses.
package canneddb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/canned"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// Store implements canned.Store.
type Store struct{ DB *db.DB }

type row struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	OwnerID   *uuid.UUID
	Shortcut  string
	Title     string
	Text      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (row) TableName() string { return "canned_responses" }

func (r row) response() canned.Response {
	out := canned.Response{ID: r.ID, OwnerID: r.OwnerID, Shortcut: r.Shortcut, Title: r.Title, Text: r.Text,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Scope: canned.Shared}
	if r.OwnerID != nil {
		out.Scope = canned.Personal
	}
	return out
}

// likeEscape makes q a literal LIKE pattern (backslash is the escape on both databases).
func likeEscape(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

func (s *Store) List(ctx context.Context, owner uuid.UUID, q string, limit int) ([]canned.Response, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []row
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		qq := tx.Where("tenant_id = ? AND (owner_id IS NULL OR owner_id = ?)", tid, owner)
		if q != "" {
			p := "%" + likeEscape(strings.ToLower(q)) + "%"
			qq = qq.Where(`(lower(shortcut) LIKE ? ESCAPE '\' OR lower(title) LIKE ? ESCAPE '\' OR lower(text) LIKE ? ESCAPE '\')`, p, p, p)
		}
		return qq.Order("lower(shortcut), owner_id, id").Limit(limit).Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	out := make([]canned.Response, len(rows))
	for i, r := range rows {
		out[i] = r.response()
	}
	return out, nil
}

func (s *Store) Get(ctx context.Context, id uuid.UUID) (canned.Response, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return canned.Response{}, err
	}
	var rows []row
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("tenant_id = ? AND id = ?", tid, id).Limit(1).Find(&rows).Error
	})
	if err != nil {
		return canned.Response{}, fmt.Errorf("read canned response: %w", err)
	}
	if len(rows) == 0 {
		return canned.Response{}, canned.ErrNotFound
	}
	return rows[0].response(), nil
}

func (s *Store) Create(ctx context.Context, r *canned.Response) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Create(&row{TenantID: tid, ID: r.ID, OwnerID: r.OwnerID, Shortcut: r.Shortcut, Title: r.Title, Text: r.Text,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}).Error
	})
	if db.IsUniqueViolation(err) {
		return canned.ErrShortcutTaken.WithField("shortcut")
	}
	return err
}

func (s *Store) Update(ctx context.Context, r *canned.Response) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&row{}).Where("tenant_id = ? AND id = ?", tid, r.ID).Updates(map[string]any{
			"shortcut": r.Shortcut, "title": r.Title, "text": r.Text, "updated_at": r.UpdatedAt.UTC()})
		if res.Error == nil && res.RowsAffected == 0 {
			return canned.ErrNotFound
		}
		return res.Error
	})
	if db.IsUniqueViolation(err) {
		return canned.ErrShortcutTaken.WithField("shortcut")
	}
	return err
}

func (s *Store) Delete(ctx context.Context, id uuid.UUID) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND id = ?", tid, id).Delete(&row{})
		if res.Error == nil && res.RowsAffected == 0 {
			return canned.ErrNotFound
		}
		return res.Error
	})
}

func (s *Store) Count(ctx context.Context) (int, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&row{}).Where("tenant_id = ?", tid).Count(&n).Error
	})
	return int(n), err
}
