package tenants

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	userKey
	acrossKey
)

// ErrNoTenant is returned by stores asked for tenant data without a tenant in the
// context: they fail closed rather than return every tenant's rows.
var ErrNoTenant = errors.New("tenants: no tenant in context")

// ErrTenantMismatch is returned when a row being written names a tenant other than
// the context's.
var ErrTenantMismatch = errors.New("tenants: row belongs to another tenant")

// NewContext returns ctx scoped to one tenant. The id must come from a verified token
// and the request path, never from a request body.
func NewContext(ctx context.Context, tenantID uuid.UUID) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// FromContext returns the tenant the context is scoped to.
func FromContext(ctx context.Context) (uuid.UUID, bool) {
	id, ok := ctx.Value(tenantKey).(uuid.UUID)
	if !ok || id == uuid.Nil {
		return uuid.Nil, false
	}
	return id, true
}

// Require returns the context's tenant or ErrNoTenant.
func Require(ctx context.Context) (uuid.UUID, error) {
	id, ok := FromContext(ctx)
	if !ok {
		return uuid.Nil, ErrNoTenant
	}
	return id, nil
}

// NewUserContext records the authenticated user. On PostgreSQL it lets row-level
// security show a user their own memberships across tenants, and nothing else.
func NewUserContext(ctx context.Context, userID uuid.UUID) context.Context {
	return context.WithValue(ctx, userKey, userID)
}

// UserFromContext returns the authenticated user recorded by NewUserContext.
func UserFromContext(ctx context.Context) (uuid.UUID, bool) {
	id, ok := ctx.Value(userKey).(uuid.UUID)
	if !ok || id == uuid.Nil {
		return uuid.Nil, false
	}
	return id, true
}

// AcrossTenants marks a context whose queries deliberately span tenants (a user's own
// memberships, operator tooling). The reason is for code review and grep: every
// cross-tenant read is named. Row-level security still applies on PostgreSQL.
func AcrossTenants(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, acrossKey, reason)
}

// IsAcrossTenants reports whether ctx was marked by AcrossTenants.
func IsAcrossTenants(ctx context.Context) bool {
	r, _ := ctx.Value(acrossKey).(string)
	return r != ""
}
