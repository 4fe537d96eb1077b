package authz

import "slices"

// Names of the built-in roles.
const (
	RoleOwner      = "owner"
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleAgent      = "agent"
	RoleViewer     = "viewer"
)

// RoleInfo describes a role and the permissions it grants.
type RoleInfo struct {
	Name        string
	Permissions []Permission
	Builtin     bool
}

// builtinRoles is the single definition of the built-in roles. They live in
// code rather than in the database so that upgrading the binary updates them
// for every tenant at once; tenants cannot edit them.
//
//	permission             owner  admin  supervisor  agent  viewer
//	members:read             x      x        x                 x
//	members:manage           x      x
//	roles:read               x      x        x                 x
//	roles:manage             x      x
//	apikeys:manage           x      x
//	settings:read            x      x        x                 x
//	settings:manage          x      x
//	audit:read               x      x        x                 x
//	conversations:read       x      x        x         x       x
//	conversations:reply      x      x        x         x
//	conversations:assign     x      x        x         x
//	conversations:manage     x      x        x
//	contacts:read            x      x        x         x       x
//	contacts:manage          x      x        x         x
//	tickets:read             x      x        x         x       x
//	tickets:manage           x      x        x         x
//	kb:read                  x      x        x         x       x
//	kb:edit                  x      x        x
//	kb:publish               x      x
//	channels:read            x      x        x         x       x
//	channels:manage          x      x
//	bot:manage               x      x
//	routing:manage           x      x
//	reports:view             x      x        x                 x
//	quality:manage           x      x        x
//	webhooks:manage          x      x
//
// owner and admin grant every permission, including ones added to the
// catalogue later; supervisor and viewer grant every "*:read" permission,
// including later ones. owner and admin are identical here: what sets owner
// apart is that only an owner may grant the owner role to, or remove it from,
// a member (so a tenant cannot lose its last owner to an admin). That rule is
// about who changes assignments, not about what a subject may do, so the
// membership service enforces it, not this engine.
var builtinRoles = []RoleInfo{
	{Name: RoleOwner, Permissions: where(everything), Builtin: true},
	{Name: RoleAdmin, Permissions: where(everything), Builtin: true},
	{Name: RoleSupervisor, Permissions: where(readsAnd(
		ConversationsReply, ConversationsAssign, ConversationsManage,
		ContactsManage, TicketsManage, KBEdit, ReportsView, QualityManage,
	)), Builtin: true},
	{Name: RoleAgent, Permissions: where(oneOf(
		ConversationsRead, ConversationsReply, ConversationsAssign,
		ContactsRead, ContactsManage, TicketsRead, TicketsManage,
		KBRead, ChannelsRead,
	)), Builtin: true},
	{Name: RoleViewer, Permissions: where(readsAnd(ReportsView)), Builtin: true},
}

// where returns the catalogue permissions that keep accepts, in catalogue
// order.
func where(keep func(PermissionInfo) bool) []Permission {
	var out []Permission
	for _, p := range catalogue {
		if keep(p) {
			out = append(out, p.Name)
		}
	}
	return out
}

func everything(PermissionInfo) bool { return true }

func oneOf(perms ...Permission) func(PermissionInfo) bool {
	return func(p PermissionInfo) bool { return slices.Contains(perms, p.Name) }
}

func readsAnd(perms ...Permission) func(PermissionInfo) bool {
	return func(p PermissionInfo) bool { return p.Action == "read" || slices.Contains(perms, p.Name) }
}

// BuiltinRoles returns the built-in roles in the order owner, admin,
// supervisor, agent, viewer. The result is a copy the caller may modify.
func BuiltinRoles() []RoleInfo {
	out := make([]RoleInfo, len(builtinRoles))
	for i, r := range builtinRoles {
		out[i] = RoleInfo{Name: r.Name, Permissions: slices.Clone(r.Permissions), Builtin: true}
	}
	return out
}

// IsBuiltinRole reports whether name is a built-in role.
func IsBuiltinRole(name string) bool {
	return builtinRole(name) != nil
}

// BuiltinPermissions returns a copy of the permissions of the built-in role,
// or nil if role is not built in.
func BuiltinPermissions(role string) []Permission {
	if r := builtinRole(role); r != nil {
		return slices.Clone(r.Permissions)
	}
	return nil
}

func builtinRole(name string) *RoleInfo {
	for i := range builtinRoles {
		if builtinRoles[i].Name == name {
			return &builtinRoles[i]
		}
	}
	return nil
}

// ValidRoleName reports whether name may be used for a custom role: 2 to 40
// characters of [a-z0-9_-] starting with a letter, and not a built-in name.
// The restricted alphabet keeps custom role names disjoint from subjects
// ("user:…", "apikey:…"), which contain a colon.
func ValidRoleName(name string) bool {
	if len(name) < 2 || len(name) > 40 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return !IsBuiltinRole(name)
}
