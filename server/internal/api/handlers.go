package api

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

func forbidden(perm authz.Permission) error {
	return errs.ErrForbidden.WithMessage("You need the %s permission for this.", perm)
}

func meta(c *fiber.Ctx) identity.ClientMeta {
	return identity.ClientMeta{IP: localString(c, localClientIP), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

// ---- DTOs --------------------------------------------------------------------------

type userJSON struct {
	ID          uuid.UUID `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	IsOperator  bool      `json:"is_operator"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func toUserJSON(u identity.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, IsOperator: u.IsOperator, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

type tenantJSON struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	Slug       string    `json:"slug"`
	Status     string    `json:"status"`
	Timezone   string    `json:"timezone"`
	Locale     string    `json:"locale"`
	Require2FA bool      `json:"require_2fa"`
	CreatedAt  time.Time `json:"created_at"`
}

func toTenantJSON(t tenants.Tenant) tenantJSON {
	return tenantJSON{ID: t.ID, Name: t.Name, Slug: t.Slug, Status: string(t.Status), Timezone: t.Timezone,
		Locale: t.Locale, Require2FA: t.Require2FA, CreatedAt: t.CreatedAt}
}

type tokensJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func toTokens(p identity.TokenPair) tokensJSON {
	return tokensJSON{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: "Bearer", ExpiresIn: p.ExpiresIn}
}

func noStore(c *fiber.Ctx) { c.Set(fiber.HeaderCacheControl, "no-store") }

// ---- health ------------------------------------------------------------------------

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if s.opts.Ready == nil {
		return c.JSON(fiber.Map{"status": "ok"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	checks := fiber.Map{}
	ok := true
	for name, err := range s.opts.Ready(ctx) {
		if err != nil {
			ok = false
			checks[name] = "unavailable"
			s.log.Warn("readiness check failed", "check", name, "err", err)
		} else {
			checks[name] = "ok"
		}
	}
	if !ok {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}

// ---- auth --------------------------------------------------------------------------

func (s *Server) signup(c *fiber.Ctx) error {
	var in struct {
		TenantName string `json:"tenant_name"`
		Name       string `json:"name"`
		Email      string `json:"email"`
		Password   string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	for f, v := range map[string]string{"tenant_name": in.TenantName, "name": in.Name, "email": in.Email, "password": in.Password} {
		if strings.TrimSpace(v) == "" {
			return required(f)
		}
	}
	t, pair, err := s.id.Signup(c.UserContext(), identity.SignupInput{TenantName: strings.TrimSpace(in.TenantName), Name: in.Name, Email: in.Email, Password: in.Password}, meta(c))
	if err != nil {
		return err
	}
	noStore(c)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"tenant":        fiber.Map{"id": t.ID, "name": t.Name, "slug": t.Slug},
		"user":          fiber.Map{"id": pair.User.ID, "email": pair.User.Email, "name": pair.User.Name},
		"access_token":  pair.AccessToken,
		"refresh_token": pair.RefreshToken,
		"token_type":    "Bearer",
		"expires_in":    pair.ExpiresIn,
	})
}

func (s *Server) login(c *fiber.Ctx) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Email == "" {
		return required("email")
	}
	if in.Password == "" {
		return required("password")
	}
	if len(in.Password) > 1024 || len(in.TOTP) > 64 {
		return identity.ErrInvalidCredentials
	}
	pair, err := s.id.Login(c.UserContext(), in.Email, in.Password, in.TOTP, meta(c))
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(toTokens(pair))
}

func (s *Server) refresh(c *fiber.Ctx) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return required("refresh_token")
	}
	pair, err := s.id.Refresh(c.UserContext(), in.RefreshToken, meta(c))
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(toTokens(pair))
}

func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.id.Logout(c.UserContext(), principal(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) forgotPassword(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Email == "" {
		return required("email")
	}
	if err := s.id.ForgotPassword(c.UserContext(), in.Email, meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) resetPassword(c *fiber.Ctx) error {
	var in struct {
		Token       string `json:"token"`
		NewPassword string `json:"new_password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return required("token")
	}
	if in.NewPassword == "" {
		return required("new_password")
	}
	if err := s.id.ResetPassword(c.UserContext(), in.Token, in.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ---- me ----------------------------------------------------------------------------

func (s *Server) me(c *fiber.Ctx) error {
	p := principal(c)
	u, err := s.id.GetUser(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	ms, err := s.id.Memberships(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(ms))
	for i, m := range ms {
		out[i] = fiber.Map{"tenant_id": m.TenantID, "tenant_name": m.TenantName, "tenant_slug": m.TenantSlug,
			"tenant_status": m.TenantStatus, "role": m.Role, "joined_at": m.CreatedAt}
	}
	j := toUserJSON(u)
	return c.JSON(fiber.Map{"user": j, "memberships": out,
		// Flattened too, so simple clients can read /me like a user object.
		"id": j.ID, "email": j.Email, "name": j.Name})
}

func (s *Server) updateMe(c *fiber.Ctx) error {
	var in struct {
		Name *string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return required("name")
	}
	u, err := s.id.UpdateProfile(c.UserContext(), principal(c), *in.Name)
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(u))
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.CurrentPassword == "" {
		return required("current_password")
	}
	if in.NewPassword == "" {
		return required("new_password")
	}
	pair, err := s.id.ChangePassword(c.UserContext(), principal(c), in.CurrentPassword, in.NewPassword, meta(c))
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(toTokens(pair))
}

func (s *Server) enrollTOTP(c *fiber.Ctx) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return required("password")
	}
	e, err := s.id.EnrollTOTP(c.UserContext(), principal(c), in.Password)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(fiber.Map{"secret": e.Secret, "otpauth_url": e.OTPAuthURL})
}

type codeBody struct {
	Code string `json:"code"`
}

func (s *Server) confirmTOTP(c *fiber.Ctx) error {
	var in codeBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return required("code")
	}
	codes, err := s.id.ConfirmTOTP(c.UserContext(), principal(c), in.Code)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(fiber.Map{"recovery_codes": codes})
}

func (s *Server) disableTOTP(c *fiber.Ctx) error {
	var in struct {
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return required("password")
	}
	if in.Code == "" {
		return required("code")
	}
	if err := s.id.DisableTOTP(c.UserContext(), principal(c), in.Password, in.Code); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) regenerateRecoveryCodes(c *fiber.Ctx) error {
	var in codeBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Code == "" {
		return required("code")
	}
	codes, err := s.id.RegenerateRecoveryCodes(c.UserContext(), principal(c), in.Code)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(fiber.Map{"recovery_codes": codes})
}

// ---- invitations (public side) -----------------------------------------------------

func (s *Server) lookupInvitation(c *fiber.Ctx) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return required("token")
	}
	p, err := s.id.LookupInvitation(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tenant_name": p.TenantName, "email": p.Email, "role": p.Role, "expires_at": p.ExpiresAt, "account_exists": p.AccountExists})
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var in struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return required("token")
	}
	var p *identity.Principal
	if _, ok := bearer(c); ok {
		pr, err := s.authenticateUser(c)
		if err != nil {
			return err
		}
		s.setPrincipal(c, pr)
		p = &pr
	}
	m, pair, err := s.id.AcceptInvitation(c.UserContext(), p, identity.AcceptInput{Token: in.Token, Name: in.Name, Password: in.Password}, meta(c))
	if err != nil {
		return err
	}
	out := fiber.Map{"membership": fiber.Map{"tenant_id": m.TenantID, "tenant_name": m.TenantName, "role": m.Role}}
	if pair != nil {
		noStore(c)
		out["access_token"], out["refresh_token"], out["expires_in"], out["token_type"] = pair.AccessToken, pair.RefreshToken, pair.ExpiresIn, "Bearer"
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// ---- tenant ------------------------------------------------------------------------

func (s *Server) getTenant(c *fiber.Ctx) error {
	a := access(c)
	perms, err := s.id.PermissionsOf(c.UserContext(), principal(c), a.Tenant.ID)
	if err != nil {
		return err
	}
	if perms == nil {
		perms = []authz.Permission{}
	}
	return c.JSON(fiber.Map{"tenant": toTenantJSON(a.Tenant), "role": a.Role, "permissions": perms})
}

func (s *Server) getSettings(c *fiber.Ctx) error {
	return c.JSON(settingsJSON(access(c).Tenant))
}

func settingsJSON(t tenants.Tenant) fiber.Map {
	return fiber.Map{"name": t.Name, "timezone": t.Timezone, "locale": t.Locale, "require_2fa": t.Require2FA}
}

func (s *Server) updateSettings(c *fiber.Ctx) error {
	var in struct {
		Name       *string `json:"name"`
		Timezone   *string `json:"timezone"`
		Locale     *string `json:"locale"`
		Require2FA *bool   `json:"require_2fa"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	// Requiring 2FA without having it would lock the caller out of the tenant they
	// are configuring; API keys have no second factor and are exempt from the rule.
	if p := principal(c); in.Require2FA != nil && *in.Require2FA && !p.IsAPIKey() && !p.TOTPEnabled {
		return errs.Unprocessablef("settings.enable-2fa-first", "require_2fa",
			"Enable two-factor authentication on your own account before requiring it for everyone.")
	}
	a := access(c)
	t, err := s.tenants.UpdateSettings(c.UserContext(), a.Tenant.ID, tenants.SettingsPatch{Name: in.Name, Timezone: in.Timezone, Locale: in.Locale, Require2FA: in.Require2FA})
	if err != nil {
		return err
	}
	return c.JSON(settingsJSON(t))
}

func memberJSON(m identity.Member) fiber.Map {
	return fiber.Map{"id": m.ID, "user_id": m.UserID, "email": m.Email, "name": m.Name, "role": m.Role,
		"totp_enabled": m.TOTPEnabled, "joined_at": m.CreatedAt}
}

func (s *Server) listMembers(c *fiber.Ctx) error {
	ms, err := s.id.Members(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(ms))
	for i, m := range ms {
		out[i] = memberJSON(m)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) updateMember(c *fiber.Ctx) error {
	id, err := pathID(c, "member_id", identity.ErrMemberNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Role == "" {
		return required("role")
	}
	m, err := s.id.ChangeMemberRole(c.UserContext(), access(c), principal(c), id, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(memberJSON(m))
}

func (s *Server) removeMember(c *fiber.Ctx) error {
	id, err := pathID(c, "member_id", identity.ErrMemberNotFound)
	if err != nil {
		return err
	}
	if err := s.id.RemoveMember(c.UserContext(), access(c), principal(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func invitationJSON(i identity.Invitation) fiber.Map {
	return fiber.Map{"id": i.ID, "email": i.Email, "role": i.Role, "invited_by": i.InvitedBy, "expires_at": i.ExpiresAt, "created_at": i.CreatedAt}
}

func (s *Server) listInvitations(c *fiber.Ctx) error {
	is, err := s.id.Invitations(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(is))
	for i, x := range is {
		out[i] = invitationJSON(x)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) createInvitation(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Email == "" {
		return required("email")
	}
	if in.Role == "" {
		return required("role")
	}
	inv, err := s.id.Invite(c.UserContext(), access(c), principal(c), in.Email, in.Role)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(invitationJSON(inv))
}

func (s *Server) revokeInvitation(c *fiber.Ctx) error {
	id, err := pathID(c, "invitation_id", identity.ErrInviteNotFound)
	if err != nil {
		return err
	}
	if err := s.id.RevokeInvitation(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func roleJSON(r identity.Role) fiber.Map {
	perms := r.Permissions
	if perms == nil {
		perms = []authz.Permission{}
	}
	return fiber.Map{"id": r.ID, "name": r.Name, "description": r.Description, "builtin": r.Builtin, "permissions": perms, "created_at": r.CreatedAt}
}

func (s *Server) listRoles(c *fiber.Ctx) error {
	rs, err := s.id.Roles(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(rs))
	for i, r := range rs {
		out[i] = roleJSON(r)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) getRole(c *fiber.Ctx) error {
	r, err := s.id.GetRole(c.UserContext(), c.Params("role_id"))
	if err != nil {
		return err
	}
	return c.JSON(roleJSON(r))
}

type roleBody struct {
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

func (s *Server) createRole(c *fiber.Ctx) error {
	var in roleBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == "" {
		return required("name")
	}
	r, err := s.id.CreateRole(c.UserContext(), principal(c), identity.RoleInput{Name: in.Name, Description: in.Description, Permissions: in.Permissions})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(roleJSON(r))
}

func (s *Server) updateRole(c *fiber.Ctx) error {
	var in roleBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name != "" {
		return errs.Invalidf("name", "Role names cannot be changed; create a new role instead.")
	}
	r, err := s.id.UpdateRole(c.UserContext(), principal(c), c.Params("role_id"), identity.RoleInput{Description: in.Description, Permissions: in.Permissions})
	if err != nil {
		return err
	}
	return c.JSON(roleJSON(r))
}

func (s *Server) deleteRole(c *fiber.Ctx) error {
	if err := s.id.DeleteRole(c.UserContext(), c.Params("role_id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listPermissions(c *fiber.Ctx) error {
	out := make([]fiber.Map, len(authz.Catalogue))
	for i, p := range authz.Catalogue {
		out[i] = fiber.Map{"name": p.Name, "resource": p.Resource, "action": p.Action, "description": p.Description}
	}
	return c.JSON(fiber.Map{"items": out})
}

func apiKeyJSON(k identity.APIKey) fiber.Map {
	return fiber.Map{"id": k.ID, "name": k.Name, "prefix": k.Prefix, "role": k.Role, "created_by": k.CreatedBy,
		"created_at": k.CreatedAt, "last_used_at": k.LastUsedAt, "revoked_at": k.RevokedAt}
}

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	ks, err := s.id.APIKeys(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(ks))
	for i, k := range ks {
		out[i] = apiKeyJSON(k)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == "" {
		return required("name")
	}
	if in.Role == "" {
		return required("role")
	}
	k, secret, err := s.id.CreateAPIKey(c.UserContext(), principal(c), in.Name, in.Role)
	if err != nil {
		return err
	}
	noStore(c)
	out := apiKeyJSON(k)
	out["key"] = secret
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	id, err := pathID(c, "key_id", identity.ErrAPIKeyNotFound)
	if err != nil {
		return err
	}
	if err := s.id.RevokeAPIKey(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f := audit.Filter{Action: c.Query("action"), Limit: limit}
	if b := c.Query("before"); b != "" {
		if f.Before, err = uuid.Parse(b); err != nil {
			return errs.Invalidf("before", "before must be an entry id.")
		}
	}
	es, err := s.audit.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(es))
	for i, e := range es {
		out[i] = fiber.Map{"id": e.ID, "actor_type": e.ActorType, "actor_id": e.ActorID, "action": e.Action,
			"target_type": e.TargetType, "target_id": e.TargetID, "data": rawJSON(e.Data), "ip": e.IP,
			"request_id": e.RequestID, "created_at": e.CreatedAt}
	}
	return c.JSON(fiber.Map{"items": out})
}

// ---- platform operator -------------------------------------------------------------

func (s *Server) platformTenants(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f := tenants.ListFilter{Status: tenants.Status(c.Query("status")), Query: c.Query("q"), Limit: limit}
	if a := c.Query("after"); a != "" {
		if f.After, err = uuid.Parse(a); err != nil {
			return errs.Invalidf("after", "after must be a tenant id.")
		}
	}
	ts, err := s.tenants.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]tenantJSON, len(ts))
	for i, t := range ts {
		out[i] = toTenantJSON(t)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) platformSetStatus(st tenants.Status) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, "tenant_id", identity.ErrNotMember)
		if err != nil {
			return err
		}
		ctx := audit.WithActor(c.UserContext(), func() audit.Actor {
			a := audit.ActorFrom(c.UserContext())
			a.Type = "operator"
			return a
		}())
		t, err := s.tenants.SetStatus(ctx, id, st)
		if err != nil {
			return err
		}
		return c.JSON(toTenantJSON(t))
	}
}
