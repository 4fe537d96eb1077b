package identity

import (
	"time"

	"github.com/google/uuid"
)

// Database rows. Global tables (users, sessions, refresh tokens, recovery codes) have no
// TenantID; tenant tables do, which puts them under the db package's tenant guard.

type userRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	Email        string
	Name         string
	PasswordHash string
	IsOperator   bool
	TOTPSecret   string `gorm:"column:totp_secret"`
	TOTPEnabled  bool   `gorm:"column:totp_enabled"`
	TOTPLastStep int64  `gorm:"column:totp_last_step"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

type sessionRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	UserID       uuid.UUID
	IP           string
	UserAgent    string
	CreatedAt    time.Time
	LastUsedAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason string
}

func (sessionRow) TableName() string { return "sessions" }

type refreshRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	SessionID uuid.UUID
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (refreshRow) TableName() string { return "refresh_tokens" }

type recoveryRow struct {
	UserID    uuid.UUID `gorm:"primaryKey"`
	CodeHash  string    `gorm:"primaryKey"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (recoveryRow) TableName() string { return "recovery_codes" }

type membershipRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	UserID    uuid.UUID
	Role      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (membershipRow) TableName() string { return "memberships" }

type roleRow struct {
	TenantID    uuid.UUID `gorm:"primaryKey"`
	ID          uuid.UUID `gorm:"primaryKey"`
	Name        string
	Description string
	Permissions string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (roleRow) TableName() string { return "roles" }

type invitationRow struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	ID         uuid.UUID `gorm:"primaryKey"`
	Email      string
	Role       string
	TokenHash  string
	InvitedBy  *uuid.UUID
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

func (invitationRow) TableName() string { return "invitations" }

type apiKeyRow struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	ID         uuid.UUID `gorm:"primaryKey"`
	Name       string
	Prefix     string
	KeyHash    string
	Role       string
	CreatedBy  *uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }
