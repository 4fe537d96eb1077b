package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/identity/password"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/tenants"
)

// User is a global account.
type User struct {
	ID          uuid.UUID
	Email       string
	Name        string
	IsOperator  bool
	TOTPEnabled bool
	CreatedAt   time.Time
}

func (r userRow) user() User {
	return User{ID: r.ID, Email: r.Email, Name: r.Name, IsOperator: r.IsOperator, TOTPEnabled: r.TOTPEnabled, CreatedAt: r.CreatedAt}
}

// TokenPair is what a successful login returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds
	User         User
}

// ClientMeta describes the client for sessions and throttling.
type ClientMeta struct {
	IP        string
	UserAgent string
}

// SignupInput creates a tenant and its owner.
type SignupInput struct {
	TenantName string
	Name       string
	Email      string
	Password   string
}

// Signup creates a tenant, its first user (as owner) and a session, in one transaction.
func (s *Service) Signup(ctx context.Context, in SignupInput, meta ClientMeta) (tenants.Tenant, TokenPair, error) {
	if wait, err := s.limiter.Blocked(ctx, s.cfg.Signups, meta.IP); err != nil {
		return tenants.Tenant{}, TokenPair{}, err
	} else if wait > 0 {
		return tenants.Tenant{}, TokenPair{}, throttled(wait)
	}
	if err := tenants.ValidateName(in.TenantName); err != nil {
		return tenants.Tenant{}, TokenPair{}, errs.Invalidf("tenant_name", "Tenant name must be 1 to 100 characters.")
	}
	tid := newID()
	var (
		t    tenants.Tenant
		pair TokenPair
	)
	ctx = tenants.NewContext(ctx, tid)
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		u, err := s.createUser(ctx, in.Email, in.Name, in.Password, false)
		if err != nil {
			return err
		}
		ctx = audit.WithActor(ctx, actorFor(ctx, "user", u.ID.String()))
		if t, err = s.tenants.Create(ctx, tenants.CreateInput{ID: tid, Name: in.TenantName}); err != nil {
			return err
		}
		now := s.now()
		m := membershipRow{TenantID: tid, ID: newID(), UserID: u.ID, Role: "owner", CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("create owner membership: %w", err)
		}
		if err := s.audit.Record(ctx, "tenant.created", "tenant", tid.String(), map[string]any{"name": t.Name, "slug": t.Slug}); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "member.added", "member", m.ID.String(), map[string]any{"user_id": u.ID, "role": "owner"}); err != nil {
			return err
		}
		pair, err = s.startSession(ctx, u, meta)
		return err
	})
	if err != nil {
		return tenants.Tenant{}, TokenPair{}, err
	}
	_ = s.limiter.Hit(ctx, s.cfg.Signups, meta.IP)
	_ = s.authz.Changed(ctx, tid)
	return t, pair, nil
}

// CreateUser makes an account (CLI and invitations).
func (s *Service) CreateUser(ctx context.Context, email, name, pw string, operator bool) (User, error) {
	var u userRow
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		u, err = s.createUser(ctx, email, name, pw, operator)
		return err
	})
	return u.user(), err
}

