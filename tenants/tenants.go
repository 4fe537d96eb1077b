// Package tenants is the tenant lifecycle (creation, settings, suspension) and the
// tenant scope every query runs in (context.go). It sits below the engines and imports
// nothing of the server; its GORM store is server/internal/tenantsdb.
package tenants

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Status is a tenant's lifecycle state.
type Status string

const (
	Active    Status = "active"
	Suspended Status = "suspended"
)

// Supported console and bot locales.
var Locales = []string{"zh-CN", "en"}

// Tenant is one customer business.
type Tenant struct {
	ID         uuid.UUID
	Name       string
	Slug       string
	Status     Status
	Timezone   string
	Locale     string
	Require2FA bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Errors returned by the Service. The HTTP layer maps them (see api/errors.go).
var (
	ErrNotFound        = errors.New("tenant not found")
	ErrInvalidName     = errors.New("tenant name must be 1 to 100 characters")
	ErrInvalidSlug     = errors.New("slug must be 3 to 40 characters of a-z, 0-9 and -, starting with a letter")
	ErrSlugTaken       = errors.New("slug is already taken")
	ErrInvalidTimezone = errors.New("timezone must be an IANA name such as Asia/Shanghai")
	ErrInvalidLocale   = errors.New("locale must be one of zh-CN, en")
	ErrInvalidStatus   = errors.New("status must be active or suspended")
	// ErrSuspended is returned for tenant routes of a suspended tenant.
	ErrSuspended = errors.New("tenant is suspended")
)

// Store persists tenants. The tenants table is global (it is the root of every tenant's
// data), so its methods take explicit ids.
type Store interface {
	Create(ctx context.Context, t *Tenant) error // ErrSlugTaken on a duplicate slug
	Get(ctx context.Context, id uuid.UUID) (Tenant, error)
	GetBySlug(ctx context.Context, slug string) (Tenant, error)
	List(ctx context.Context, f ListFilter) ([]Tenant, error)
	Update(ctx context.Context, t *Tenant) error
	SlugExists(ctx context.Context, slug string) (bool, error)
}

// ListFilter selects tenants for operators. Results are ordered by id (time-ordered
// UUIDv7); After is the last id of the previous page.
type ListFilter struct {
	Status Status
	Query  string
	After  uuid.UUID
	Limit  int
}

// Recorder writes the audit log; actor, IP and request id come from ctx.
type Recorder interface {
	Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error
}

// TxRunner runs fn in one database transaction; nested calls join it.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service implements tenant lifecycle rules.
type Service struct {
	Store Store
	Audit Recorder
	Tx    TxRunner
	Now   func() time.Time
}

// CreateInput describes a new tenant. Empty fields get defaults.
type CreateInput struct {
	ID       uuid.UUID // optional: callers that create dependent rows in the same tx pick it
	Name     string
	Slug     string
	Timezone string
	Locale   string
}

// Create validates and stores a tenant. An empty slug is derived from the name.
func (s *Service) Create(ctx context.Context, in CreateInput) (Tenant, error) {
	name := strings.TrimSpace(in.Name)
	if err := ValidateName(name); err != nil {
		return Tenant{}, err
	}
	tz := in.Timezone
	if tz == "" {
		tz = "UTC"
	}
	if err := ValidateTimezone(tz); err != nil {
		return Tenant{}, err
	}
	loc := in.Locale
	if loc == "" {
		loc = "zh-CN"
	}
	if err := ValidateLocale(loc); err != nil {
		return Tenant{}, err
	}
	id := in.ID
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewV7(); err != nil {
			return Tenant{}, err
		}
	}
	now := s.now()
	t := Tenant{ID: id, Name: name, Status: Active, Timezone: tz, Locale: loc, CreatedAt: now, UpdatedAt: now}
	if in.Slug != "" {
		if !slugRE.MatchString(in.Slug) {
			return Tenant{}, ErrInvalidSlug
		}
		t.Slug = in.Slug
		if err := s.Store.Create(ctx, &t); err != nil {
			return Tenant{}, err
		}
		return t, nil
	}
	base := Slugify(name)
	for i := 0; i < 10; i++ {
		cand := base
		if i > 0 || len(base) < 3 {
			// A short random suffix: slugs are public, so no sequential enumeration.
			r, err := uuid.NewRandom()
			if err != nil {
				return Tenant{}, err
			}
			cand = base + "-" + r.String()[:6]
		}
		exists, err := s.Store.SlugExists(ctx, cand)
		if err != nil {
			return Tenant{}, err
		}
		if exists {
			continue
		}
		t.Slug = cand
		err = s.Store.Create(ctx, &t)
		if errors.Is(err, ErrSlugTaken) {
			continue
		}
		if err != nil {
			return Tenant{}, err
		}
		return t, nil
	}
	return Tenant{}, ErrSlugTaken
}

