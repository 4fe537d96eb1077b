package identity

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// Member is a user's membership seen from the tenant.
type Member struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	Email       string
	Name        string
	Role        string
	TOTPEnabled bool
	CreatedAt   time.Time
}

// Members lists ctx's tenant's members.
func (s *Service) Members(ctx context.Context) ([]Member, error) {
	var rows []Member
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&membershipRow{}).
			Select("memberships.id, memberships.user_id, users.email, users.name, memberships.role, users.totp_enabled, memberships.created_at").
			Joins("JOIN users ON users.id = memberships.user_id").
			Order("memberships.created_at, memberships.id").
			Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return rows, nil
}

func (s *Service) member(ctx context.Context, tx *gorm.DB, id uuid.UUID) (membershipRow, error) {
	var m membershipRow
	err := tx.Where("id = ?", id).Take(&m).Error
	if db.IsNotFound(err) {
		return m, ErrMemberNotFound
	}
	return m, err
}

// lockTenant serialises owner-count checks per tenant on PostgreSQL; SQLite
// transactions already hold the write lock from BEGIN IMMEDIATE.
func (s *Service) lockTenant(tx *gorm.DB, tenantID uuid.UUID) error {
	if s.db.Dialect() != db.Postgres {
		return nil
	}
	return tx.Exec("SELECT 1 FROM tenants WHERE id = ? FOR UPDATE", tenantID).Error
}

func (s *Service) ownerCount(tx *gorm.DB) (int64, error) {
	var n int64
	err := tx.Model(&membershipRow{}).Where("role = ?", "owner").Count(&n).Error
	return n, err
}

// ChangeMemberRole gives a member another role. Only owners touch the owner role, the
// last owner cannot be demoted, and no one grants a role stronger than their own.
func (s *Service) ChangeMemberRole(ctx context.Context, actor Access, p Principal, memberID uuid.UUID, role string) (Member, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Member{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.lockTenant(tx, tid); err != nil {
			return err
		}
		if err := s.roleExists(tx, role); err != nil {
			return err
		}
		m, err := s.member(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if (m.Role == "owner" || role == "owner") && actor.Role != "owner" {
			return ErrOwnerOnly
		}
		if m.Role == role {
			return nil
		}
		if err := s.notOutranked(ctx, tx, p, m.Role); err != nil {
			return err
		}
		if err := s.canGrant(ctx, tx, p, role); err != nil {
			return err
		}
		if m.Role == "owner" {
			if n, err := s.ownerCount(tx); err != nil {
				return err
			} else if n <= 1 {
				return ErrLastOwner
			}
		}
		if err := tx.Model(&membershipRow{}).Where("id = ?", m.ID).Updates(map[string]any{"role": role, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "member.role_changed", "member", m.ID.String(), map[string]any{"user_id": m.UserID, "from": m.Role, "to": role})
	})
	if err != nil {
		return Member{}, err
	}
	_ = s.authz.Changed(ctx, tid)
	return s.memberView(ctx, memberID)
}

func (s *Service) memberView(ctx context.Context, id uuid.UUID) (Member, error) {
	ms, err := s.Members(ctx)
	if err != nil {
		return Member{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return Member{}, ErrMemberNotFound
}

// RemoveMember removes a member; owners only remove owners, and never the last one.
func (s *Service) RemoveMember(ctx context.Context, actor Access, p Principal, memberID uuid.UUID) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.lockTenant(tx, tid); err != nil {
			return err
		}
		m, err := s.member(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if m.Role == "owner" {
			if actor.Role != "owner" {
				return ErrOwnerOnly
			}
			if n, err := s.ownerCount(tx); err != nil {
				return err
			} else if n <= 1 {
				return ErrLastOwner
			}
		}
		if err := s.notOutranked(ctx, tx, p, m.Role); err != nil {
			return err
		}
		if err := tx.Where("id = ?", m.ID).Delete(&membershipRow{}).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "member.removed", "member", m.ID.String(), map[string]any{"user_id": m.UserID, "role": m.Role})
	})
	if err != nil {
		return err
	}
	return s.authz.Changed(ctx, tid)
}