func (s *Service) createUser(ctx context.Context, email, name, pw string, operator bool) (userRow, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return userRow{}, err
	}
	if name, err = validateUserName(name); err != nil {
		return userRow{}, err
	}
	local := email[:indexAt(email)]
	if err := password.Validate(pw, local, name); err != nil {
		return userRow{}, passwordError("password", err)
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return userRow{}, err
	}
	now := s.now()
	u := userRow{ID: newID(), Email: email, Name: name, PasswordHash: hash, IsOperator: operator, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Create(&u).Error })
	if db.IsUniqueViolation(err) {
		return userRow{}, ErrEmailTaken
	}
	if err != nil {
		return userRow{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func indexAt(email string) int {
	for i := len(email) - 1; i >= 0; i-- {
		if email[i] == '@' {
			return i
		}
	}
	return len(email)
}

func passwordError(field string, err error) error {
	var re *password.RuleError
	if errors.As(err, &re) {
		return &errs.Error{Kind: errs.Unprocessable, Code: re.Code, Message: re.Message, Field: field}
	}
	return err
}

func throttled(wait time.Duration) error {
	e := *ErrThrottled
	e.RetryAfter = int((wait + time.Second - 1) / time.Second)
	return &e
}

// Login checks a password (and TOTP code or recovery code when enrolled) and starts a
// session. Unknown accounts and wrong passwords look the same, in body and in time.
func (s *Service) Login(ctx context.Context, email, pw, code string, meta ClientMeta) (TokenPair, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		// Malformed addresses cannot exist; still do not reveal anything beyond 401.
		s.hasher.Dummy(ctx, pw)
		return TokenPair{}, ErrInvalidCredentials
	}
	acct := emailKey(norm)
	for _, c := range []struct {
		rule ratelimit.Rule
		key  string
	}{{s.cfg.AccountFailures, acct}, {s.cfg.IPFailures, meta.IP}} {
		wait, err := s.limiter.Blocked(ctx, c.rule, c.key)
		if err != nil {
			return TokenPair{}, err
		}
		if wait > 0 {
			return TokenPair{}, throttled(wait)
		}
	}
	fail := func(uid *uuid.UUID, reason string) error {
		_ = s.limiter.Hit(ctx, s.cfg.AccountFailures, acct)
		_ = s.limiter.Hit(ctx, s.cfg.IPFailures, meta.IP)
		_ = s.audit.Security(ctx, uid, "login.failed", map[string]any{"reason": reason})
		return ErrInvalidCredentials
	}
	var u userRow
	err = s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("email = ?", norm).Take(&u).Error })
	if db.IsNotFound(err) {
		s.hasher.Dummy(ctx, pw)
		return TokenPair{}, fail(nil, "unknown-account")
	}
	if err != nil {
		return TokenPair{}, fmt.Errorf("login: %w", err)
	}
	ok, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, pw)
	if err != nil {
		return TokenPair{}, fmt.Errorf("login: %w", err)
	}
	if !ok {
		return TokenPair{}, fail(&u.ID, "password")
	}
	if u.TOTPEnabled {
		if code == "" {
			return TokenPair{}, ErrTOTPRequired
		}
		if err := s.checkSecondFactor(ctx, &u, code); err != nil {
			return TokenPair{}, err
		}
	}
	_ = s.limiter.Reset(ctx, s.cfg.AccountFailures, acct)
	if rehash {
		if h, err := s.hasher.Hash(ctx, pw); err == nil {
			_ = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
				return tx.Model(&userRow{}).Where("id = ?", u.ID).Update("password_hash", h).Error
			})
		}
	}
	var pair TokenPair
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		pair, err = s.startSession(ctx, u, meta)
		if err != nil {
			return err
		}
		return s.audit.Security(ctx, &u.ID, "login.succeeded", map[string]any{"totp": u.TOTPEnabled})
	})
	return pair, err
}

// checkSecondFactor accepts a TOTP code (each time step once) or an unused recovery
// code, throttled per user.
func (s *Service) checkSecondFactor(ctx context.Context, u *userRow, code string) error {
	key := u.ID.String()
	if wait, err := s.limiter.Blocked(ctx, s.cfg.TOTPFailures, key); err != nil {
		return err
	} else if wait > 0 {
		return throttled(wait)
	}
	secret, err := s.openTOTPSecret(u)
	if err != nil {
		return err
	}
	if step, ok := crypt.TOTPValidate(secret, code, s.now(), u.TOTPLastStep); ok {
		// Conditional update: two concurrent logins with the same code cannot both win.
		var n int64
		err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			res := tx.Model(&userRow{}).Where("id = ? AND totp_last_step < ?", u.ID, step).Update("totp_last_step", step)
			n = res.RowsAffected
			return res.Error
		})
		if err != nil {
			return err
		}
		if n == 1 {
			u.TOTPLastStep = step
			return nil
		}
	} else if norm := crypt.NormalizeRecoveryCode(code); len(norm) >= 8 {
		var n int64
		err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			res := tx.Model(&recoveryRow{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", u.ID, crypt.SHA256Hex(norm)).
				Update("used_at", s.now())
			n = res.RowsAffected
			return res.Error
		})
		if err != nil {
			return err
		}
		if n == 1 {
			_ = s.audit.Security(ctx, &u.ID, "totp.recovery_code_used", nil)
			return nil
		}
	}
	_ = s.limiter.Hit(ctx, s.cfg.TOTPFailures, key)
	_ = s.audit.Security(ctx, &u.ID, "totp.failed", nil)
	return ErrInvalidTOTP
}