// Get returns one tenant.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Tenant, error) { return s.Store.Get(ctx, id) }

// Resolve finds a tenant by id or slug (for the CLI).
func (s *Service) Resolve(ctx context.Context, ref string) (Tenant, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return s.Store.Get(ctx, id)
	}
	return s.Store.GetBySlug(ctx, strings.ToLower(ref))
}

// List returns tenants for the operator view.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Tenant, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Status != "" && f.Status != Active && f.Status != Suspended {
		return nil, ErrInvalidStatus
	}
	return s.Store.List(ctx, f)
}

// SetStatus suspends or resumes a tenant and audits the change in the tenant's log.
func (s *Service) SetStatus(ctx context.Context, id uuid.UUID, st Status) (Tenant, error) {
	if st != Active && st != Suspended {
		return Tenant{}, ErrInvalidStatus
	}
	var out Tenant
	ctx = NewContext(ctx, id)
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.Get(ctx, id)
		if err != nil {
			return err
		}
		if t.Status == st {
			out = t
			return nil
		}
		prev := t.Status
		t.Status = st
		t.UpdatedAt = s.now()
		if err := s.Store.Update(ctx, &t); err != nil {
			return err
		}
		out = t
		return s.Audit.Record(ctx, "tenant.status_changed", "tenant", id.String(), map[string]any{"from": prev, "to": st})
	})
	return out, err
}

// SettingsPatch changes some of a tenant's settings; nil fields stay.
type SettingsPatch struct {
	Name       *string
	Timezone   *string
	Locale     *string
	Require2FA *bool
}

// UpdateSettings applies a patch and audits what changed. ctx must be scoped to id.
func (s *Service) UpdateSettings(ctx context.Context, id uuid.UUID, p SettingsPatch) (Tenant, error) {
	var out Tenant
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.Get(ctx, id)
		if err != nil {
			return err
		}
		changed := map[string]any{}
		if p.Name != nil {
			n := strings.TrimSpace(*p.Name)
			if err := ValidateName(n); err != nil {
				return err
			}
			if n != t.Name {
				t.Name, changed["name"] = n, n
			}
		}
		if p.Timezone != nil {
			if err := ValidateTimezone(*p.Timezone); err != nil {
				return err
			}
			if *p.Timezone != t.Timezone {
				t.Timezone, changed["timezone"] = *p.Timezone, *p.Timezone
			}
		}
		if p.Locale != nil {
			if err := ValidateLocale(*p.Locale); err != nil {
				return err
			}
			if *p.Locale != t.Locale {
				t.Locale, changed["locale"] = *p.Locale, *p.Locale
			}
		}
		if p.Require2FA != nil && *p.Require2FA != t.Require2FA {
			t.Require2FA, changed["require_2fa"] = *p.Require2FA, *p.Require2FA
		}
		out = t
		if len(changed) == 0 {
			return nil
		}
		t.UpdatedAt = s.now()
		if err := s.Store.Update(ctx, &t); err != nil {
			return err
		}
		out = t
		return s.Audit.Record(ctx, "tenant.settings_changed", "tenant", id.String(), changed)
	})
	return out, err
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)

// ValidateName checks a tenant's display name.
func ValidateName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 || strings.TrimSpace(name) != name {
		return ErrInvalidName
	}
	return nil
}

// ValidateTimezone checks an IANA zone name.
func ValidateTimezone(tz string) error {
	if tz == "" || len(tz) > 64 {
		return ErrInvalidTimezone
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return ErrInvalidTimezone
	}
	return nil
}

// ValidateLocale checks a supported locale.
func ValidateLocale(l string) error {
	for _, x := range Locales {
		if x == l {
			return nil
		}
	}
	return ErrInvalidLocale
}

// Slugify derives a URL-safe slug from a name; non-ASCII names (常见于中文商户名)
// yield "t", which Create extends with a unique suffix.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 30 {
			break
		}
	}
	// 30 + "-" + 6 stays within the 40-character slug limit.
	s := strings.Trim(b.String(), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "t" + s
	}
	return s
}
