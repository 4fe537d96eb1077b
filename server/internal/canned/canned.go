// Package canned is agents' canned responses: texts shared by a tenant or personal to
// one agent, picked in the reply box by a shortcut (/refund) and filled in with the
// conversation's variables ({{customer.name}}, {{agent.name}}, {{customer.<attribute>}}).
package canned

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Scope says who sees a canned response.
type Scope string

const (
	Shared   Scope = "shared"   // every agent of the tenant
	Personal Scope = "personal" // its owner only
)

// Limits.
const (
	MaxShortcut  = 32
	MaxTitle     = 80
	MaxText      = 4000
	MaxPerTenant = 5000
	MaxList      = 200
)

// Response is a canned response.
type Response struct {
	ID        uuid.UUID  `json:"id"`
	Scope     Scope      `json:"scope"`
	OwnerID   *uuid.UUID `json:"owner_id"`
	Shortcut  string     `json:"shortcut"`
	Title     string     `json:"title"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Patch changes some fields (nil: unchanged).
type Patch struct {
	Shortcut, Title, Text *string
}

// Errors.
var (
	ErrNotFound      = errs.New(errs.NotFound, "canned.not-found", "The canned response does not exist.")
	ErrShortcutTaken = errs.New(errs.Conflict, "canned.shortcut-taken", "Another canned response already has this shortcut.")
	ErrSharedDenied  = errs.New(errs.Forbidden, "auth.forbidden", "Managing shared canned responses needs the kb:edit permission.")
	ErrTooMany       = errs.New(errs.Invalid, "canned.too-many", "A workspace can have at most 5000 canned responses.")
)

// Store persists canned responses in the tenant scope of ctx.
type Store interface {
	// List returns the shared responses and owner's personal ones matching q
	// (shortcut, title or text), by shortcut.
	List(ctx context.Context, owner uuid.UUID, q string, limit int) ([]Response, error)
	Get(ctx context.Context, id uuid.UUID) (Response, error)
	Create(ctx context.Context, r *Response) error
	Update(ctx context.Context, r *Response) error
	Delete(ctx context.Context, id uuid.UUID) error
	Count(ctx context.Context) (int, error)
}

// Service manages canned responses. Every call names the acting user and whether they
// may manage the shared ones.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func validShortcut(s string) (string, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "/")
	if s == "" {
		return "", errs.Invalidf("shortcut", "shortcut is required.")
	}
	if utf8.RuneCountInString(s) > MaxShortcut {
		return "", errs.Invalidf("shortcut", "shortcut can be at most %d characters.", MaxShortcut)
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return "", errs.Invalidf("shortcut", "shortcut can hold letters, digits, - and _ only.")
		}
	}
	return s, nil
}

func validText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Invalidf(field, "%s is required.", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", errs.Invalidf(field, "%s can be at most %d characters.", field, max)
	}
	return s, nil
}

func validate(r *Response) error {
	var err error
	if r.Shortcut, err = validShortcut(r.Shortcut); err != nil {
		return err
	}
	if r.Title, err = validText("title", r.Title, MaxTitle); err != nil {
		return err
	}
	r.Text, err = validText("text", r.Text, MaxText)
	return err
}

// List returns what the user may pick: shared responses and their own.
func (s *Service) List(ctx context.Context, user uuid.UUID, q string) ([]Response, error) {
	if utf8.RuneCountInString(q) > 100 {
		return nil, errs.Invalidf("q", "q can be at most 100 characters.")
	}
	return s.Store.List(ctx, user, strings.TrimPrefix(strings.TrimSpace(q), "/"), MaxList)
}

// Create adds a shared (needs mayShared) or personal response.
func (s *Service) Create(ctx context.Context, user uuid.UUID, mayShared bool, r Response) (Response, error) {
	switch r.Scope {
	case Shared:
		if !mayShared {
			return Response{}, ErrSharedDenied
		}
		r.OwnerID = nil
	case Personal:
		r.OwnerID = &user
	default:
		return Response{}, errs.Invalidf("scope", "scope must be shared or personal.")
	}
	if err := validate(&r); err != nil {
		return Response{}, err
	}
	n, err := s.Store.Count(ctx)
	if err != nil {
		return Response{}, err
	}
	if n >= MaxPerTenant {
		return Response{}, ErrTooMany
	}
	now := s.now()
	r.ID, r.CreatedAt, r.UpdatedAt = uuid.Must(uuid.NewV7()), now, now
	if err := s.Store.Create(ctx, &r); err != nil {
		return Response{}, err
	}
	return r, nil
}

// get returns a response the user may change: their own, or a shared one with
// mayShared. Someone else's personal response does not exist for them.
func (s *Service) get(ctx context.Context, user uuid.UUID, mayShared bool, id uuid.UUID) (Response, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Response{}, err
	}
	if r.Scope == Personal && (r.OwnerID == nil || *r.OwnerID != user) {
		return Response{}, ErrNotFound
	}
	if r.Scope == Shared && !mayShared {
		return Response{}, ErrSharedDenied
	}
	return r, nil
}

// Update changes a response's fields.
func (s *Service) Update(ctx context.Context, user uuid.UUID, mayShared bool, id uuid.UUID, p Patch) (Response, error) {
	r, err := s.get(ctx, user, mayShared, id)
	if err != nil {
		return Response{}, err
	}
	if p.Shortcut != nil {
		r.Shortcut = *p.Shortcut
	}
	if p.Title != nil {
		r.Title = *p.Title
	}
	if p.Text != nil {
		r.Text = *p.Text
	}
	if err := validate(&r); err != nil {
		return Response{}, err
	}
	r.UpdatedAt = s.now()
	if err := s.Store.Update(ctx, &r); err != nil {
		return Response{}, err
	}
	return r, nil
}

// Delete removes a response.
func (s *Service) Delete(ctx context.Context, user uuid.UUID, mayShared bool, id uuid.UUID) error {
	if _, err := s.get(ctx, user, mayShared, id); err != nil {
		return err
	}
	return s.Store.Delete(ctx, id)
}

// Visible returns a response the user may use (shared, or their own).
func (s *Service) Visible(ctx context.Context, user, id uuid.UUID) (Response, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Response{}, err
	}
	if r.Scope == Personal && (r.OwnerID == nil || *r.OwnerID != user) {
		return Response{}, ErrNotFound
	}
	return r, nil
}

// Vars are what a canned response's {{…}} placeholders are filled with.
type Vars struct {
	CustomerName, CustomerEmail, CustomerPhone string
	// Attributes are the contact's custom attributes ({{customer.order_number}}).
	Attributes map[string]string
	AgentName  string
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-zA-Z_]+)\.([a-zA-Z0-9_\-]+)\s*\}\}`)

// Render fills the placeholders. One the conversation has no value for renders as
// empty rather than as "{{…}}" in front of the customer.
func Render(text string, v Vars) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		p := placeholder.FindStringSubmatch(m)
		obj, key := strings.ToLower(p[1]), p[2]
		switch obj {
		case "customer", "contact":
			switch strings.ToLower(key) {
			case "name":
				return v.CustomerName
			case "email":
				return v.CustomerEmail
			case "phone":
				return v.CustomerPhone
			}
			return v.Attributes[key]
		case "agent":
			if strings.ToLower(key) == "name" {
				return v.AgentName
			}
		}
		return ""
	})
}
