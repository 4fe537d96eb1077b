// Package identity is kefu's identity engine: global users with Argon2id passwords,
// sessions with rotating refresh tokens, EdDSA access tokens, TOTP two-factor
// authentication, per-tenant memberships, invitations, custom roles and API keys.
package identity

import (
	"context"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/identity/password"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/tenants"
)

// Mail is one outgoing message.
type Mail struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends mail. The default writes messages to the data directory and logs that
// it did (never the body, which holds links with secrets).
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Authorizer is the slice of the permission engine identity needs.
type Authorizer interface {
	Allowed(ctx context.Context, tenantID uuid.UUID, subject string, perm authz.Permission) (bool, error)
	PermissionsOf(ctx context.Context, tenantID uuid.UUID, subject string) ([]authz.Permission, error)
	// Changed is called after a tenant's roles, memberships or keys change, so every
	// node reloads that tenant's policy.
	Changed(ctx context.Context, tenantID uuid.UUID) error
}

// Config holds lifetimes and limits. Zero values get defaults in New.
type Config struct {
	AccessTTL     time.Duration // ≤ 15 min
	RefreshTTL    time.Duration // a refresh token's own life
	SessionTTL    time.Duration // absolute session life; refreshing never extends it
	InvitationTTL time.Duration
	// PasswordResetTTL is how long a reset link works.
	PasswordResetTTL time.Duration
	// PublicURL prefixes links in mail (invitation accept page).
	PublicURL string
	// Throttles.
	AccountFailures ratelimit.Rule
	IPFailures      ratelimit.Rule
	TOTPFailures    ratelimit.Rule
	Signups         ratelimit.Rule
	// Reset mails per address and per IP: each one sends mail, so they are scarce.
	ResetsPerAccount ratelimit.Rule
	ResetsPerIP      ratelimit.Rule
}

// Service is the identity engine.
type Service struct {
	db      *db.DB
	cfg     Config
	hasher  *password.Hasher
	signer  *Signer
	box     *crypt.Box
	limiter *ratelimit.Limiter
	audit   *audit.Log
	authz   Authorizer
	tenants *tenants.Service
	mailer  Mailer
	jobs    Jobs
	log     *slog.Logger
	now     func() time.Time
}

// Deps are the Service's collaborators.
type Deps struct {
	DB      *db.DB
	Secret  []byte // the server secret; signing and encryption keys derive from it
	Hasher  *password.Hasher
	Limiter *ratelimit.Limiter
	Audit   *audit.Log
	Authz   Authorizer
	Tenants *tenants.Service
	Mailer  Mailer
	Jobs    Jobs
	Logger  *slog.Logger
	Now     func() time.Time
}

// New builds the engine.
func New(d Deps, cfg Config) (*Service, error) {
	if cfg.AccessTTL <= 0 || cfg.AccessTTL > 15*time.Minute {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 14 * 24 * time.Hour
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = 7 * 24 * time.Hour
	}
	if cfg.PasswordResetTTL <= 0 {
		cfg.PasswordResetTTL = time.Hour
	}
	def := func(r *ratelimit.Rule, name string, limit int64, w time.Duration) {
		if r.Limit == 0 {
			*r = ratelimit.Rule{Name: name, Limit: limit, Window: w}
		}
	}
	def(&cfg.AccountFailures, "login-account", 10, 15*time.Minute)
	def(&cfg.IPFailures, "login-ip", 100, 15*time.Minute)
	def(&cfg.TOTPFailures, "totp", 5, 15*time.Minute)
	def(&cfg.Signups, "signup-ip", 20, time.Hour)
	def(&cfg.ResetsPerAccount, "reset-account", 5, time.Hour)
	def(&cfg.ResetsPerIP, "reset-ip", 30, time.Hour)
	now := d.Now
	if now == nil {
		now = time.Now
	}
	box, err := crypt.NewBox(map[int][]byte{1: crypt.DeriveKey(d.Secret, "kefu/fields/v1", 32)}, 1)
	if err != nil {
		return nil, err
	}
	hasher := d.Hasher
	if hasher == nil {
		hasher = password.NewHasher(password.DefaultParams(), 0)
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		db: d.DB, cfg: cfg, hasher: hasher, signer: NewSigner(d.Secret, cfg.AccessTTL, now), box: box,
		limiter: d.Limiter, audit: d.Audit, authz: d.Authz, tenants: d.Tenants, mailer: d.Mailer, jobs: d.Jobs, log: log,
		now: func() time.Time { return now().UTC() },
	}, nil
}

// Signer exposes token signing for tests and tools.
func (s *Service) Signer() *Signer { return s.signer }

// NormalizeEmail lower-cases and trims an address and checks its form.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) < 3 || len(e) > 254 {
		return "", ErrInvalidEmail
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return "", ErrInvalidEmail
	}
	return e, nil
}

func validateUserName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if c := utf8.RuneCountInString(n); c < 1 || c > 100 {
		return "", ErrInvalidUserName
	}
	return n, nil
}

func newID() uuid.UUID {
	// NewV7 fails only when crypto/rand does, which since Go 1.24 aborts the process
	// instead of returning; Must cannot fire.
	return uuid.Must(uuid.NewV7())
}

// emailKey keeps addresses out of Redis keys.
func emailKey(email string) string { return crypt.SHA256Hex("email:" + email)[:32] }
