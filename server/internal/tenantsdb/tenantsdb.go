// Package tenantsdb is the GORM store for tenants.Tenant.
package tenantsdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

type tenantRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	Name       string
	Slug       string
	Status     string
	Timezone   string
	Locale     string
	Require2FA bool `gorm:"column:require_2fa"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (tenantRow) TableName() string { return "tenants" }

func toRow(t *tenants.Tenant) tenantRow {
	return tenantRow{ID: t.ID, Name: t.Name, Slug: t.Slug, Status: string(t.Status), Timezone: t.Timezone,
		Locale: t.Locale, Require2FA: t.Require2FA, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

func (r tenantRow) tenant() tenants.Tenant {
	return tenants.Tenant{ID: r.ID, Name: r.Name, Slug: r.Slug, Status: tenants.Status(r.Status), Timezone: r.Timezone,
		Locale: r.Locale, Require2FA: r.Require2FA, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// Store implements tenants.Store.
type Store struct{ DB *db.DB }

var _ tenants.Store = (*Store)(nil)

func (s *Store) Create(ctx context.Context, t *tenants.Tenant) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := toRow(t)
		if err := tx.Create(&r).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("create tenant %q: %w", t.Slug, tenants.ErrSlugTaken)
			}
			return fmt.Errorf("create tenant: %w", err)
		}
		return nil
	})
}

func (s *Store) Get(ctx context.Context, id uuid.UUID) (tenants.Tenant, error) {
	return s.first(ctx, "id = ?", id)
}

func (s *Store) GetBySlug(ctx context.Context, slug string) (tenants.Tenant, error) {
	return s.first(ctx, "slug = ?", slug)
}

func (s *Store) first(ctx context.Context, cond string, arg any) (tenants.Tenant, error) {
	var r tenantRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where(cond, arg).Take(&r).Error
	})
	if db.IsNotFound(err) {
		return tenants.Tenant{}, tenants.ErrNotFound
	}
	if err != nil {
		return tenants.Tenant{}, fmt.Errorf("get tenant: %w", err)
	}
	return r.tenant(), nil
}

func (s *Store) SlugExists(ctx context.Context, slug string) (bool, error) {
	var n int64
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&tenantRow{}).Where("slug = ?", slug).Count(&n).Error
	})
	return n > 0, err
}

func (s *Store) List(ctx context.Context, f tenants.ListFilter) ([]tenants.Tenant, error) {
	var rows []tenantRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Order("id").Limit(f.Limit)
		if f.Status != "" {
			q = q.Where("status = ?", string(f.Status))
		}
		if f.Query != "" {
			like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
			q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\')", like, like)
		}
		if f.After != uuid.Nil {
			q = q.Where("id > ?", f.After)
		}
		return q.Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	out := make([]tenants.Tenant, len(rows))
	for i, r := range rows {
		out[i] = r.tenant()
	}
	return out, nil
}

func (s *Store) Update(ctx context.Context, t *tenants.Tenant) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := toRow(t)
		res := tx.Model(&tenantRow{}).Where("id = ?", t.ID).Updates(map[string]any{
			"name": r.Name, "status": r.Status, "timezone": r.Timezone, "locale": r.Locale,
			"require_2fa": r.Require2FA, "updated_at": r.UpdatedAt,
		})
		if res.Error != nil {
			return fmt.Errorf("update tenant: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return tenants.ErrNotFound
		}
		return nil
	})
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
