package authz

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
)

func newModel(t *testing.T) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAdapterRefusesUnfilteredLoad(t *testing.T) {
	a := NewAdapter(newFakeSource())
	if err := a.LoadPolicy(newModel(t)); !errors.Is(err, errUnfiltered) {
		t.Errorf("LoadPolicy error = %v, want %v", err, errUnfiltered)
	}
	if err := a.LoadPolicyCtx(context.Background(), newModel(t)); !errors.Is(err, errUnfiltered) {
		t.Errorf("LoadPolicyCtx error = %v, want %v", err, errUnfiltered)
	}
	if got, want := a.IsFiltered(), true; got != want {
		t.Errorf("IsFiltered = %v, want %v", got, want)
	}
}

func TestAdapterIsReadOnly(t *testing.T) {
	a := NewAdapter(newFakeSource())
	ctx := context.Background()
	rule := []string{"user:x", "d", "members", "read"}
	for name, err := range map[string]error{
		"SavePolicy":              a.SavePolicy(newModel(t)),
		"SavePolicyCtx":           a.SavePolicyCtx(ctx, newModel(t)),
		"AddPolicy":               a.AddPolicy("p", "p", rule),
		"AddPolicyCtx":            a.AddPolicyCtx(ctx, "p", "p", rule),
		"RemovePolicy":            a.RemovePolicy("p", "p", rule),
		"RemovePolicyCtx":         a.RemovePolicyCtx(ctx, "p", "p", rule),
		"RemoveFilteredPolicy":    a.RemoveFilteredPolicy("p", "p", 0, "x"),
		"RemoveFilteredPolicyCtx": a.RemoveFilteredPolicyCtx(ctx, "p", "p", 0, "x"),
	} {
		if !errors.Is(err, errReadOnly) {
			t.Errorf("%s error = %v, want %v", name, err, errReadOnly)
		}
	}
}

func TestAdapterRejectsBadFilters(t *testing.T) {
	a := NewAdapter(newFakeSource())
	for _, filter := range []any{nil, "*", uuid.New().String(), uuid.Nil, &struct{}{}} {
		if err := a.LoadFilteredPolicy(newModel(t), filter); err == nil {
			t.Errorf("LoadFilteredPolicy(%#v) error = nil, want an error", filter)
		}
	}
}

func TestAdapterLoadsOneTenant(t *testing.T) {
	src := newFakeSource()
	tenantA, tenantB := uuid.New(), uuid.New()
	alice, bob := newUser(), newUser()
	src.set(tenantA, TenantPolicy{
		CustomRoles: map[string][]Permission{"billing": {SettingsRead, SettingsRead, ReportsView}},
		Assignments: []Assignment{{alice, "billing"}, {alice, "billing"}, {alice, RoleAgent}},
	})
	src.set(tenantB, TenantPolicy{
		CustomRoles: map[string][]Permission{"billing": {KBPublish}},
		Assignments: []Assignment{{bob, RoleOwner}},
	})
	m := newModel(t)
	if err := NewAdapter(src).LoadFilteredPolicy(m, tenantA); err != nil {
		t.Fatal(err)
	}

	domA := tenantA.String()
	pLines := m["p"]["p"].Policy
	for _, l := range pLines {
		if got, want := l[1], domA; got != want {
			t.Fatalf("p-line %v has domain %s, want %s", l, got, want)
		}
	}
	builtin := 0
	for _, r := range BuiltinRoles() {
		builtin += len(r.Permissions)
	}
	if got, want := len(pLines), builtin+2; got != want {
		t.Errorf("p-lines = %d, want %d built-in + 2 billing (deduplicated)", got, want)
	}
	gLines := m["g"]["g"].Policy
	want := [][]string{{alice, "role:billing", domA}, {alice, "role:agent", domA}}
	if got := gLines; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("g-lines = %v, want %v", got, want)
	}
}

func TestAdapterIgnoresUntrustedEntries(t *testing.T) {
	src := newFakeSource()
	tenant := uuid.New()
	alice := newUser()
	src.set(tenant, TenantPolicy{
		CustomRoles: map[string][]Permission{
			// Would widen every agent of the tenant if it were honoured.
			RoleAgent:  {MembersManage},
			"Bad Name": {MembersManage},
			"role:x":   {MembersManage},
			"ok":       {"members:*", "*", "nope:read", ReportsView},
		},
		Assignments: []Assignment{
			{alice, RoleAgent},
			{alice, "ok"},
			{alice, "undefined"},
			{"role:owner", RoleOwner},
			{"*", RoleOwner},
			{"user:*", RoleOwner},
			{strings.ToUpper(newUser()), RoleOwner},
			{"user:" + uuid.Nil.String(), RoleOwner},
			{"group:" + uuid.NewString(), RoleOwner},
		},
	})
	m := newModel(t)
	if err := NewAdapter(src).LoadFilteredPolicy(m, tenant); err != nil {
		t.Fatal(err)
	}
	dom := tenant.String()
	wantG := [][]string{{alice, "role:agent", dom}, {alice, "role:ok", dom}}
	if got := m["g"]["g"].Policy; !slices.EqualFunc(got, wantG, slices.Equal) {
		t.Errorf("g-lines = %v, want %v", got, wantG)
	}
	var custom [][]string
	for _, l := range m["p"]["p"].Policy {
		if !IsBuiltinRole(strings.TrimPrefix(l[0], roleSubjectPrefix)) {
			custom = append(custom, l)
		}
	}
	wantP := [][]string{{"role:ok", dom, "reports", "view"}}
	if !slices.EqualFunc(custom, wantP, slices.Equal) {
		t.Errorf("custom p-lines = %v, want %v", custom, wantP)
	}
	for _, l := range m["p"]["p"].Policy {
		if l[0] == "role:agent" && l[2] == "members" && l[3] == "manage" {
			t.Errorf("p-line %v: a custom role named agent changed the built-in agent", l)
		}
	}
}

func TestAdapterSurfacesSourceErrors(t *testing.T) {
	src := newFakeSource()
	boom := errors.New("db down")
	src.setErr(boom)
	if err := NewAdapter(src).LoadFilteredPolicy(newModel(t), uuid.New()); !errors.Is(err, boom) {
		t.Errorf("LoadFilteredPolicy error = %v, want %v", err, boom)
	}
}

func TestValidSubject(t *testing.T) {
	id := uuid.New()
	tests := []struct {
		subject string
		want    bool
	}{
		{UserSubject(id), true},
		{APIKeySubject(id), true},
		{"user:" + strings.ToUpper(id.String()), false},
		{"user:" + strings.ReplaceAll(id.String(), "-", ""), false},
		{"user:{" + id.String() + "}", false},
		{"user:urn:uuid:" + id.String(), false},
		{"user:" + id.String() + " ", false},
		{UserSubject(uuid.Nil), false},
		{"user:", false},
		{"user:*", false},
		{"*", false},
		{"", false},
		{"role:owner", false},
		{"owner", false},
		{"team:" + id.String(), false},
		{"User:" + id.String(), false},
	}
	for _, tt := range tests {
		if got, want := validSubject(tt.subject), tt.want; got != want {
			t.Errorf("validSubject(%q) = %v, want %v", tt.subject, got, want)
		}
	}
}
