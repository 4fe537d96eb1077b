package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
)

// PolicySource reads one tenant's authorization data.
type PolicySource interface {
	// TenantPolicy returns the tenant's custom roles (name → permissions) and its
	// subject → role assignments (subjects are "user:<uuid>" or "apikey:<uuid>").
	//
	// A tenant without data (including one that does not exist) should yield an
	// empty TenantPolicy, not an error: errors are reported to callers of
	// Enforcer.Allowed as failures, not as denials. Entries the engine cannot
	// trust are ignored, so they grant nothing: custom roles whose name fails
	// ValidRoleName (which also rules out shadowing a built-in role),
	// permissions missing from the catalogue, malformed subjects, and
	// assignments of roles the tenant does not define.
	TenantPolicy(ctx context.Context, tenantID uuid.UUID) (TenantPolicy, error)
}

// TenantPolicy is the part of a tenant's authorization data that lives in the
// database; built-in roles come from code.
type TenantPolicy struct {
	CustomRoles map[string][]Permission
	Assignments []Assignment
}

// Assignment gives Subject the role named Role (built-in or custom).
type Assignment struct {
	Subject string
	Role    string
}

// UserSubject returns the subject string for a user.
func UserSubject(id uuid.UUID) string { return "user:" + id.String() }

// APIKeySubject returns the subject string for an API key.
func APIKeySubject(id uuid.UUID) string { return "apikey:" + id.String() }

// validSubject accepts exactly the strings UserSubject and APIKeySubject
// produce for a non-zero UUID. The strictness matters: casbin's g() is true
// when both arguments are equal, so a subject spelled like a role ("role:owner")
// would otherwise be granted that role's permissions.
func validSubject(s string) bool {
	id, ok := strings.CutPrefix(s, "user:")
	if !ok {
		if id, ok = strings.CutPrefix(s, "apikey:"); !ok {
			return false
		}
	}
	if len(id) != 36 || id == "00000000-0000-0000-0000-000000000000" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// Roles appear in casbin under this prefix. Subjects always contain "user:" or
// "apikey:" and role names cannot contain a colon, so the namespaces cannot
// collide even if validation were bypassed.
const roleSubjectPrefix = "role:"

// builtinLine is one built-in p-line without its domain.
type builtinLine struct{ role, obj, act string }

// The built-in role strings are built once and shared by every tenant's
// policy, which keeps 10k loaded tenants from holding 10k copies of them.
var (
	builtinRoleSubjects = map[string]string{}
	builtinLines        []builtinLine
)

func init() {
	for _, r := range builtinRoles {
		sub := roleSubjectPrefix + r.Name
		builtinRoleSubjects[r.Name] = sub
		for _, p := range r.Permissions {
			obj, act := p.Split()
			builtinLines = append(builtinLines, builtinLine{sub, obj, act})
		}
	}
}

// Adapter is a read-only casbin adapter over a PolicySource. Its filter is a
// tenant uuid.UUID: it loads the built-in roles, the tenant's custom roles and
// the tenant's assignments, all in that tenant's domain, and nothing else.
//
// Loading every tenant at once is refused, and writes are refused because
// custom roles and assignments are written through kefu's own stores (which
// then call Enforcer.Changed).
type Adapter struct {
	src PolicySource
}

var (
	_ persist.FilteredAdapter        = (*Adapter)(nil)
	_ persist.ContextFilteredAdapter = (*Adapter)(nil)
)

var (
	errUnfiltered = errors.New("authz: refusing to load the policy of every tenant; use LoadFilteredPolicy with a tenant ID")
	errReadOnly   = errors.New("authz: the casbin adapter is read-only; policies are written through kefu's own stores")
)

// NewAdapter returns an Adapter reading from src.
func NewAdapter(src PolicySource) *Adapter { return &Adapter{src: src} }

// LoadPolicy always fails: see Adapter.
func (a *Adapter) LoadPolicy(model.Model) error { return errUnfiltered }

// LoadPolicyCtx always fails: see Adapter.
func (a *Adapter) LoadPolicyCtx(context.Context, model.Model) error { return errUnfiltered }

// LoadFilteredPolicy loads the policy of the tenant given as filter.
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter any) error {
	return a.LoadFilteredPolicyCtx(context.Background(), m, filter)
}

