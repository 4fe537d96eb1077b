package authz

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

func newEnforcer(t *testing.T, src PolicySource, opts Options) *Enforcer {
	t.Helper()
	e, err := New(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func allowed(t *testing.T, e *Enforcer, tenant uuid.UUID, subject string, perm Permission) bool {
	t.Helper()
	ok, err := e.Allowed(context.Background(), tenant, subject, perm)
	if err != nil {
		t.Fatalf("Allowed(%s, %s, %s): %v", tenant, subject, perm, err)
	}
	return ok
}

// twoTenants has a member per built-in role and a "billing" member in tenant
// A, and a "billing" role with other permissions in tenant B.
type twoTenants struct {
	src            *fakeSource
	a, b           uuid.UUID
	members        map[string]string // role → subject, in A
	billingB       string            // subject with B's billing role, in B
	billingAPerms  []Permission
	billingBPerms  []Permission
	ownerOfB       string
	adminOfAInB    string // admin in A, nothing in B
	adminOfAAPIKey string
}

func newTwoTenants() *twoTenants {
	f := &twoTenants{
		src:           newFakeSource(),
		a:             uuid.New(),
		b:             uuid.New(),
		members:       map[string]string{},
		billingB:      newUser(),
		billingAPerms: []Permission{SettingsRead, ReportsView, WebhooksManage},
		billingBPerms: []Permission{KBPublish, MembersManage},
		ownerOfB:      newUser(),
	}
	a := TenantPolicy{CustomRoles: map[string][]Permission{"billing": f.billingAPerms}}
	for _, role := range []string{RoleOwner, RoleAdmin, RoleSupervisor, RoleAgent, RoleViewer, "billing"} {
		f.members[role] = newUser()
		a.Assignments = append(a.Assignments, Assignment{f.members[role], role})
	}
	f.adminOfAInB = f.members[RoleAdmin]
	f.adminOfAAPIKey = APIKeySubject(uuid.New())
	a.Assignments = append(a.Assignments, Assignment{f.adminOfAAPIKey, RoleAdmin})
	f.src.set(f.a, a)
	f.src.set(f.b, TenantPolicy{
		CustomRoles: map[string][]Permission{"billing": f.billingBPerms},
		Assignments: []Assignment{{f.billingB, "billing"}, {f.ownerOfB, RoleOwner}},
	})
	return f
}

func TestAllowedMatrix(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	unknown := uuid.New()
	want := map[string][]Permission{"billing": f.billingAPerms}
	for role, perms := range wantRolePerms {
		want[role] = perms
	}

	tenants := []struct {
		name string
		id   uuid.UUID
		own  bool
	}{
		{"own", f.a, true},
		{"other", f.b, false},
		{"unknown", unknown, false},
		{"zero", uuid.Nil, false},
	}
	for role, subject := range f.members {
		for _, tn := range tenants {
			for _, p := range Catalogue {
				got := allowed(t, e, tn.id, subject, p.Name)
				wantOK := tn.own && slices.Contains(want[role], p.Name)
				if got != wantOK {
					t.Errorf("%s in %s tenant, %s: allowed = %v, want %v", role, tn.name, p.Name, got, wantOK)
				}
			}
		}
	}
}

func TestAdminOfOneTenantHasNothingInAnother(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	for _, subject := range []string{f.adminOfAInB, f.adminOfAAPIKey} {
		if got, want := allowed(t, e, f.a, subject, MembersManage), true; got != want {
			t.Errorf("%s in A: members:manage = %v, want %v", subject, got, want)
		}
		for _, p := range Catalogue {
			if got, want := allowed(t, e, f.b, subject, p.Name), false; got != want {
				t.Errorf("%s in B: %s = %v, want %v", subject, p.Name, got, want)
			}
		}
		perms, err := e.PermissionsOf(context.Background(), f.b, subject)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(perms), 0; got != want {
			t.Errorf("PermissionsOf(%s in B) = %v, want none", subject, perms)
		}
	}
}

func TestSameNamedCustomRolesStayInTheirTenant(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	billingA := f.members["billing"]
	for _, p := range Catalogue {
		tests := []struct {
			name    string
			tenant  uuid.UUID
			subject string
			want    bool
		}{
			{"A's billing member in A", f.a, billingA, slices.Contains(f.billingAPerms, p.Name)},
			{"A's billing member in B", f.b, billingA, false},
			{"B's billing member in B", f.b, f.billingB, slices.Contains(f.billingBPerms, p.Name)},
			{"B's billing member in A", f.a, f.billingB, false},
		}
		for _, tt := range tests {
			if got, want := allowed(t, e, tt.tenant, tt.subject, p.Name), tt.want; got != want {
				t.Errorf("%s, %s: allowed = %v, want %v", tt.name, p.Name, got, want)
			}
		}
	}
}

func TestWildcardsAndMalformedInputAreDenied(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	owner := f.members[RoleOwner]
	subjects := []string{"*", "user:*", "apikey:*", "", "owner", "role:owner", "role:*", "role:billing",
		"user:" + f.a.String() + "*", owner + "*", owner[:len(owner)-1], "USER:" + owner[len("user:"):]}
	for _, s := range subjects {
		for _, p := range Catalogue {
			if got, want := allowed(t, e, f.a, s, p.Name), false; got != want {
				t.Errorf("subject %q, %s: allowed = %v, want %v", s, p.Name, got, want)
			}
		}
		perms, err := e.PermissionsOf(context.Background(), f.a, s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(perms), 0; got != want {
			t.Errorf("PermissionsOf(%q) = %v, want none", s, perms)
		}
	}
	for _, p := range []Permission{"*", "*:*", "members:*", "*:read", "", ":", "members", "members:read:x", "keyMatch(members:read)"} {
		if got, want := allowed(t, e, f.a, owner, p), false; got != want {
			t.Errorf("owner, permission %q: allowed = %v, want %v", p, got, want)
		}
	}
}

// TestCasbinModelAgrees checks the per-subject bitsets against casbin's own
// Enforce on the same loaded policy, including wildcard requests that the
// public API never sends to casbin.
func TestCasbinModelAgrees(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	ctx := context.Background()
	ta, err := e.tenant(ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	domA, domB := f.a.String(), f.b.String()
	subjects := []string{f.billingB, f.ownerOfB, newUser()}
	for _, s := range f.members {
		subjects = append(subjects, s)
	}
	for _, s := range subjects {
		for _, p := range Catalogue {
			obj, act := p.Name.Split()
			viaCasbin, err := ta.enf.Enforce(s, domA, obj, act)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := allowed(t, e, f.a, s, p.Name), viaCasbin; got != want {
				t.Errorf("%s, %s: Allowed = %v, casbin Enforce = %v", s, p.Name, got, want)
			}
			// A tenant's casbin enforcer holds that tenant only.
			if got, want := must(ta.enf.Enforce(s, domB, obj, act)), false; got != want {
				t.Errorf("%s, %s in B through A's enforcer = %v, want %v", s, p.Name, got, want)
			}
		}
	}
	owner := f.members[RoleOwner]
	for _, req := range [][4]string{
		{owner, "*", "members", "read"},
		{owner, domA + "*", "members", "read"},
		{owner, domA, "*", "read"},
		{owner, domA, "members", "*"},
		{owner, domA, "*", "*"},
		{"*", domA, "members", "read"},
		{"role:*", domA, "members", "read"},
	} {
		if got, want := must(ta.enf.Enforce(req[0], req[1], req[2], req[3])), false; got != want {
			t.Errorf("casbin Enforce%v = %v, want %v", req, got, want)
		}
	}
}

func must(ok bool, err error) bool {
	if err != nil {
		panic(err)
	}
	return ok
}

func TestPermissionsOf(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	ctx := context.Background()
	tests := []struct {
		name    string
		tenant  uuid.UUID
		subject string
		want    []Permission
	}{
		{"owner", f.a, f.members[RoleOwner], allPermissions()},
		{"agent", f.a, f.members[RoleAgent], wantRolePerms[RoleAgent]},
		{"billing A", f.a, f.members["billing"], f.billingAPerms},
		{"billing B", f.b, f.billingB, []Permission{MembersManage, KBPublish}},
		{"stranger", f.a, newUser(), nil},
		{"zero tenant", uuid.Nil, f.members[RoleOwner], nil},
	}
	for _, tt := range tests {
		got, err := e.PermissionsOf(ctx, tt.tenant, tt.subject)
		if err != nil {
			t.Fatal(err)
		}
		if want := tt.want; !slices.Equal(got, want) {
			t.Errorf("%s: PermissionsOf = %v, want %v", tt.name, got, want)
		}
	}
}

func TestSubjectWithSeveralRoles(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.set(tenant, TenantPolicy{
		CustomRoles: map[string][]Permission{"publisher": {KBPublish}},
		Assignments: []Assignment{{alice, RoleAgent}, {alice, "publisher"}},
	})
	e := newEnforcer(t, src, Options{})
	for _, tt := range []struct {
		perm Permission
		want bool
	}{{ConversationsReply, true}, {KBPublish, true}, {KBEdit, false}, {MembersManage, false}} {
		if got, want := allowed(t, e, tenant, alice, tt.perm), tt.want; got != want {
			t.Errorf("%s: allowed = %v, want %v", tt.perm, got, want)
		}
	}
}

func TestUnknownInputDoesNotLoad(t *testing.T) {
	f := newTwoTenants()
	e := newEnforcer(t, f.src, Options{})
	allowed(t, e, uuid.Nil, f.members[RoleOwner], MembersRead)
	allowed(t, e, f.a, "*", MembersRead)
	allowed(t, e, f.a, f.members[RoleOwner], "*")
	if got, want := f.src.calls.Load(), int64(0); got != want {
		t.Errorf("source calls = %d, want %d", got, want)
	}
}

func TestLRUEviction(t *testing.T) {
	src := newFakeSource()
	owner := newUser()
	t1, t2, t3 := uuid.New(), uuid.New(), uuid.New()
	for _, id := range []uuid.UUID{t1, t2, t3} {
		src.assign(id, owner, RoleOwner)
	}
	e := newEnforcer(t, src, Options{MaxTenants: 2})
	steps := []struct {
		tenant    uuid.UUID
		wantCalls int64
	}{
		{t1, 1},
		{t2, 2},
		{t1, 2}, // cached; now t2 is least recently used
		{t3, 3}, // evicts t2
		{t1, 3},
		{t3, 3},
		{t2, 4}, // reloaded; evicts t1
		{t3, 4},
		{t1, 5},
	}
	for i, s := range steps {
		if got, want := allowed(t, e, s.tenant, owner, MembersManage), true; got != want {
			t.Fatalf("step %d: allowed = %v, want %v", i, got, want)
		}
		if got, want := src.calls.Load(), s.wantCalls; got != want {
			t.Errorf("step %d: source calls = %d, want %d", i, got, want)
		}
		if got, want := e.lru.Len(), min(i+1, 2); got != want {
			t.Errorf("step %d: loaded tenants = %d, want %d", i, got, want)
		}
	}
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestTTLReload(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleViewer)
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	e := newEnforcer(t, src, Options{TTL: time.Minute, Now: clock.Now})

	if got, want := allowed(t, e, tenant, alice, ConversationsReply), false; got != want {
		t.Fatalf("viewer reply = %v, want %v", got, want)
	}
	src.set(tenant, TenantPolicy{Assignments: []Assignment{{alice, RoleAgent}}})
	clock.advance(59 * time.Second)
	if got, want := allowed(t, e, tenant, alice, ConversationsReply), false; got != want {
		t.Errorf("at 59s: reply = %v, want %v (still cached)", got, want)
	}
	clock.advance(time.Second)
	if got, want := allowed(t, e, tenant, alice, ConversationsReply), true; got != want {
		t.Errorf("at 60s: reply = %v, want %v (reloaded)", got, want)
	}
	if got, want := src.calls.Load(), int64(2); got != want {
		t.Errorf("source calls = %d, want %d", got, want)
	}
}

func TestConcurrentFirstChecksLoadOnce(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleAgent)
	gate := make(chan struct{})
	src.setGate(gate)
	e := newEnforcer(t, src, Options{})

	const n = 64
	var wg sync.WaitGroup
	results := make(chan bool, n)
	for range n {
		wg.Go(func() {
			ok, err := e.Allowed(context.Background(), tenant, alice, TicketsManage)
			if err != nil {
				t.Error(err)
			}
			results <- ok
		})
	}
	waitFor(t, "the load to start", func() bool { return src.calls.Load() > 0 })
	close(gate)
	wg.Wait()
	close(results)
	for ok := range results {
		if got, want := ok, true; got != want {
			t.Errorf("allowed = %v, want %v", got, want)
		}
	}
	if got, want := src.calls.Load(), int64(1); got != want {
		t.Errorf("source calls = %d, want %d", got, want)
	}
}

func TestInvalidateReloads(t *testing.T) {
	src := newFakeSource()
	tenant, other, alice := uuid.New(), uuid.New(), newUser()
	src.assign(tenant, alice, RoleAgent)
	src.assign(other, alice, RoleAgent)
	e := newEnforcer(t, src, Options{})

	steps := []struct {
		do   func()
		want bool
	}{
		{func() {}, false},
		{func() { src.set(tenant, TenantPolicy{Assignments: []Assignment{{alice, RoleAdmin}}}) }, false},
		{func() { e.Invalidate(other) }, false},
		{func() { e.Invalidate(tenant) }, true},
		{func() { src.set(tenant, TenantPolicy{}) }, true},
		{func() { e.InvalidateAll() }, false},
	}
	for i, s := range steps {
		s.do()
		if got, want := allowed(t, e, tenant, alice, MembersManage), s.want; got != want {
			t.Errorf("step %d: allowed = %v, want %v", i, got, want)
		}
	}
}

// TestInvalidateDuringLoad covers a read that happened before a change but
// returns after the change was announced: its result must not be kept.
func TestInvalidateDuringLoad(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleAdmin)
	gate := make(chan struct{})
	src.setGate(gate)
	e := newEnforcer(t, src, Options{})

	first := make(chan bool)
	go func() {
		ok, err := e.Allowed(context.Background(), tenant, alice, MembersManage)
		if err != nil {
			t.Error(err)
		}
		first <- ok
	}()
	waitFor(t, "the load to read", func() bool { return src.calls.Load() == 1 })
	src.set(tenant, TenantPolicy{Assignments: []Assignment{{alice, RoleViewer}}})
	e.Invalidate(tenant)
	src.setGate(nil)
	close(gate)
	if got, want := <-first, true; got != want {
		t.Errorf("check racing the change = %v, want %v (the data it read)", got, want)
	}
	if got, want := allowed(t, e, tenant, alice, MembersManage), false; got != want {
		t.Errorf("check after the change = %v, want %v", got, want)
	}
	if got, want := src.calls.Load(), int64(2); got != want {
		t.Errorf("source calls = %d, want %d", got, want)
	}
}

func TestSourceErrorIsAnErrorNotAnAllow(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleOwner)
	boom := errors.New("db down")
	src.setErr(boom)
	e := newEnforcer(t, src, Options{})

	ok, err := e.Allowed(context.Background(), tenant, alice, MembersRead)
	if !errors.Is(err, boom) {
		t.Errorf("Allowed error = %v, want %v", err, boom)
	}
	if got, want := ok, false; got != want {
		t.Errorf("Allowed = %v, want %v", got, want)
	}
	perms, err := e.PermissionsOf(context.Background(), tenant, alice)
	if !errors.Is(err, boom) || perms != nil {
		t.Errorf("PermissionsOf = %v, %v, want nil, %v", perms, err, boom)
	}

	src.setErr(nil)
	if got, want := allowed(t, e, tenant, alice, MembersRead), true; got != want {
		t.Errorf("after recovery: allowed = %v, want %v (errors are not cached)", got, want)
	}
}

type panickingSource struct{}

func (panickingSource) TenantPolicy(context.Context, uuid.UUID) (TenantPolicy, error) {
	panic("driver bug")
}

func TestSourcePanicIsAnError(t *testing.T) {
	e := newEnforcer(t, panickingSource{}, Options{})
	ok, err := e.Allowed(context.Background(), uuid.New(), newUser(), MembersRead)
	if ok || err == nil {
		t.Errorf("Allowed = %v, %v, want false and an error", ok, err)
	}
}

func TestWaiterHonoursItsContext(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleOwner)
	gate := make(chan struct{})
	src.setGate(gate)
	e := newEnforcer(t, src, Options{})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok, err := e.Allowed(ctx, tenant, alice, MembersRead)
	if got, want := err, context.Canceled; !errors.Is(got, want) || ok {
		t.Errorf("Allowed with cancelled context = %v, %v, want false, %v", ok, got, want)
	}
	// The load the cancelled caller started is not tied to its context.
	close(gate)
	if got, want := allowed(t, e, tenant, alice, MembersRead), true; got != want {
		t.Errorf("allowed = %v, want %v", got, want)
	}
	if got, want := src.calls.Load(), int64(1); got != want {
		t.Errorf("source calls = %d, want %d", got, want)
	}
}