func (s *Service) totpAAD(userID uuid.UUID) []byte {
	return []byte("users|totp_secret|" + userID.String())
}

func (s *Service) openTOTPSecret(u *userRow) (string, error) {
	if u.TOTPSecret == "" {
		return "", ErrTOTPNotEnrolled
	}
	b, err := s.box.Open(u.TOTPSecret, s.totpAAD(u.ID))
	if err != nil {
		return "", fmt.Errorf("open totp secret: %w", err)
	}
	return string(b), nil
}

// startSession creates a session with its first refresh token and an access token.
func (s *Service) startSession(ctx context.Context, u userRow, meta ClientMeta) (TokenPair, error) {
	now := s.now()
	sess := sessionRow{ID: newID(), UserID: u.ID, IP: truncate(meta.IP, 64), UserAgent: truncate(meta.UserAgent, 256),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	var pair TokenPair
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&sess).Error; err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		var err error
		pair, err = s.issue(ctx, tx, u, sess)
		return err
	})
	return pair, err
}

func (s *Service) issue(_ context.Context, tx *gorm.DB, u userRow, sess sessionRow) (TokenPair, error) {
	raw, err := crypt.RandomToken("kfr_", 32)
	if err != nil {
		return TokenPair{}, err
	}
	now := s.now()
	exp := now.Add(s.cfg.RefreshTTL)
	if exp.After(sess.ExpiresAt) {
		exp = sess.ExpiresAt
	}
	rt := refreshRow{ID: newID(), SessionID: sess.ID, TokenHash: crypt.SHA256Hex(raw), ExpiresAt: exp, CreatedAt: now}
	if err := tx.Create(&rt).Error; err != nil {
		return TokenPair{}, fmt.Errorf("store refresh token: %w", err)
	}
	at, err := s.signer.Issue(u.ID, sess.ID)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: at, RefreshToken: raw, ExpiresIn: int(s.signer.TTL() / time.Second), User: u.user()}, nil
}

// Refresh rotates a refresh token. Presenting one that was already rotated revokes its
// whole family (the session): whoever holds the newer token is logged out too, which
// is the point — one of the two holders is a thief.
func (s *Service) Refresh(ctx context.Context, raw string, meta ClientMeta) (TokenPair, error) {
	if len(raw) < 10 || len(raw) > 200 {
		return TokenPair{}, ErrInvalidRefresh
	}
	var (
		pair   TokenPair
		reused *uuid.UUID
	)
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var rt refreshRow
		if err := tx.Where("token_hash = ?", crypt.SHA256Hex(raw)).Take(&rt).Error; err != nil {
			if db.IsNotFound(err) {
				return ErrInvalidRefresh
			}
			return err
		}
		var sess sessionRow
		if err := tx.Where("id = ?", rt.SessionID).Take(&sess).Error; err != nil {
			return err
		}
		now := s.now()
		if sess.RevokedAt != nil || now.After(sess.ExpiresAt) {
			return ErrSessionRevoked
		}
		if rt.UsedAt != nil {
			reused = &sess.UserID
			return s.revokeSessions(tx, "refresh_token_reuse", "id = ?", sess.ID)
		}
		if now.After(rt.ExpiresAt) {
			return ErrInvalidRefresh
		}
		res := tx.Model(&refreshRow{}).Where("id = ? AND used_at IS NULL", rt.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // lost a race with another use of the same token
			reused = &sess.UserID
			return s.revokeSessions(tx, "refresh_token_reuse", "id = ?", sess.ID)
		}
		if err := tx.Model(&sessionRow{}).Where("id = ?", sess.ID).Update("last_used_at", now).Error; err != nil {
			return err
		}
		var u userRow
		if err := tx.Where("id = ?", sess.UserID).Take(&u).Error; err != nil {
			return err
		}
		var err error
		pair, err = s.issue(ctx, tx, u, sess)
		return err
	})
	if reused != nil && err == nil {
		_ = s.audit.Security(ctx, reused, "refresh_token.reused", nil)
		return TokenPair{}, ErrRefreshReused
	}
	return pair, err
}