// LoadFilteredPolicyCtx loads the policy of the tenant given as filter, which
// must be a non-zero uuid.UUID.
func (a *Adapter) LoadFilteredPolicyCtx(ctx context.Context, m model.Model, filter any) error {
	tenantID, ok := filter.(uuid.UUID)
	if !ok {
		return fmt.Errorf("authz: adapter filter must be a tenant uuid.UUID, not %T", filter)
	}
	if tenantID == uuid.Nil {
		return errors.New("authz: adapter filter is the zero tenant ID")
	}
	tp, err := a.src.TenantPolicy(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("authz: loading policy of tenant %s: %w", tenantID, err)
	}
	return addTenantPolicy(m, tenantID.String(), tp)
}

// IsFiltered reports true: the adapter only ever loads one tenant.
func (a *Adapter) IsFiltered() bool { return true }

// IsFilteredCtx reports true: the adapter only ever loads one tenant.
func (a *Adapter) IsFilteredCtx(context.Context) bool { return true }

// SavePolicy fails: see Adapter.
func (a *Adapter) SavePolicy(model.Model) error { return errReadOnly }

// SavePolicyCtx fails: see Adapter.
func (a *Adapter) SavePolicyCtx(context.Context, model.Model) error { return errReadOnly }

// AddPolicy fails: see Adapter.
func (a *Adapter) AddPolicy(string, string, []string) error { return errReadOnly }

// AddPolicyCtx fails: see Adapter.
func (a *Adapter) AddPolicyCtx(context.Context, string, string, []string) error { return errReadOnly }

// RemovePolicy fails: see Adapter.
func (a *Adapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemovePolicyCtx fails: see Adapter.
func (a *Adapter) RemovePolicyCtx(context.Context, string, string, []string) error {
	return errReadOnly
}

// RemoveFilteredPolicy fails: see Adapter.
func (a *Adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }

// RemoveFilteredPolicyCtx fails: see Adapter.
func (a *Adapter) RemoveFilteredPolicyCtx(context.Context, string, string, int, ...string) error {
	return errReadOnly
}

// addTenantPolicy writes the p- and g-lines of one tenant into m, every line
// carrying dom. Lines are deduplicated here, so model.AddPolicy is safe to use
// without casbin's per-line duplicate lookup.
func addTenantPolicy(m model.Model, dom string, tp TenantPolicy) error {
	for _, l := range builtinLines {
		if err := m.AddPolicy("p", "p", []string{l.role, dom, l.obj, l.act}); err != nil {
			return err
		}
	}

	customSubjects := make(map[string]string, len(tp.CustomRoles))
	for name, perms := range tp.CustomRoles {
		if !ValidRoleName(name) {
			continue
		}
		sub := roleSubjectPrefix + name
		customSubjects[name] = sub
		var granted permSet
		for _, p := range perms {
			i, ok := permIndex[p]
			if !ok || granted.has(i) {
				continue
			}
			granted.add(i)
			obj, act := catalogue[i].Name.Split()
			if err := m.AddPolicy("p", "p", []string{sub, dom, obj, act}); err != nil {
				return err
			}
		}
	}

	seen := make(map[Assignment]bool, len(tp.Assignments))
	for _, as := range tp.Assignments {
		if !validSubject(as.Subject) || seen[as] {
			continue
		}
		role, ok := builtinRoleSubjects[as.Role]
		if !ok {
			if role, ok = customSubjects[as.Role]; !ok {
				continue
			}
		}
		seen[as] = true
		if err := m.AddPolicy("g", "g", []string{as.Subject, role, dom}); err != nil {
			return err
		}
	}
	return nil
}