type recordingPublisher struct {
	mu      sync.Mutex
	tenants []uuid.UUID
	err     error
}

func (p *recordingPublisher) Publish(_ context.Context, id uuid.UUID) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tenants = append(p.tenants, id)
	return p.err
}

func TestChanged(t *testing.T) {
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleAgent)
	e := newEnforcer(t, src, Options{})
	ctx := context.Background()

	allowed(t, e, tenant, alice, MembersManage)
	src.set(tenant, TenantPolicy{Assignments: []Assignment{{alice, RoleOwner}}})
	if err := e.Changed(ctx, tenant); err != nil {
		t.Fatalf("Changed without publisher: %v", err)
	}
	if got, want := allowed(t, e, tenant, alice, MembersManage), true; got != want {
		t.Errorf("after Changed: allowed = %v, want %v", got, want)
	}

	pub := &recordingPublisher{}
	e.SetPublisher(pub)
	if err := e.Changed(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if got, want := pub.tenants, []uuid.UUID{tenant}; !slices.Equal(got, want) {
		t.Errorf("published = %v, want %v", got, want)
	}

	pub.err = errors.New("redis down")
	src.set(tenant, TenantPolicy{})
	if err := e.Changed(ctx, tenant); !errors.Is(err, pub.err) {
		t.Errorf("Changed error = %v, want %v", err, pub.err)
	}
	if got, want := allowed(t, e, tenant, alice, MembersManage), false; got != want {
		t.Errorf("after Changed with failed publish: allowed = %v, want %v (local invalidation still done)", got, want)
	}

	e.SetPublisher(nil)
	if err := e.Changed(ctx, tenant); err != nil {
		t.Errorf("Changed after SetPublisher(nil): %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New(nil) error = nil, want an error")
	}
	e := newEnforcer(t, newFakeSource(), Options{})
	if got, want := e.maxTenants, 4096; got != want {
		t.Errorf("default MaxTenants = %d, want %d", got, want)
	}
	if got, want := e.ttl, 60*time.Second; got != want {
		t.Errorf("default TTL = %v, want %v", got, want)
	}
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