// AddMember makes an existing user a member directly (CLI, tests). Invitations are the
// product path.
func (s *Service) AddMember(ctx context.Context, userID uuid.UUID, role string) (Member, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Member{}, err
	}
	now := s.now()
	m := membershipRow{ID: newID(), UserID: userID, Role: role, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.roleExists(tx, role); err != nil {
			return err
		}
		if err := tx.Create(&m).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return ErrAlreadyMember
			}
			return err
		}
		return s.audit.Record(ctx, "member.added", "member", m.ID.String(), map[string]any{"user_id": userID, "role": role})
	})
	if err != nil {
		return Member{}, err
	}
	_ = s.authz.Changed(ctx, tid)
	return s.memberView(ctx, m.ID)
}

// ---- Roles ---------------------------------------------------------------------

// Role is a built-in or custom role.
type Role struct {
	ID          string // the name for built-in roles, a UUID for custom ones
	Name        string
	Description string
	Builtin     bool
	Permissions []authz.Permission
	CreatedAt   *time.Time
}

func (r roleRow) role() Role {
	var perms []authz.Permission
	_ = json.Unmarshal([]byte(r.Permissions), &perms)
	ca := r.CreatedAt
	return Role{ID: r.ID.String(), Name: r.Name, Description: r.Description, Permissions: perms, CreatedAt: &ca}
}

var builtinRoleDescriptions = map[string]string{
	"owner":      "Everything, including granting and removing the owner role.",
	"admin":      "Everything except the owner role: members, roles, channels, settings, API keys.",
	"supervisor": "Oversees agents: conversations, contacts, tickets, knowledge editing, reports, quality.",
	"agent":      "Serves customers: conversations, contacts and tickets; reads the knowledge base.",
	"viewer":     "Read-only access and reports.",
}

// Roles lists the built-in roles, then the tenant's custom roles.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	var out []Role
	for _, b := range authz.BuiltinRoles() {
		out = append(out, Role{ID: b.Name, Name: b.Name, Description: builtinRoleDescriptions[b.Name], Builtin: true, Permissions: b.Permissions})
	}
	var rows []roleRow
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Order("name").Find(&rows).Error }); err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	for _, r := range rows {
		out = append(out, r.role())
	}
	return out, nil
}

// GetRole returns one role by built-in name or custom id.
func (s *Service) GetRole(ctx context.Context, id string) (Role, error) {
	if authz.IsBuiltinRole(id) {
		for _, b := range authz.BuiltinRoles() {
			if b.Name == id {
				return Role{ID: b.Name, Name: b.Name, Description: builtinRoleDescriptions[b.Name], Builtin: true, Permissions: b.Permissions}, nil
			}
		}
	}
	rid, err := uuid.Parse(id)
	if err != nil {
		return Role{}, ErrRoleNotFound
	}
	var r roleRow
	err = s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", rid).Take(&r).Error })
	if db.IsNotFound(err) {
		return Role{}, ErrRoleNotFound
	}
	if err != nil {
		return Role{}, err
	}
	return r.role(), nil
}

func (s *Service) roleExists(tx *gorm.DB, name string) error {
	if authz.IsBuiltinRole(name) {
		return nil
	}
	var n int64
	if err := tx.Model(&roleRow{}).Where("name = ?", name).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrUnknownRole
	}
	return nil
}

// parsePerms validates a permission list and checks the actor holds all of it, so no
// one can mint a role (or key) stronger than themselves.
func (s *Service) parsePerms(ctx context.Context, actor Principal, in []string) ([]authz.Permission, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	held, err := s.authz.PermissionsOf(ctx, tid, actor.Subject())
	if err != nil {
		return nil, err
	}
	out := make([]authz.Permission, 0, len(in))
	for _, p := range in {
		perm, ok := authz.ParsePermission(p)
		if !ok {
			return nil, ErrUnknownPerm.WithMessage("Unknown permission %q.", truncate(p, 64))
		}
		if !slices.Contains(held, perm) {
			return nil, ErrEscalation.WithMessage("You cannot grant %q: you do not hold it yourself.", perm)
		}
		if !slices.Contains(out, perm) {
			out = append(out, perm)
		}
	}
	slices.Sort(out)
	return out, nil
}

// RoleInput creates or edits a custom role. Nil fields stay unchanged on update.
type RoleInput struct {
	Name        string
	Description *string
	Permissions *[]string
}

