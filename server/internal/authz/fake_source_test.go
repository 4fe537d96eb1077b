package authz

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
)

// fakeSource is an in-memory PolicySource that counts calls and can fail or
// hold calls.
type fakeSource struct {
	calls atomic.Int64

	mu      sync.Mutex
	tenants map[uuid.UUID]TenantPolicy
	err     error
	// gate, if set, holds each call after it has read the data, as a
	// database read that has already happened but not yet returned.
	gate chan struct{}
}

func newFakeSource() *fakeSource {
	return &fakeSource{tenants: map[uuid.UUID]TenantPolicy{}}
}

func (s *fakeSource) TenantPolicy(ctx context.Context, id uuid.UUID) (TenantPolicy, error) {
	s.calls.Add(1)
	s.mu.Lock()
	tp, err, gate := cloneTenantPolicy(s.tenants[id]), s.err, s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return TenantPolicy{}, ctx.Err()
		}
	}
	return tp, err
}

func (s *fakeSource) set(id uuid.UUID, tp TenantPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants[id] = tp
}

func (s *fakeSource) assign(id uuid.UUID, subject, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := cloneTenantPolicy(s.tenants[id])
	tp.Assignments = append(tp.Assignments, Assignment{Subject: subject, Role: role})
	s.tenants[id] = tp
}

func (s *fakeSource) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *fakeSource) setGate(gate chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = gate
}

func cloneTenantPolicy(tp TenantPolicy) TenantPolicy {
	out := TenantPolicy{Assignments: slices.Clone(tp.Assignments)}
	if tp.CustomRoles != nil {
		out.CustomRoles = maps.Clone(tp.CustomRoles)
	}
	return out
}

func newUser() string { return UserSubject(uuid.New()) }
