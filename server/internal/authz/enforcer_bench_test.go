package authz

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/google/uuid"
)

const (
	benchTenants = 10_000
	benchMembers = 20
)

// benchFixture is 10,000 tenants of 20 members each, spread over the five
// built-in roles and two custom roles per tenant.
type benchFixture struct {
	src     *fakeSource
	tenants []uuid.UUID
	members [][]string
}

func newBenchFixture() *benchFixture {
	f := &benchFixture{
		src:     newFakeSource(),
		tenants: make([]uuid.UUID, benchTenants),
		members: make([][]string, benchTenants),
	}
	roles := []string{RoleOwner, RoleAdmin, RoleSupervisor, RoleAgent, RoleAgent, RoleAgent, RoleViewer, "billing", "qa"}
	for i := range f.tenants {
		id := uuid.New()
		tp := TenantPolicy{CustomRoles: map[string][]Permission{
			"billing": {SettingsRead, SettingsManage, APIKeysManage, ReportsView},
			"qa":      {ConversationsRead, KBRead, ReportsView, QualityManage},
		}}
		members := make([]string, benchMembers)
		for j := range members {
			members[j] = newUser()
			tp.Assignments = append(tp.Assignments, Assignment{members[j], roles[j%len(roles)]})
		}
		f.tenants[i], f.members[i] = id, members
		f.src.tenants[id] = tp
	}
	return f
}

func (f *benchFixture) random() (uuid.UUID, string, Permission) {
	i := rand.IntN(benchTenants)
	return f.tenants[i], f.members[i][rand.IntN(benchMembers)], catalogue[rand.IntN(len(catalogue))].Name
}

func heapInUseMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

// BenchmarkAllowed10kTenants measures checks with all 10,000 tenants loaded.
// Sub-benchmarks run in order and share the enforcer:
//
//   - check: random (tenant, member, permission). With few iterations nearly
//     every check is the member's first in its tenant, which computes the
//     member's permissions through casbin: the uncached cost.
//   - check-hot: the same once every member has been checked: the steady
//     state. check-hot-parallel runs it on all cores.
//   - cold-load: a check on a tenant that is not loaded (a PolicySource call
//     that costs nothing here, plus building the tenant's casbin enforcer).
//
// heap-MB is the heap in use with all tenants loaded; authz-MB is the part of
// it held by the Enforcer (heap-MB minus the fake source's data).
func BenchmarkAllowed10kTenants(b *testing.B) {
	f := newBenchFixture()
	baseMB := heapInUseMB()
	e, err := New(f.src, Options{MaxTenants: benchTenants})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := w; i < benchTenants; i += runtime.GOMAXPROCS(0) {
				if _, err := e.tenant(ctx, f.tenants[i]); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	heapMB := heapInUseMB()
	if got, want := e.lru.Len(), benchTenants; got != want {
		b.Fatalf("loaded tenants = %d, want %d", got, want)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N), "µs/check")
		b.ReportMetric(heapMB, "heap-MB")
		b.ReportMetric(heapMB-baseMB, "authz-MB")
	}
	check := func(b *testing.B) {
		tenant, member, perm := f.random()
		if _, err := e.Allowed(ctx, tenant, member, perm); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			check(b)
		}
		report(b)
	})

	for i, members := range f.members {
		for _, m := range members {
			if _, err := e.Allowed(ctx, f.tenants[i], m, MembersRead); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("check-hot", func(b *testing.B) {
		for b.Loop() {
			check(b)
		}
		report(b)
	})
	b.Run("check-hot-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				check(b)
			}
		})
		report(b)
	})

	b.Run("cold-load", func(b *testing.B) {
		for b.Loop() {
			tenant, member, perm := f.random()
			e.Invalidate(tenant)
			if _, err := e.Allowed(ctx, tenant, member, perm); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}