// CreateRole adds a custom role.
func (s *Service) CreateRole(ctx context.Context, actor Principal, in RoleInput) (Role, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Role{}, err
	}
	name := strings.TrimSpace(in.Name)
	if !authz.ValidRoleName(name) {
		return Role{}, ErrRoleInvalidName
	}
	var perms []authz.Permission
	if in.Permissions != nil {
		if perms, err = s.parsePerms(ctx, actor, *in.Permissions); err != nil {
			return Role{}, err
		}
	}
	desc := ""
	if in.Description != nil {
		desc = truncate(strings.TrimSpace(*in.Description), 500)
	}
	b, _ := json.Marshal(perms)
	if perms == nil {
		b = []byte("[]")
	}
	now := s.now()
	r := roleRow{ID: newID(), Name: name, Description: desc, Permissions: string(b), CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return ErrRoleNameTaken
			}
			return err
		}
		return s.audit.Record(ctx, "role.created", "role", r.ID.String(), map[string]any{"name": name, "permissions": perms})
	})
	if err != nil {
		return Role{}, err
	}
	_ = s.authz.Changed(ctx, tid)
	return r.role(), nil
}

// UpdateRole edits a custom role's description and permissions.
func (s *Service) UpdateRole(ctx context.Context, actor Principal, id string, in RoleInput) (Role, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Role{}, err
	}
	if authz.IsBuiltinRole(id) {
		return Role{}, ErrRoleBuiltin
	}
	rid, err := uuid.Parse(id)
	if err != nil {
		return Role{}, ErrRoleNotFound
	}
	var out roleRow
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Where("id = ?", rid).Take(&out).Error; err != nil {
			if db.IsNotFound(err) {
				return ErrRoleNotFound
			}
			return err
		}
		upd := map[string]any{"updated_at": s.now()}
		data := map[string]any{}
		if in.Description != nil {
			out.Description = truncate(strings.TrimSpace(*in.Description), 500)
			upd["description"], data["description"] = out.Description, out.Description
		}
		if in.Permissions != nil {
			perms, err := s.parsePerms(ctx, actor, *in.Permissions)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(perms)
			if perms == nil {
				b = []byte("[]")
			}
			out.Permissions = string(b)
			upd["permissions"], data["permissions"] = out.Permissions, perms
		}
		if err := tx.Model(&roleRow{}).Where("id = ?", rid).Updates(upd).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "role.updated", "role", rid.String(), data)
	})
	if err != nil {
		return Role{}, err
	}
	_ = s.authz.Changed(ctx, tid)
	return out.role(), nil
}

// DeleteRole removes an unused custom role.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	if authz.IsBuiltinRole(id) {
		return ErrRoleBuiltin
	}
	rid, err := uuid.Parse(id)
	if err != nil {
		return ErrRoleNotFound
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var r roleRow
		if err := tx.Where("id = ?", rid).Take(&r).Error; err != nil {
			if db.IsNotFound(err) {
				return ErrRoleNotFound
			}
			return err
		}
		var n, k int64
		if err := tx.Model(&membershipRow{}).Where("role = ?", r.Name).Count(&n).Error; err != nil {
			return err
		}
		if err := tx.Model(&apiKeyRow{}).Where("role = ? AND revoked_at IS NULL", r.Name).Count(&k).Error; err != nil {
			return err
		}
		if err := tx.Model(&invitationRow{}).Where("role = ? AND accepted_at IS NULL AND revoked_at IS NULL", r.Name).
			Update("revoked_at", s.now()).Error; err != nil {
			return err
		}
		if n+k > 0 {
			return ErrRoleInUse.WithMessage("The role is still assigned to %d member(s) and %d API key(s).", n, k)
		}
		if err := tx.Where("id = ?", rid).Delete(&roleRow{}).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "role.deleted", "role", rid.String(), map[string]any{"name": r.Name})
	})
	if err != nil {
		return err
	}
	return s.authz.Changed(ctx, tid)
}

// ---- Invitations ---------------------------------------------------------------

