package tenants

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
)

func TestSlugify(t *testing.T) {
	cases := map[string]string{
		"Acme Support":    "acme-support",
		"  ACME!!  Co.  ": "acme-co",
		"智齿客服":            "t",
		"123 Shop":        "t123-shop",
		"a-very-long-name-that-goes-on-and-on-and-on": "a-very-long-name-that-goes-on",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if got := Slugify(in); len(got)+7 > 40 {
			t.Errorf("Slugify(%q) = %q leaves no room for a suffix", in, got)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := ValidateTimezone("Asia/Shanghai"); err != nil {
		t.Error(err)
	}
	for _, tz := range []string{"", "Local", "Mars/Olympus", "../../etc/passwd"} {
		if !errors.Is(ValidateTimezone(tz), ErrInvalidTimezone) {
			t.Errorf("timezone %q accepted", tz)
		}
	}
	if err := ValidateLocale("en"); err != nil {
		t.Error(err)
	}
	if !errors.Is(ValidateLocale("fr"), ErrInvalidLocale) {
		t.Error("locale fr accepted")
	}
	if !errors.Is(ValidateName(""), ErrInvalidName) || !errors.Is(ValidateName(" padded "), ErrInvalidName) {
		t.Error("bad names accepted")
	}
}

func TestContextFailsClosed(t *testing.T) {
	ctx := context.Background()
	if _, err := Require(ctx); !errors.Is(err, ErrNoTenant) {
		t.Fatalf("Require on empty ctx: %v", err)
	}
	if _, ok := FromContext(NewContext(ctx, uuid.Nil)); ok {
		t.Fatal("the zero uuid must not count as a tenant")
	}
	id := uuid.New()
	if got, err := Require(NewContext(ctx, id)); err != nil || got != id {
		t.Fatalf("Require = %v, %v", got, err)
	}
}

// memStore is an in-memory Store for the service's own rules.
type memStore struct{ byID map[uuid.UUID]Tenant }

func (m *memStore) Create(_ context.Context, t *Tenant) error {
	for _, x := range m.byID {
		if x.Slug == t.Slug {
			return ErrSlugTaken
		}
	}
	m.byID[t.ID] = *t
	return nil
}
func (m *memStore) Get(_ context.Context, id uuid.UUID) (Tenant, error) {
	t, ok := m.byID[id]
	if !ok {
		return Tenant{}, ErrNotFound
	}
	return t, nil
}
func (m *memStore) GetBySlug(_ context.Context, s string) (Tenant, error) {
	for _, t := range m.byID {
		if t.Slug == s {
			return t, nil
		}
	}
	return Tenant{}, ErrNotFound
}
func (m *memStore) List(context.Context, ListFilter) ([]Tenant, error) { return nil, nil }
func (m *memStore) Update(_ context.Context, t *Tenant) error          { m.byID[t.ID] = *t; return nil }
func (m *memStore) SlugExists(ctx context.Context, s string) (bool, error) {
	_, err := m.GetBySlug(ctx, s)
	return err == nil, nil
}

type recorder struct{ actions []string }

func (r *recorder) Record(_ context.Context, action, _, _ string, _ map[string]any) error {
	r.actions = append(r.actions, action)
	return nil
}

type noTx struct{}

func (noTx) InTx(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

func TestServiceCreateAndSuspend(t *testing.T) {
	rec := &recorder{}
	s := &Service{Store: &memStore{byID: map[uuid.UUID]Tenant{}}, Audit: rec, Tx: noTx{}}
	ctx := context.Background()
	a, err := s.Create(ctx, CreateInput{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Create(ctx, CreateInput{Name: "ACME"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Slug != "acme" || b.Slug == a.Slug || len(b.Slug) != len("acme-")+6 {
		t.Fatalf("slugs %q and %q", a.Slug, b.Slug)
	}
	if a.Status != Active || a.Timezone != "UTC" || a.Locale != "zh-CN" {
		t.Fatalf("defaults: %+v", a)
	}
	if _, err := s.Create(ctx, CreateInput{Name: "X", Timezone: "Nowhere"}); !errors.Is(err, ErrInvalidTimezone) {
		t.Fatalf("bad timezone: %v", err)
	}
	got, err := s.SetStatus(ctx, a.ID, Suspended)
	if err != nil || got.Status != Suspended {
		t.Fatalf("suspend: %+v %v", got, err)
	}
	if _, err := s.SetStatus(ctx, a.ID, "deleted"); !errors.Is(err, ErrInvalidStatus) {
		t.Fatalf("bad status: %v", err)
	}
	if len(rec.actions) != 1 || rec.actions[0] != "tenant.status_changed" {
		t.Fatalf("audit = %v, want one status change", rec.actions)
	}
	// Suspending again is a no-op and writes no second audit entry.
	if _, err := s.SetStatus(ctx, a.ID, Suspended); err != nil || len(rec.actions) != 1 {
		t.Fatalf("repeat suspend: %v, audit %v", err, rec.actions)
	}
}
