// Package channelsdb is the GORM store of channels.
package channelsdb

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

type channelRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	Connector string
	Name      string
	Config    string
	Secrets   string
	Enabled   bool
	CreatedBy *uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
}

func (channelRow) TableName() string { return "channels" }

func toRow(r *channels.Record) channelRow {
	return channelRow{TenantID: r.TenantID, ID: r.ID, Connector: r.Connector, Name: r.Name, Config: string(r.Config),
		Secrets: r.Secrets, Enabled: r.Enabled, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (c channelRow) record() channels.Record {
	return channels.Record{ID: c.ID, TenantID: c.TenantID, Connector: c.Connector, Name: c.Name, Config: []byte(c.Config),
		Secrets: c.Secrets, Enabled: c.Enabled, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

// Store implements channels.Store.
type Store struct{ DB *db.DB }

var _ channels.Store = (*Store)(nil)

func (s *Store) Create(ctx context.Context, r *channels.Record) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		row := toRow(r)
		if err := tx.Create(&row).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return channels.ErrNameTaken
			}
			return fmt.Errorf("create channel: %w", err)
		}
		return nil
	})
}

func (s *Store) Update(ctx context.Context, r *channels.Record) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&channelRow{}).Where("id = ? AND deleted_at IS NULL", r.ID).Updates(map[string]any{
			"name": r.Name, "config": string(r.Config), "secrets": r.Secrets, "enabled": r.Enabled, "updated_at": r.UpdatedAt.UTC(),
		})
		if res.Error != nil {
			if db.IsUniqueViolation(res.Error) {
				return channels.ErrNameTaken
			}
			return fmt.Errorf("update channel: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return channels.ErrNotFound
		}
		return nil
	})
}

func (s *Store) Delete(ctx context.Context, id uuid.UUID, at time.Time) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Soft delete keeps conversations' channel references valid; the name is freed.
		res := tx.Model(&channelRow{}).Where("id = ? AND deleted_at IS NULL", id).Updates(map[string]any{
			"deleted_at": at.UTC(), "enabled": false, "secrets": "", "updated_at": at.UTC(),
		})
		if res.Error != nil {
			return fmt.Errorf("delete channel: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return channels.ErrNotFound
		}
		return nil
	})
}

func (s *Store) Get(ctx context.Context, id uuid.UUID) (channels.Record, error) {
	var row channelRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("id = ? AND deleted_at IS NULL", id).Take(&row).Error
	})
	if db.IsNotFound(err) {
		return channels.Record{}, channels.ErrNotFound
	}
	if err != nil {
		return channels.Record{}, err
	}
	return row.record(), nil
}

func (s *Store) List(ctx context.Context) ([]channels.Record, error) {
	var rows []channelRow
	err := s.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("deleted_at IS NULL").Order("created_at").Find(&rows).Error
	})
	out := make([]channels.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, err
}

// pair is not named with a TenantID field: that name would put it under the tenant guard.
type pair struct {
	Tenant uuid.UUID `gorm:"column:tenant_id"`
	ID     uuid.UUID `gorm:"column:id"`
}

func (s *Store) TenantOf(ctx context.Context, id uuid.UUID) (uuid.UUID, bool, error) {
	var ps []pair
	var err error
	if s.DB.Dialect() == db.Postgres {
		err = s.DB.SQLRows(ctx, &ps, "SELECT kefu_channel_tenant(?) AS tenant_id, ? AS id", id, id)
		if len(ps) == 1 && ps[0].Tenant == uuid.Nil {
			ps = nil
		}
	} else {
		err = s.DB.View(tenants.AcrossTenants(ctx, "channel ingress routing"), func(ctx context.Context, tx *gorm.DB) error {
			return tx.Model(&channelRow{}).Select("tenant_id, id").Where("id = ? AND deleted_at IS NULL", id).Scan(&ps).Error
		})
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("route channel: %w", err)
	}
	if len(ps) == 0 {
		return uuid.Nil, false, nil
	}
	return ps[0].Tenant, true, nil
}

func (s *Store) ActiveOf(ctx context.Context, connector string) ([][2]uuid.UUID, error) {
	var ps []pair
	var err error
	if s.DB.Dialect() == db.Postgres {
		err = s.DB.SQLRows(ctx, &ps, "SELECT tenant_id, id FROM kefu_channels_of(?)", connector)
	} else {
		err = s.DB.View(tenants.AcrossTenants(ctx, "start a connector's channels"), func(ctx context.Context, tx *gorm.DB) error {
			return tx.Table("channels c").Select("c.tenant_id, c.id").Joins("JOIN tenants t ON t.id = c.tenant_id").
				Where("c.connector = ? AND c.enabled AND c.deleted_at IS NULL AND t.status = 'active'", connector).Scan(&ps).Error
		})
	}
	if err != nil {
		return nil, fmt.Errorf("list active channels: %w", err)
	}
	out := make([][2]uuid.UUID, len(ps))
	for i, p := range ps {
		out[i] = [2]uuid.UUID{p.Tenant, p.ID}
	}
	return out, nil
}