// Invitation is a pending invitation.
type Invitation struct {
	ID         uuid.UUID
	Email      string
	Role       string
	InvitedBy  *uuid.UUID
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

func (r invitationRow) view() Invitation {
	return Invitation{ID: r.ID, Email: r.Email, Role: r.Role, InvitedBy: r.InvitedBy, ExpiresAt: r.ExpiresAt,
		AcceptedAt: r.AcceptedAt, RevokedAt: r.RevokedAt, CreatedAt: r.CreatedAt}
}

// Invitation tokens embed the tenant id so that acceptance can open the right tenant
// scope before looking anything up: "kfi_" + 32 hex chars of tenant id + secret.
const invitePrefix = "kfi_"

func newInviteToken(tenantID uuid.UUID) (string, error) {
	secret, err := crypt.RandomToken("", 24)
	if err != nil {
		return "", err
	}
	return invitePrefix + hex.EncodeToString(tenantID[:]) + secret, nil
}

func parseInviteToken(tok string) (uuid.UUID, string, bool) {
	if !strings.HasPrefix(tok, invitePrefix) || len(tok) < len(invitePrefix)+32+16 || len(tok) > 200 {
		return uuid.Nil, "", false
	}
	b, err := hex.DecodeString(tok[len(invitePrefix) : len(invitePrefix)+32])
	if err != nil {
		return uuid.Nil, "", false
	}
	id, err := uuid.FromBytes(b)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, "", false
	}
	return id, crypt.SHA256Hex(tok), true
}

// Invite creates an invitation (replacing any pending one for the same address) and
// mails the link. The token itself is never stored or returned.
func (s *Service) Invite(ctx context.Context, actor Access, p Principal, email, role string) (Invitation, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Invitation{}, err
	}
	email, err = NormalizeEmail(email)
	if err != nil {
		return Invitation{}, err
	}
	if role == "owner" && actor.Role != "owner" {
		return Invitation{}, ErrOwnerOnly
	}
	tok, err := newInviteToken(tid)
	if err != nil {
		return Invitation{}, err
	}
	now := s.now()
	inv := invitationRow{ID: newID(), Email: email, Role: role, TokenHash: crypt.SHA256Hex(tok), ExpiresAt: now.Add(s.cfg.InvitationTTL), CreatedAt: now}
	if !p.IsAPIKey() {
		inv.InvitedBy = &p.UserID
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.roleExists(tx, role); err != nil {
			return err
		}
		if err := s.canGrant(ctx, tx, p, role); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&membershipRow{}).Joins("JOIN users ON users.id = memberships.user_id").
			Where("users.email = ?", email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyMember
		}
		if err := tx.Model(&invitationRow{}).Where("email = ? AND accepted_at IS NULL AND revoked_at IS NULL", email).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "invitation.created", "invitation", inv.ID.String(), map[string]any{"role": role})
	})
	if err != nil {
		return Invitation{}, err
	}
	t, err := s.tenants.Get(ctx, tid)
	if err != nil {
		return Invitation{}, err
	}
	link := strings.TrimRight(s.cfg.PublicURL, "/") + "/invitations/accept#token=" + tok
	m := Mail{To: email, Subject: fmt.Sprintf("You are invited to %s on kefu", t.Name),
		Text: fmt.Sprintf("You have been invited to join %s on kefu as %s.\n\nAccept the invitation: %s\n\nThe link expires on %s.\n",
			t.Name, role, link, inv.ExpiresAt.Format(time.RFC1123))}
	if err := s.mailer.Send(ctx, m); err != nil {
		// The invitation stands; the admin can resend. Losing it silently would be worse.
		s.log.ErrorContext(ctx, "invitation mail failed", "invitation_id", inv.ID, "err", err)
	}
	return inv.view(), nil
}

// Invitations lists ctx's tenant's pending invitations.
func (s *Service) Invitations(ctx context.Context) ([]Invitation, error) {
	var rows []invitationRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", s.now()).Order("created_at DESC").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out, nil
}

// RevokeInvitation cancels a pending invitation.
func (s *Service) RevokeInvitation(ctx context.Context, id uuid.UUID) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&invitationRow{}).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Update("revoked_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrInviteNotFound
		}
		return s.audit.Record(ctx, "invitation.revoked", "invitation", id.String(), nil)
	})
}

// InvitationPreview is what the public accept page shows.
type InvitationPreview struct {
	TenantName    string
	Email         string
	Role          string
	ExpiresAt     time.Time
	AccountExists bool
}

func (s *Service) openInvitation(ctx context.Context, tok string) (context.Context, invitationRow, error) {
	tid, hash, ok := parseInviteToken(tok)
	if !ok {
		return ctx, invitationRow{}, ErrInviteNotFound
	}
	ctx = tenants.NewContext(ctx, tid)
	var inv invitationRow
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL", hash).Take(&inv).Error
	})
	if db.IsNotFound(err) || (err == nil && s.now().After(inv.ExpiresAt)) {
		return ctx, invitationRow{}, ErrInviteNotFound
	}
	return ctx, inv, err
}

