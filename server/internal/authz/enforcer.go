package authz

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
)

// modelText is RBAC with domains, the domain being the tenant. Every
// comparison is an exact match: r.dom always comes from a verified tenant ID,
// and no keyMatch or other pattern function is registered, so neither a
// tenant nor a subject, object or action given as "*" matches anything else.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && r.obj == p.obj && r.act == p.act && g(r.sub, p.sub, r.dom)
`

// Options configures an Enforcer. Zero values select the defaults.
type Options struct {
	// MaxTenants is how many tenants are kept loaded, least recently used
	// first out. Default 4096.
	MaxTenants int
	// TTL is how long a loaded tenant is used before it is read again. Changes
	// normally reach every process within milliseconds through Changed and a
	// RedisWatcher; TTL bounds staleness if such a message is lost. Default
	// 60s.
	TTL time.Duration
	// LoadTimeout bounds one PolicySource call. Loads are shared by every
	// caller waiting for the tenant, so they are not cancelled with the
	// context of the caller that started them; this bounds them instead.
	// Default 10s.
	LoadTimeout time.Duration
	// Now replaces time.Now, for tests.
	Now func() time.Time
}

// Publisher tells other processes that a tenant's authorization data changed.
// RedisWatcher implements it.
type Publisher interface {
	Publish(ctx context.Context, tenantID uuid.UUID) error
}

// Enforcer answers permission checks, keeping one casbin enforcer per tenant.
//
// A global casbin enforcer would scan every tenant's policy on each check
// (milliseconds at 10k tenants); a per-tenant one scans only that tenant's
// ~100 lines. Even that costs tens of microseconds per check (about 75 µs on
// a 2-core VM), because casbin interprets its matcher expression once per
// policy line. So the matcher is not run per check. Each tenant keeps:
//
//   - its casbin enforcer, loaded through Adapter, which resolves a subject's
//     roles (the g() half of the matcher);
//   - the permissions of each role, read once from the enforcer's p-lines at
//     load (the r.dom/r.obj/r.act == p.* half, all exact comparisons);
//   - per subject, the union over its roles, computed on the subject's first
//     check and kept until the tenant is reloaded.
//
// A check on a known subject is then a few map lookups and a bit test.
// TestCasbinModelAgrees checks this against casbin's Enforce.
//
// An Enforcer is safe for concurrent use.
type Enforcer struct {
	adapter     *Adapter
	model       model.Model
	maxTenants  int
	ttl         time.Duration
	loadTimeout time.Duration
	now         func() time.Time

	mu        sync.Mutex
	lru       *list.List // of *tenant, most recently used at the front
	tenants   map[uuid.UUID]*list.Element
	loading   map[uuid.UUID]*load
	publisher Publisher
}

// tenant is one loaded tenant. It is never modified after loading except for
// filling subject bitsets; a reload replaces the whole value.
type tenant struct {
	id       uuid.UUID
	dom      string
	loadedAt time.Time
	// subjects holds exactly the subjects with a role assignment in this
	// tenant. Anyone else has no g-line, so casbin would deny them everything.
	subjects map[string]*subjectPerms
	// roles maps each casbin role subject ("role:agent") to its permissions.
	roles map[string]permSet

	// mu serialises calls into enf: casbin documents only its Synced*
	// wrappers as safe for concurrent use, and this is cheaper than one.
	mu  sync.Mutex
	enf *casbin.Enforcer
}

type subjectPerms struct {
	ready atomic.Bool // set is written, under tenant.mu, before ready
	set   permSet
}

// load is one PolicySource read in progress, shared by every caller that
// needs the tenant meanwhile.
type load struct {
	done  chan struct{}
	t     *tenant
	err   error
	stale bool // invalidated while running: serve waiters, don't cache; guarded by Enforcer.mu
}

// New returns an Enforcer reading tenants from src.
func New(src PolicySource, opts Options) (*Enforcer, error) {
	if src == nil {
		return nil, errors.New("authz: nil PolicySource")
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: parsing casbin model: %w", err)
	}
	e := &Enforcer{
		adapter:     NewAdapter(src),
		model:       m,
		maxTenants:  opts.MaxTenants,
		ttl:         opts.TTL,
		loadTimeout: opts.LoadTimeout,
		now:         opts.Now,
		lru:         list.New(),
		tenants:     make(map[uuid.UUID]*list.Element),
		loading:     make(map[uuid.UUID]*load),
	}
	if e.maxTenants <= 0 {
		e.maxTenants = 4096
	}
	if e.ttl <= 0 {
		e.ttl = 60 * time.Second
	}
	if e.loadTimeout <= 0 {
		e.loadTimeout = 10 * time.Second
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// Allowed reports whether subject holds perm in the tenant. Unknown or zero
// tenants, unknown or malformed subjects and permissions outside the
// catalogue are denied without error; an error means the tenant's policy
// could not be read, and the request must then fail, not proceed.
func (e *Enforcer) Allowed(ctx context.Context, tenantID uuid.UUID, subject string, perm Permission) (bool, error) {
	i, ok := permIndex[perm]
	if !ok {
		return false, nil
	}
	set, err := e.permissions(ctx, tenantID, subject)
	if err != nil || set == nil {
		return false, err
	}
	return set.has(i), nil
}

// PermissionsOf returns the subject's effective permissions in the tenant, in
// catalogue order: what the UI may offer, and the upper bound of what the
// subject may grant to others.
func (e *Enforcer) PermissionsOf(ctx context.Context, tenantID uuid.UUID, subject string) ([]Permission, error) {
	set, err := e.permissions(ctx, tenantID, subject)
	if err != nil || set == nil {
		return nil, err
	}
	return set.list(), nil
}

// permissions returns nil when the subject holds nothing in the tenant.
func (e *Enforcer) permissions(ctx context.Context, tenantID uuid.UUID, subject string) (*permSet, error) {
	// Checked before loading, so that bogus input never costs a load.
	if tenantID == uuid.Nil || !validSubject(subject) {
		return nil, nil
	}
	t, err := e.tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return t.permissions(subject)
}

// Invalidate drops the tenant so that its next check reads it again. A load
// of the tenant already under way still answers the callers waiting for it,
// but its result is not kept, since it may predate the change.
func (e *Enforcer) Invalidate(tenantID uuid.UUID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if el, ok := e.tenants[tenantID]; ok {
		e.removeLocked(el)
	}
	if l, ok := e.loading[tenantID]; ok {
		l.stale = true
		delete(e.loading, tenantID)
	}
}

// InvalidateAll drops every tenant, e.g. after change messages may have been
// lost.
func (e *Enforcer) InvalidateAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lru.Init()
	clear(e.tenants)
	for _, l := range e.loading {
		l.stale = true
	}
	clear(e.loading)
}

// SetPublisher sets where Changed announces changes; nil stops announcing.
func (e *Enforcer) SetPublisher(p Publisher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.publisher = p
}

// Changed must be called after a change to the tenant's custom roles or
// assignments has been committed. It invalidates the tenant here and, if a
// Publisher is set, announces the change to the other processes. An error
// means the announcement failed: other processes then see the change only
// when their copy reaches its TTL.
func (e *Enforcer) Changed(ctx context.Context, tenantID uuid.UUID) error {
	e.Invalidate(tenantID)
	e.mu.Lock()
	p := e.publisher
	e.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.Publish(ctx, tenantID)
}

// tenant returns the loaded tenant, loading it if it is missing or older than
// the TTL. Concurrent callers share one load.
func (e *Enforcer) tenant(ctx context.Context, id uuid.UUID) (*tenant, error) {
	e.mu.Lock()
	if el, ok := e.tenants[id]; ok {
		t := el.Value.(*tenant)
		if e.now().Sub(t.loadedAt) < e.ttl {
			e.lru.MoveToFront(el)
			e.mu.Unlock()
			return t, nil
		}
		e.removeLocked(el)
	}
	l, ok := e.loading[id]
	if !ok {
		l = &load{done: make(chan struct{})}
		e.loading[id] = l
		go e.runLoad(ctx, id, l)
	}
	e.mu.Unlock()

	select {
	case <-l.done:
		return l.t, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *Enforcer) runLoad(ctx context.Context, id uuid.UUID, l *load) {
	// Keep the starting caller's values (trace IDs) but not its cancellation:
	// other callers are waiting for this load too.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.loadTimeout)
	defer cancel()
	t, err := e.build(ctx, id)

	e.mu.Lock()
	if e.loading[id] == l {
		delete(e.loading, id)
	}
	// A tenant is never both loaded and loading, and a stale load has been
	// replaced in e.loading, so nothing is cached for id here.
	if err == nil && !l.stale {
		e.tenants[id] = e.lru.PushFront(t)
		for e.lru.Len() > e.maxTenants {
			e.removeLocked(e.lru.Back())
		}
	}
	l.t, l.err = t, err
	e.mu.Unlock()
	close(l.done)
}

func (e *Enforcer) build(ctx context.Context, id uuid.UUID) (t *tenant, err error) {
	// The load runs on its own goroutine, where a panicking PolicySource would
	// take the process down instead of failing one request as it would inline.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("authz: loading tenant %s: panic: %v", id, r)
		}
	}()

	// Staleness counts from before the read, not after it.
	loadedAt := e.now()
	enf, err := casbin.NewEnforcer(e.model.Copy(), e.adapter)
	if err != nil {
		return nil, fmt.Errorf("authz: creating casbin enforcer: %w", err)
	}
	if err := enf.LoadFilteredPolicyCtx(ctx, id); err != nil {
		return nil, err
	}
	assignments, err := enf.GetGroupingPolicy()
	if err != nil {
		return nil, err
	}
	subjects := make(map[string]*subjectPerms, len(assignments))
	for _, g := range assignments {
		if _, ok := subjects[g[0]]; !ok {
			subjects[g[0]] = new(subjectPerms)
		}
	}
	dom := id.String()
	roles := make(map[string]permSet)
	for _, p := range enf.GetModel()["p"]["p"].Policy {
		// p is sub, dom, obj, act.
		if p[1] != dom {
			continue
		}
		if i, ok := permIndex[Permission(p[2]+":"+p[3])]; ok {
			s := roles[p[0]]
			s.add(i)
			roles[p[0]] = s
		}
	}
	return &tenant{id: id, dom: dom, loadedAt: loadedAt, subjects: subjects, roles: roles, enf: enf}, nil
}

func (e *Enforcer) removeLocked(el *list.Element) {
	delete(e.tenants, el.Value.(*tenant).id)
	e.lru.Remove(el)
}

// permissions returns the subject's effective permissions, resolving its
// roles with casbin on the subject's first check; nil if the subject has no
// role here.
func (t *tenant) permissions(subject string) (*permSet, error) {
	sp, ok := t.subjects[subject]
	if !ok {
		return nil, nil
	}
	if sp.ready.Load() {
		return &sp.set, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if sp.ready.Load() {
		return &sp.set, nil
	}
	roles, err := t.enf.GetImplicitRolesForUser(subject, t.dom)
	if err != nil {
		return nil, err
	}
	// g(sub, p.sub) also holds for sub == p.sub, so lines naming the subject
	// itself count too. The adapter never writes any; this mirrors casbin.
	sp.set = t.roles[subject]
	for _, r := range roles {
		rs := t.roles[r]
		sp.set.union(&rs)
	}
	sp.ready.Store(true)
	return &sp.set, nil
}
