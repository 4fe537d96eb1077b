package authz

import (
	"slices"
	"testing"
)

func TestCatalogueHasRequiredPermissions(t *testing.T) {
	required := []string{
		"members:read", "members:manage", "roles:read", "roles:manage", "apikeys:manage",
		"settings:read", "settings:manage", "audit:read", "conversations:read",
		"conversations:reply", "conversations:assign", "conversations:manage",
		"contacts:read", "contacts:manage", "tickets:read", "tickets:manage", "kb:read",
		"kb:edit", "kb:publish", "channels:read", "channels:manage", "bot:manage",
		"routing:manage", "reports:view", "quality:manage", "webhooks:manage",
	}
	for _, s := range required {
		p, ok := ParsePermission(s)
		if got, want := ok, true; got != want {
			t.Errorf("ParsePermission(%q) ok = %v, want %v", s, got, want)
		}
		if got, want := string(p), s; got != want {
			t.Errorf("ParsePermission(%q) = %q, want %q", s, got, want)
		}
	}
	if got, want := len(Catalogue), len(required); got != want {
		t.Errorf("len(Catalogue) = %d, want %d (update this test with the catalogue)", got, want)
	}
}

func TestCatalogueEntries(t *testing.T) {
	seen := map[Permission]bool{}
	for _, p := range Catalogue {
		obj, act := p.Name.Split()
		if got, want := p.Resource+":"+p.Action, string(p.Name); got != want {
			t.Errorf("%s: Resource:Action = %q, want %q", p.Name, got, want)
		}
		if got, want := obj+"/"+act, p.Resource+"/"+p.Action; got != want {
			t.Errorf("%s: Split = %q, want %q", p.Name, got, want)
		}
		if got, want := p.Description != "", true; got != want {
			t.Errorf("%s: has description = %v, want %v", p.Name, got, want)
		}
		if got, want := seen[p.Name], false; got != want {
			t.Errorf("%s: duplicate = %v, want %v", p.Name, got, want)
		}
		seen[p.Name] = true
	}
}

func TestCatalogueIsACopy(t *testing.T) {
	saved := Catalogue[0]
	Catalogue[0].Name = "evil:grant"
	defer func() { Catalogue[0] = saved }()
	_, ok := ParsePermission("evil:grant")
	if got, want := ok, false; got != want {
		t.Errorf("ParsePermission after editing Catalogue ok = %v, want %v", got, want)
	}
}

func TestParsePermissionRejects(t *testing.T) {
	for _, s := range []string{"", "*", "members:*", "*:read", ":", "members", "members:read ", "Members:read", "members:read:x"} {
		_, ok := ParsePermission(s)
		if got, want := ok, false; got != want {
			t.Errorf("ParsePermission(%q) ok = %v, want %v", s, got, want)
		}
	}
}

// wantRolePerms restates the role table of roles.go independently of the code
// that builds it.
var wantRolePerms = map[string][]Permission{
	RoleOwner: allPermissions(),
	RoleAdmin: allPermissions(),
	RoleSupervisor: {
		MembersRead, RolesRead, SettingsRead, AuditRead,
		ConversationsRead, ConversationsReply, ConversationsAssign, ConversationsManage,
		ContactsRead, ContactsManage, TicketsRead, TicketsManage, KBRead, KBEdit,
		ChannelsRead, ReportsView, QualityManage,
	},
	RoleAgent: {
		ConversationsRead, ConversationsReply, ConversationsAssign,
		ContactsRead, ContactsManage, TicketsRead, TicketsManage, KBRead, ChannelsRead,
	},
	RoleViewer: {
		MembersRead, RolesRead, SettingsRead, AuditRead, ConversationsRead,
		ContactsRead, TicketsRead, KBRead, ChannelsRead, ReportsView,
	},
}

func allPermissions() []Permission {
	var out []Permission
	for _, p := range Catalogue {
		out = append(out, p.Name)
	}
	return out
}

func TestBuiltinRoles(t *testing.T) {
	roles := BuiltinRoles()
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
		if got, want := r.Builtin, true; got != want {
			t.Errorf("%s: Builtin = %v, want %v", r.Name, got, want)
		}
		if got, want := r.Permissions, wantRolePerms[r.Name]; !slices.Equal(got, want) {
			t.Errorf("%s: Permissions = %v, want %v", r.Name, got, want)
		}
		if got, want := BuiltinPermissions(r.Name), wantRolePerms[r.Name]; !slices.Equal(got, want) {
			t.Errorf("BuiltinPermissions(%s) = %v, want %v", r.Name, got, want)
		}
		if got, want := IsBuiltinRole(r.Name), true; got != want {
			t.Errorf("IsBuiltinRole(%s) = %v, want %v", r.Name, got, want)
		}
	}
	if got, want := names, []string{"owner", "admin", "supervisor", "agent", "viewer"}; !slices.Equal(got, want) {
		t.Errorf("BuiltinRoles order = %v, want %v", got, want)
	}
	for _, name := range []string{"", "Owner", "billing", "role:owner"} {
		if got, want := IsBuiltinRole(name), false; got != want {
			t.Errorf("IsBuiltinRole(%q) = %v, want %v", name, got, want)
		}
		if got := BuiltinPermissions(name); got != nil {
			t.Errorf("BuiltinPermissions(%q) = %v, want nil", name, got)
		}
	}
}

func TestBuiltinRolesReturnsCopies(t *testing.T) {
	BuiltinRoles()[3].Permissions[0] = MembersManage
	BuiltinPermissions(RoleAgent)[0] = MembersManage
	if got, want := BuiltinPermissions(RoleAgent)[0], ConversationsRead; got != want {
		t.Errorf("agent's first permission after editing copies = %s, want %s", got, want)
	}
}

func TestValidRoleName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"billing", true},
		{"qa", true},
		{"tier-2_support", true},
		{"a1", true},
		{"abcdefghijabcdefghijabcdefghijabcdefghij", true}, // 40
		{"abcdefghijabcdefghijabcdefghijabcdefghijk", false},
		{"a", false},
		{"", false},
		{"1st", false},
		{"_x", false},
		{"-x", false},
		{"Billing", false},
		{"bill ing", false},
		{"bill:ing", false},
		{"role:x", false},
		{"user:x", false},
		{"*", false},
		{"bíll", false},
		{"owner", false},
		{"admin", false},
		{"supervisor", false},
		{"agent", false},
		{"viewer", false},
	}
	for _, tt := range tests {
		if got, want := ValidRoleName(tt.name), tt.want; got != want {
			t.Errorf("ValidRoleName(%q) = %v, want %v", tt.name, got, want)
		}
	}
}