// LookupInvitation shows a pending invitation to whoever holds its token.
func (s *Service) LookupInvitation(ctx context.Context, tok string) (InvitationPreview, error) {
	ctx, inv, err := s.openInvitation(ctx, tok)
	if err != nil {
		return InvitationPreview{}, err
	}
	tid, _ := tenants.FromContext(ctx)
	t, err := s.tenants.Get(ctx, tid)
	if err != nil {
		return InvitationPreview{}, err
	}
	var n int64
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&userRow{}).Where("email = ?", inv.Email).Count(&n).Error
	}); err != nil {
		return InvitationPreview{}, err
	}
	return InvitationPreview{TenantName: t.Name, Email: inv.Email, Role: inv.Role, ExpiresAt: inv.ExpiresAt, AccountExists: n > 0}, nil
}

// AcceptInput accepts an invitation. A new account needs Name and Password; an existing
// account must be the logged-in caller (p).
type AcceptInput struct {
	Token    string
	Name     string
	Password string
}

// AcceptInvitation joins the tenant. For a new account it also logs the user in.
func (s *Service) AcceptInvitation(ctx context.Context, p *Principal, in AcceptInput, meta ClientMeta) (Membership, *TokenPair, error) {
	ctx, inv, err := s.openInvitation(ctx, in.Token)
	if err != nil {
		return Membership{}, nil, err
	}
	tid, _ := tenants.FromContext(ctx)
	var (
		pair *TokenPair
		m    membershipRow
	)
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var u userRow
		err := tx.Where("email = ?", inv.Email).Take(&u).Error
		switch {
		case err == nil:
			if p == nil || p.IsAPIKey() {
				return ErrInviteLogin
			}
			if p.UserID != u.ID {
				return ErrInviteWrongUser
			}
		case db.IsNotFound(err):
			if u, err = s.createUser(ctx, inv.Email, in.Name, in.Password, false); err != nil {
				return err
			}
		default:
			return err
		}
		// Claim the invitation first: a second concurrent accept finds nothing to claim.
		res := tx.Model(&invitationRow{}).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", inv.ID).Update("accepted_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrInviteNotFound
		}
		if err := s.roleExists(tx, inv.Role); err != nil {
			return ErrInviteNotFound
		}
		now := s.now()
		m = membershipRow{ID: newID(), UserID: u.ID, Role: inv.Role, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return ErrAlreadyMember
			}
			return err
		}
		if err := s.audit.Record(ctx, "member.joined", "member", m.ID.String(), map[string]any{"user_id": u.ID, "role": inv.Role, "invitation_id": inv.ID}); err != nil {
			return err
		}
		if p == nil {
			tp, err := s.startSession(ctx, u, meta)
			if err != nil {
				return err
			}
			pair = &tp
		}
		return nil
	})
	if err != nil {
		return Membership{}, nil, err
	}
	_ = s.authz.Changed(ctx, tid)
	t, err := s.tenants.Get(ctx, tid)
	if err != nil {
		return Membership{}, nil, err
	}
	return Membership{ID: m.ID, TenantID: tid, TenantName: t.Name, TenantSlug: t.Slug, TenantStatus: t.Status, Role: m.Role, CreatedAt: m.CreatedAt}, pair, nil
}

// ---- API keys ------------------------------------------------------------------

