// Package audit writes the append-only logs: the tenant audit log (member, role,
// permission, API key, settings and status changes) and the global security-event log
// (authentication events, which belong to a user rather than a tenant). Neither ever
// holds tokens, passwords or secrets; the database role can only INSERT and SELECT.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// Actor is who did something, with request metadata, carried in the context.
type Actor struct {
	Type      string // user, apikey, operator, system, anonymous
	ID        string
	IP        string
	RequestID string
}

type actorKey struct{}

// WithActor records the actor for entries written under ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor (type "system" when none was set).
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Type: "system"}
}

// Entry is one tenant audit-log row.
type Entry struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	ID         uuid.UUID `gorm:"primaryKey"`
	ActorType  string
	ActorID    string
	Action     string
	TargetType string
	TargetID   string
	Data       string
	IP         string
	RequestID  string
	CreatedAt  time.Time
}

func (Entry) TableName() string { return "audit_log" }

// SecurityEvent is one authentication event.
type SecurityEvent struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	UserID    *uuid.UUID
	Action    string
	IP        string
	RequestID string
	Data      string
	CreatedAt time.Time
}

func (SecurityEvent) TableName() string { return "security_events" }

// Log writes audit entries through the database.
type Log struct {
	DB  *db.DB
	Now func() time.Time
}

// Record appends to the tenant audit log of ctx's tenant.
func (l *Log) Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error {
	if _, err := tenants.Require(ctx); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a := ActorFrom(ctx)
	e := Entry{ID: newID(), ActorType: a.Type, ActorID: a.ID, Action: action, TargetType: targetType, TargetID: targetID,
		Data: encode(data), IP: a.IP, RequestID: a.RequestID, CreatedAt: l.now()}
	return l.insert(ctx, action, &e)
}

// Security appends an authentication event for a user (nil for an unknown account:
// the attempted email is never stored, to keep PII out of the log).
func (l *Log) Security(ctx context.Context, userID *uuid.UUID, action string, data map[string]any) error {
	a := ActorFrom(ctx)
	e := SecurityEvent{ID: newID(), UserID: userID, Action: action, IP: a.IP, RequestID: a.RequestID, Data: encode(data), CreatedAt: l.now()}
	return l.insert(ctx, action, &e)
}

// insert writes one row inside ctx's transaction, if any, so an entry commits or rolls
// back with the change it describes.
func (l *Log) insert(ctx context.Context, action string, row any) error {
	return l.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(row).Error; err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
		return nil
	})
}

func encode(data map[string]any) string {
	b, err := json.Marshal(data)
	if err != nil || data == nil {
		return "{}"
	}
	return string(b)
}

// newID cannot fail: since Go 1.24 crypto/rand aborts the process rather than return
// an error, which is the only way uuid.NewV7 fails.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Filter pages through a tenant's audit log, newest first.
type Filter struct {
	Action string
	Before uuid.UUID
	Limit  int
}

// List returns ctx's tenant's audit entries.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []Entry
	err := l.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Order("id DESC").Limit(f.Limit)
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if f.Before != uuid.Nil {
			q = q.Where("id < ?", f.Before)
		}
		return q.Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return out, nil
}

// SecurityEvents returns a user's recent authentication events, newest first.
func (l *Log) SecurityEvents(ctx context.Context, userID uuid.UUID, limit int) ([]SecurityEvent, error) {
	var out []SecurityEvent
	err := l.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error
	})
	return out, err
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now().UTC()
	}
	return time.Now().UTC()
}