func (s *Service) revokeSessions(tx *gorm.DB, reason, cond string, args ...any) error {
	return tx.Model(&sessionRow{}).Where(cond+" AND revoked_at IS NULL", args...).
		Updates(map[string]any{"revoked_at": s.now(), "revoke_reason": reason}).Error
}

// Logout ends a session; its access tokens stop working at once.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.SessionID == uuid.Nil {
		return ErrUserOnly
	}
	return s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.revokeSessions(tx, "logout", "id = ?", p.SessionID); err != nil {
			return err
		}
		return s.audit.Security(ctx, &p.UserID, "logout", nil)
	})
}

// Principal is an authenticated caller: a user with a session, or an API key.
type Principal struct {
	UserID      uuid.UUID
	SessionID   uuid.UUID
	Email       string
	Name        string
	IsOperator  bool
	TOTPEnabled bool
	// API-key principals are bound to one tenant and one role.
	APIKeyID     uuid.UUID
	APIKeyTenant uuid.UUID
	APIKeyRole   string
}

// IsAPIKey reports an API-key principal.
func (p Principal) IsAPIKey() bool { return p.APIKeyID != uuid.Nil }

// Subject is the principal's Casbin subject.
func (p Principal) Subject() string {
	if p.IsAPIKey() {
		return authz.APIKeySubject(p.APIKeyID)
	}
	return authz.UserSubject(p.UserID)
}

// Authenticate verifies an access token and that its session is still live, so logout
// and password changes take effect immediately rather than at token expiry.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	uid, sid, err := s.signer.Verify(token)
	if err != nil {
		return Principal{}, err
	}
	var row struct {
		ID          uuid.UUID
		Email       string
		Name        string
		IsOperator  bool
		TOTPEnabled bool `gorm:"column:totp_enabled"`
		RevokedAt   *time.Time
		ExpiresAt   time.Time
	}
	err = s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Table("sessions").
			Select("users.id, users.email, users.name, users.is_operator, users.totp_enabled, sessions.revoked_at, sessions.expires_at").
			Joins("JOIN users ON users.id = sessions.user_id").
			Where("sessions.id = ? AND sessions.user_id = ?", sid, uid).
			Scan(&row).Error
	})
	if err == nil && row.ID == uuid.Nil {
		return Principal{}, ErrInvalidToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if row.RevokedAt != nil || s.now().After(row.ExpiresAt) {
		return Principal{}, ErrSessionRevoked
	}
	return Principal{UserID: row.ID, SessionID: sid, Email: row.Email, Name: row.Name, IsOperator: row.IsOperator,
		TOTPEnabled: row.TOTPEnabled}, nil
}