// APIKey is a tenant API key as listed (never with its secret).
type APIKey struct {
	ID         uuid.UUID
	Name       string
	Prefix     string
	Role       string
	CreatedBy  *uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (r apiKeyRow) view() APIKey {
	return APIKey{ID: r.ID, Name: r.Name, Prefix: r.Prefix, Role: r.Role, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// CreateAPIKey issues a key with a role. The secret is returned once and stored only
// as a hash. The caller must hold every permission of the role.
func (s *Service) CreateAPIKey(ctx context.Context, actor Principal, name, role string) (APIKey, string, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return APIKey{}, "", err
	}
	name = strings.TrimSpace(name)
	if n := len([]rune(name)); n < 1 || n > 100 {
		return APIKey{}, "", ErrAPIKeyNameLength
	}
	if role == "owner" {
		return APIKey{}, "", ErrAPIKeyOwnerRole
	}
	key, prefix, hash, err := crypt.NewAPIKey()
	if err != nil {
		return APIKey{}, "", err
	}
	now := s.now()
	r := apiKeyRow{ID: newID(), Name: name, Prefix: prefix, KeyHash: hash, Role: role, CreatedAt: now}
	if !actor.IsAPIKey() {
		r.CreatedBy = &actor.UserID
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.roleExists(tx, role); err != nil {
			return err
		}
		if err := s.canGrant(ctx, tx, actor, role); err != nil {
			return err
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, "apikey.created", "apikey", r.ID.String(), map[string]any{"name": name, "role": role, "prefix": prefix})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	_ = s.authz.Changed(ctx, tid)
	return r.view(), key, nil
}

// canGrant checks that actor holds every permission of role: members:manage or
// apikeys:manage alone must not hand out a role stronger than the actor's own.
func (s *Service) canGrant(ctx context.Context, tx *gorm.DB, actor Principal, role string) error {
	rolePerms, err := s.rolePermissions(tx, role)
	if err != nil {
		return err
	}
	ps := make([]string, len(rolePerms))
	for i, p := range rolePerms {
		ps[i] = string(p)
	}
	_, err = s.parsePerms(ctx, actor, ps)
	return err
}

// notOutranked refuses to let the actor change or remove a member whose current role
// holds permissions the actor lacks: members:manage alone must not let someone demote
// or expel an admin.
func (s *Service) notOutranked(ctx context.Context, tx *gorm.DB, actor Principal, targetRole string) error {
	err := s.canGrant(ctx, tx, actor, targetRole)
	if errors.Is(err, ErrEscalation) {
		return ErrOutranked
	}
	return err
}

func (s *Service) rolePermissions(tx *gorm.DB, role string) ([]authz.Permission, error) {
	if authz.IsBuiltinRole(role) {
		return authz.BuiltinPermissions(role), nil
	}
	var r roleRow
	if err := tx.Where("name = ?", role).Take(&r).Error; err != nil {
		return nil, err
	}
	return r.role().Permissions, nil
}

// APIKeys lists ctx's tenant's keys, revoked ones included.
func (s *Service) APIKeys(ctx context.Context) ([]APIKey, error) {
	var rows []apiKeyRow
	if err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Order("created_at DESC").Find(&rows).Error }); err != nil {
		return nil, err
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out, nil
}

// RevokeAPIKey revokes a key; the next call with it fails.
func (s *Service) RevokeAPIKey(ctx context.Context, id uuid.UUID) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrAPIKeyNotFound
		}
		return s.audit.Record(ctx, "apikey.revoked", "apikey", id.String(), nil)
	})
	if err != nil {
		return err
	}
	return s.authz.Changed(ctx, tid)
}

// ---- Policy source -------------------------------------------------------------

// PolicySource reads tenants' custom roles and assignments for the permission engine.
type PolicySource struct{ DB *db.DB }

// TenantPolicy implements authz.PolicySource.
func (ps PolicySource) TenantPolicy(ctx context.Context, tenantID uuid.UUID) (authz.TenantPolicy, error) {
	ctx = tenants.NewContext(ctx, tenantID)
	pol := authz.TenantPolicy{CustomRoles: map[string][]authz.Permission{}}
	err := ps.DB.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var roles []roleRow
		if err := tx.Find(&roles).Error; err != nil {
			return err
		}
		for _, r := range roles {
			pol.CustomRoles[r.Name] = r.role().Permissions
		}
		var ms []membershipRow
		if err := tx.Select("user_id, role").Find(&ms).Error; err != nil {
			return err
		}
		for _, m := range ms {
			pol.Assignments = append(pol.Assignments, authz.Assignment{Subject: authz.UserSubject(m.UserID), Role: m.Role})
		}
		var ks []apiKeyRow
		if err := tx.Select("id, role").Where("revoked_at IS NULL").Find(&ks).Error; err != nil {
			return err
		}
		for _, k := range ks {
			pol.Assignments = append(pol.Assignments, authz.Assignment{Subject: authz.APIKeySubject(k.ID), Role: k.Role})
		}
		return nil
	})
	if err != nil {
		return authz.TenantPolicy{}, fmt.Errorf("load policy for tenant %s: %w", tenantID, err)
	}
	return pol, nil
}

// IsMember reports whether a user belongs to the context's tenant (assignment checks).
func (s *Service) IsMember(ctx context.Context, userID uuid.UUID) (bool, error) {
	var n int64
	err := s.db.View(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&membershipRow{}).Where("user_id = ?", userID).Count(&n).Error
	})
	return n > 0, err
}