// AuthenticateAPIKey verifies an API key presented on a tenant route. The key is
// looked up only inside that tenant, so a key never reaches another tenant's data.
// Keys are revoked, never deleted: a well-formed key this tenant never issued belongs
// to another tenant, and to its holder this tenant does not exist — the same 404 a
// user of another tenant gets. A revoked key of this tenant is a 401.
func (s *Service) AuthenticateAPIKey(ctx context.Context, tenantID uuid.UUID, raw string) (Principal, error) {
	_, hash, err := crypt.ParseAPIKey(raw)
	if err != nil {
		return Principal{}, ErrInvalidAPIKey
	}
	ctx = tenants.NewContext(ctx, tenantID)
	var k apiKeyRow
	err = s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("key_hash = ?", hash).Take(&k).Error
	})
	if db.IsNotFound(err) {
		return Principal{}, ErrNotMember
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate api key: %w", err)
	}
	if k.RevokedAt != nil {
		return Principal{}, ErrInvalidAPIKey
	}
	now := s.now()
	// Recording every use would turn each API call into a write; a minute's
	// resolution is enough to tell a live key from a dead one.
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		_ = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Model(&apiKeyRow{}).Where("id = ?", k.ID).Update("last_used_at", now).Error
		})
	}
	return Principal{APIKeyID: k.ID, APIKeyTenant: tenantID, APIKeyRole: k.Role}, nil
}

// Membership is a user's place in a tenant, with the tenant's summary.
type Membership struct {
	ID           uuid.UUID
	TenantID     uuid.UUID
	TenantName   string
	TenantSlug   string
	TenantStatus tenants.Status
	Role         string
	CreatedAt    time.Time
}

// Memberships lists every tenant a user belongs to (the shared console's tenant list).
func (s *Service) Memberships(ctx context.Context, userID uuid.UUID) ([]Membership, error) {
	ctx = tenants.AcrossTenants(tenants.NewUserContext(ctx, userID), "a user's own memberships")
	var rows []struct {
		ID           uuid.UUID
		TenantID     uuid.UUID
		Role         string
		CreatedAt    time.Time
		TenantName   string
		TenantSlug   string
		TenantStatus string
	}
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&membershipRow{}).
			Select("memberships.id, memberships.tenant_id, memberships.role, memberships.created_at, tenants.name AS tenant_name, tenants.slug AS tenant_slug, tenants.status AS tenant_status").
			Joins("JOIN tenants ON tenants.id = memberships.tenant_id").
			Where("memberships.user_id = ?", userID).
			Order("tenants.name").
			Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	out := make([]Membership, len(rows))
	for i, r := range rows {
		out[i] = Membership{ID: r.ID, TenantID: r.TenantID, TenantName: r.TenantName, TenantSlug: r.TenantSlug,
			TenantStatus: tenants.Status(r.TenantStatus), Role: r.Role, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// Access is what a principal may do in one tenant.
type Access struct {
	Tenant tenants.Tenant
	Role   string
}

// TenantAccess resolves a principal's access to the tenant in the path. Not being a
// member looks exactly like the tenant not existing (404), whatever the caller's role
// elsewhere. Suspended tenants and unmet 2FA requirements are 403.
func (s *Service) TenantAccess(ctx context.Context, p Principal, tenantID uuid.UUID) (Access, error) {
	t, err := s.tenants.Get(tenants.NewContext(ctx, tenantID), tenantID)
	if errors.Is(err, tenants.ErrNotFound) {
		return Access{}, ErrNotMember
	}
	if err != nil {
		return Access{}, err
	}
	a := Access{Tenant: t}
	if p.IsAPIKey() {
		if p.APIKeyTenant != tenantID {
			return Access{}, ErrNotMember
		}
		a.Role = p.APIKeyRole
	} else {
		var m membershipRow
		ctx := tenants.NewContext(ctx, tenantID)
		err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Where("user_id = ?", p.UserID).Take(&m).Error
		})
		if db.IsNotFound(err) {
			return Access{}, ErrNotMember
		}
		if err != nil {
			return Access{}, fmt.Errorf("tenant access: %w", err)
		}
		a.Role = m.Role
	}
	if t.Status == tenants.Suspended {
		return a, ErrTenantSuspended
	}
	if t.Require2FA && !p.IsAPIKey() && !p.TOTPEnabled {
		return a, ErrTenant2FARequired
	}
	return a, nil
}

// Allowed checks one permission for a principal in a tenant.
func (s *Service) Allowed(ctx context.Context, p Principal, tenantID uuid.UUID, perm authz.Permission) (bool, error) {
	return s.authz.Allowed(ctx, tenantID, p.Subject(), perm)
}

// PermissionsOf lists a principal's effective permissions in a tenant.
func (s *Service) PermissionsOf(ctx context.Context, p Principal, tenantID uuid.UUID) ([]authz.Permission, error) {
	return s.authz.PermissionsOf(ctx, tenantID, p.Subject())
}

// GetUser returns one account.
func (s *Service) GetUser(ctx context.Context, id uuid.UUID) (User, error) {
	var u userRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&u).Error })
	if db.IsNotFound(err) {
		return User{}, errs.ErrNotFound
	}
	return u.user(), err
}

// UpdateProfile changes the user's display name.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, name string) (User, error) {
	n, err := validateUserName(name)
	if err != nil {
		return User{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&userRow{}).Where("id = ?", p.UserID).Updates(map[string]any{"name": n, "updated_at": s.now()}).Error
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, p.UserID)
}

// ChangePassword verifies the current password, stores the new one, revokes every
// session (other devices are logged out) and starts a fresh one for this client.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string, meta ClientMeta) (TokenPair, error) {
	if p.SessionID == uuid.Nil {
		return TokenPair{}, ErrUserOnly
	}
	u, err := s.verifyPassword(ctx, p.UserID, current, "current_password")
	if err != nil {
		return TokenPair{}, err
	}
	local := u.Email[:indexAt(u.Email)]
	if err := password.Validate(next, local, u.Name); err != nil {
		return TokenPair{}, passwordError("new_password", err)
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return TokenPair{}, err
	}
	var pair TokenPair
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := s.revokeSessions(tx, "password_changed", "user_id = ?", u.ID); err != nil {
			return err
		}
		if err := s.audit.Security(ctx, &u.ID, "password.changed", nil); err != nil {
			return err
		}
		pair, err = s.startSession(ctx, u, meta)
		return err
	})
	return pair, err
}

// verifyPassword re-checks a logged-in user's password for sensitive changes, under
// the same per-account throttle as login. field names the input holding pw.
func (s *Service) verifyPassword(ctx context.Context, userID uuid.UUID, pw, field string) (userRow, error) {
	var u userRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", userID).Take(&u).Error })
	if err != nil {
		return userRow{}, fmt.Errorf("load user: %w", err)
	}
	key := emailKey(u.Email)
	if wait, err := s.limiter.Blocked(ctx, s.cfg.AccountFailures, key); err != nil {
		return userRow{}, err
	} else if wait > 0 {
		return userRow{}, throttled(wait)
	}
	ok, _, err := s.hasher.Verify(ctx, u.PasswordHash, pw)
	if err != nil {
		return userRow{}, err
	}
	if !ok {
		_ = s.limiter.Hit(ctx, s.cfg.AccountFailures, key)
		_ = s.audit.Security(ctx, &u.ID, "password.verify_failed", nil)
		return userRow{}, ErrWrongPassword.WithField(field)
	}
	return u, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func actorFor(ctx context.Context, typ, id string) audit.Actor {
	a := audit.ActorFrom(ctx)
	a.Type, a.ID = typ, id
	return a
}

// ErrUserNotFound is returned by UserByEmail.
var ErrUserNotFound = errs.New(errs.NotFound, "user.not-found", "User not found.")

// UserByEmail finds an account (CLI tooling; not exposed over HTTP).
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	var u userRow
	err = s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("email = ?", norm).Take(&u).Error })
	if db.IsNotFound(err) {
		return User{}, ErrUserNotFound
	}
	return u.user(), err
}
