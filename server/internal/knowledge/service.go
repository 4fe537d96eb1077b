package knowledge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// ErrUnknownParent is a move or create under a category that does not exist here.
var ErrUnknownParent = errs.New(errs.Unprocessable, "kb.unknown-parent", "The parent category does not exist.").WithField("parent_id")

// Service is the knowledge engine.
type Service struct {
	Store    Store
	Tx       Tx
	Audit    Audit    // nil: no audit entries
	Notifier Notifier // nil: nobody is told
	Now      func() time.Time
	// SearchTenants and SearchCheckEvery tune the cache of live content behind Snapshot
	// and Search (0: DefaultSearchTenants, DefaultSearchCheckEvery).
	SearchTenants    int
	SearchCheckEvery time.Duration

	searchOnce sync.Once
	search     *searchCache
}

// now is truncated to what PostgreSQL stores, so a value read back equals the one
// written.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func author(ctx context.Context) *uuid.UUID {
	if uid, ok := tenants.UserFromContext(ctx); ok {
		return &uid
	}
	return nil
}

func (s *Service) audit(ctx context.Context, action, targetType string, id uuid.UUID, data map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, action, targetType, id.String(), data)
}

// notify runs after the commit, so a reader told of the change sees it.
func (s *Service) notify(ctx context.Context, tid uuid.UUID) {
	s.searchCache().invalidate(tid)
	if s.Notifier != nil {
		s.Notifier.KnowledgeChanged(ctx, tid)
	}
}

// ---- categories -----------------------------------------------------------------

// CategoryInput creates a category. Position is among its siblings (0 first; nil or
// past the end: last).
type CategoryInput struct {
	Name     map[string]string
	ParentID *uuid.UUID
	Position *int
}

// Categories lists the tenant's categories depth first: each parent before its
// children, siblings by position.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	all, err := s.Store.ListCategories(ctx)
	if err != nil {
		return nil, err
	}
	return newTree(all).ordered(), nil
}

func (t tree) ordered() []Category {
	out := make([]Category, 0, len(t.byID))
	var walk func(parent uuid.UUID)
	walk = func(parent uuid.UUID) {
		for _, c := range t.children[parent] {
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk(uuid.Nil)
	return out
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, id uuid.UUID) (Category, error) {
	return s.Store.GetCategory(ctx, id)
}

// tree indexes a tenant's categories.
type tree struct {
	byID     map[uuid.UUID]Category
	children map[uuid.UUID][]Category // by parent; uuid.Nil holds the roots
}

func newTree(all []Category) tree {
	t := tree{byID: map[uuid.UUID]Category{}, children: map[uuid.UUID][]Category{}}
	for _, c := range all {
		t.byID[c.ID] = c
		p := uuid.Nil
		if c.ParentID != nil {
			p = *c.ParentID
		}
		t.children[p] = append(t.children[p], c)
	}
	for _, cs := range t.children {
		slices.SortStableFunc(cs, func(a, b Category) int {
			if a.Position != b.Position {
				return a.Position - b.Position
			}
			return bytes.Compare(a.ID[:], b.ID[:])
		})
	}
	return t
}

// depth is 1 for a root category.
func (t tree) depth(id uuid.UUID) int {
	d := 0
	for cur, ok := t.byID[id]; ok && d <= MaxCategories; cur, ok = t.byID[derefID(cur.ParentID)] {
		d++
	}
	return d
}

// height is 1 for a category without children.
func (t tree) height(id uuid.UUID) int {
	h := 0
	for _, c := range t.children[id] {
		h = max(h, t.height(c.ID))
	}
	return h + 1
}

func derefID(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// place puts category c at position pos among parent's children and returns every
// category whose parent or position changes as a result (c included).
func (t tree) place(c Category, parent *uuid.UUID, pos *int) []Category {
	sibs := slices.DeleteFunc(slices.Clone(t.children[derefID(parent)]), func(x Category) bool { return x.ID == c.ID })
	at := len(sibs)
	if pos != nil && *pos >= 0 && *pos < at {
		at = *pos
	}
	c.ParentID = parent
	sibs = slices.Insert(sibs, at, c)
	var changed []Category
	for i, x := range sibs {
		orig, existed := t.byID[x.ID]
		if !existed || orig.Position != i || !sameID(orig.ParentID, x.ParentID) {
			x.Position = i
			changed = append(changed, x)
		}
	}
	// Close the gap c leaves among its old siblings.
	if old, ok := t.byID[c.ID]; ok && !sameID(old.ParentID, parent) {
		i := 0
		for _, x := range t.children[derefID(old.ParentID)] {
			if x.ID == c.ID {
				continue
			}
			if x.Position != i {
				x.Position = i
				changed = append(changed, x)
			}
			i++
		}
	}
	return changed
}

// CreateCategory adds a category.
func (s *Service) CreateCategory(ctx context.Context, in CategoryInput) (Category, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Category{}, err
	}
	name, err := categoryName(in.Name)
	if err != nil {
		return Category{}, err
	}
	now := s.now()
	c := Category{ID: newID(), TenantID: tid, ParentID: in.ParentID, Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		// First: the revision row's lock serialises the tenant's category changes, so
		// positions are computed from the latest tree.
		if err := s.Store.BumpRevision(ctx, now); err != nil {
			return err
		}
		all, err := s.Store.ListCategories(ctx)
		if err != nil {
			return err
		}
		if len(all) >= MaxCategories {
			return ErrTooManyCategory
		}
		t := newTree(all)
		if in.ParentID != nil {
			if _, ok := t.byID[*in.ParentID]; !ok {
				return ErrUnknownParent
			}
			if t.depth(*in.ParentID)+1 > MaxCategoryDepth {
				return ErrCategoryDepth
			}
		}
		for _, x := range t.place(c, in.ParentID, in.Position) {
			if x.ID == c.ID {
				c.Position = x.Position
				if err := s.Store.CreateCategory(ctx, &c); err != nil {
					return err
				}
				continue
			}
			x.UpdatedAt = now
			if err := s.Store.UpdateCategory(ctx, &x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Category{}, err
	}
	s.notify(ctx, tid)
	return c, nil
}

// RenameCategory replaces a category's names.
func (s *Service) RenameCategory(ctx context.Context, id uuid.UUID, names map[string]string) (Category, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Category{}, err
	}
	name, err := categoryName(names)
	if err != nil {
		return Category{}, err
	}
	var c Category
	changed := false
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if c, err = s.Store.GetCategory(ctx, id); err != nil {
			return err
		}
		if mapsEqual(c.Name, name) {
			return nil
		}
		now := s.now()
		c.Name, c.UpdatedAt, changed = name, now, true
		if err := s.Store.UpdateCategory(ctx, &c); err != nil {
			return err
		}
		return s.Store.BumpRevision(ctx, now)
	})
	if err != nil {
		return Category{}, err
	}
	if changed {
		s.notify(ctx, tid)
	}
	return c, nil
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// MoveCategory puts a category under parent (nil: the top level) at position among its
// new siblings (nil: last). Its subtree moves with it.
func (s *Service) MoveCategory(ctx context.Context, id uuid.UUID, parent *uuid.UUID, position *int) (Category, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Category{}, err
	}
	var c Category
	changed := false
	now := s.now()
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		// First, as in CreateCategory (a move that changes nothing still counts).
		if err := s.Store.BumpRevision(ctx, now); err != nil {
			return err
		}
		all, err := s.Store.ListCategories(ctx)
		if err != nil {
			return err
		}
		t := newTree(all)
		var ok bool
		if c, ok = t.byID[id]; !ok {
			return ErrCategoryNotFound
		}
		depth := 1
		if parent != nil {
			if _, ok := t.byID[*parent]; !ok {
				return ErrUnknownParent
			}
			for cur := *parent; cur != uuid.Nil; cur = derefID(t.byID[cur].ParentID) {
				if cur == id {
					return ErrCategoryCycle
				}
			}
			depth = t.depth(*parent) + 1
		}
		if depth+t.height(id)-1 > MaxCategoryDepth {
			return ErrCategoryDepth
		}
		for _, x := range t.place(c, parent, position) {
			x.UpdatedAt, changed = now, true
			if err := s.Store.UpdateCategory(ctx, &x); err != nil {
				return err
			}
			if x.ID == id {
				c = x
			}
		}
		return nil
	})
	if err != nil {
		return Category{}, err
	}
	if changed {
		s.notify(ctx, tid)
	}
	return c, nil
}

// DeleteCategory removes an empty category: one with subcategories, or with entries
// filed in it (working or live copy), is refused.
func (s *Service) DeleteCategory(ctx context.Context, id uuid.UUID) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		c, err := s.Store.GetCategory(ctx, id)
		if err != nil {
			return err
		}
		children, entries, err := s.Store.CategoryUsage(ctx, id)
		if err != nil {
			return err
		}
		if children > 0 || entries > 0 {
			return ErrCategoryNotEmpty.WithMessage(
				"The category holds %d subcategories and %d entries; move or delete them first.", children, entries)
		}
		now := s.now()
		if err := s.Store.BumpRevision(ctx, now); err != nil {
			return err
		}
		if err := s.Store.DeleteCategory(ctx, id); err != nil {
			return err
		}
		// Close the gap among its siblings.
		all, err := s.Store.ListCategories(ctx)
		if err != nil {
			return err
		}
		for i, x := range newTree(all).children[derefID(c.ParentID)] {
			if x.Position != i {
				x.Position, x.UpdatedAt = i, now
				if err := s.Store.UpdateCategory(ctx, &x); err != nil {
					return err
				}
			}
		}
		return s.audit(ctx, "kb.category.deleted", "kb.category", id, map[string]any{"name": c.Name})
	})
	if err != nil {
		return err
	}
	s.notify(ctx, tid)
	return nil
}

// ---- entries --------------------------------------------------------------------

func (s *Service) stale(e *Entry, now time.Time) bool {
	if e.Status == StatusArchived {
		return false
	}
	exp := e.Content.ExpiresAt
	if e.Live != nil {
		exp = e.Live.ExpiresAt
	}
	return exp != nil && !exp.After(now)
}

// prepare finishes a working copy: the expiry date is ahead (when it was just set) and
// an article's HTML is rendered.
func (s *Service) prepare(k Kind, c *Content, expirySet bool, now time.Time) error {
	if expirySet && c.ExpiresAt != nil && !c.ExpiresAt.After(now) {
		return errs.Invalidf("expires_at", "expires_at must be in the future.")
	}
	if k == KindArticle {
		html, err := RenderMarkdown(c.Body)
		if err != nil {
			return err
		}
		c.HTML = html
	}
	return nil
}

func (s *Service) checkCategory(ctx context.Context, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	if _, err := s.Store.GetCategory(ctx, *id); err != nil {
		if errors.Is(err, ErrCategoryNotFound) {
			return ErrUnknownCategory
		}
		return err
	}
	return nil
}

// Create adds a draft entry.
func (s *Service) Create(ctx context.Context, k Kind, in Input) (Entry, error) {
	es, err := s.BulkCreate(ctx, k, []Input{in})
	if err != nil {
		// One entry: name its fields, not the batch's "items[0].field".
		var e *errs.Error
		if errors.As(err, &e) && strings.HasPrefix(e.Field, "items[0]") {
			f := strings.TrimPrefix(strings.TrimPrefix(e.Field, "items[0]"), ".")
			return Entry{}, e.WithField(f)
		}
		return Entry{}, err
	}
	return es[0], nil
}

// BulkCreate adds draft entries of one kind in one transaction: all or none. A field
// error names the item ("items[3].question").
func (s *Service) BulkCreate(ctx context.Context, k Kind, ins []Input) ([]Entry, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	who := author(ctx)
	out := make([]Entry, len(ins))
	for i, in := range ins {
		var c Content
		if err := apply(k, &c, in); err != nil {
			return nil, itemError(i, err)
		}
		if err := s.prepare(k, &c, true, now); err != nil {
			return nil, itemError(i, err)
		}
		out[i] = Entry{ID: newID(), TenantID: tid, Kind: k, Status: StatusDraft, Content: c, Version: 1,
			CreatedBy: who, UpdatedBy: who, CreatedAt: now, UpdatedAt: now}
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		for i := range out {
			e := &out[i]
			if err := s.checkCategory(ctx, e.Content.CategoryID); err != nil {
				return itemError(i, err)
			}
			if err := s.Store.CreateEntry(ctx, e); err != nil {
				return err
			}
			if err := s.Store.AddVersion(ctx, versionOf(e, ActionCreate, "", now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Stale = s.stale(&out[i], now)
	}
	return out, nil
}

func itemError(i int, err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Field != "" {
		return e.WithField(fmt.Sprintf("items[%d].%s", i, e.Field))
	}
	if errors.As(err, &e) {
		return e.WithField(fmt.Sprintf("items[%d]", i))
	}
	return err
}

func versionOf(e *Entry, a Action, note string, now time.Time) *Version {
	c := e.Content
	c.HTML = ""
	return &Version{EntryID: e.ID, Version: e.Version, Action: a, Status: e.Status, Note: note,
		AuthorID: e.UpdatedBy, Content: c, CreatedAt: now}
}

// sameContent compares working copies, leaving out the derived HTML.
func sameContent(a, b Content) bool {
	a.HTML, b.HTML = "", ""
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// Get returns an entry of the kind.
func (s *Service) Get(ctx context.Context, k Kind, id uuid.UUID) (Entry, error) {
	e, err := s.Store.GetEntry(ctx, k, id, false)
	if err != nil {
		return Entry{}, err
	}
	e.Stale = s.stale(&e, s.now())
	return e, nil
}

// List returns entries newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	f.Now = s.now()
	es, err := s.Store.ListEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range es {
		es[i].Stale = s.stale(&es[i], f.Now)
	}
	return es, nil
}

// ListAll returns every entry of a kind, for exports.
func (s *Service) ListAll(ctx context.Context, k Kind) ([]Entry, error) {
	return s.List(ctx, Filter{Kind: k})
}

// Update edits the working copy. Whatever the status, the edited entry is a draft
// (an entry in review is withdrawn from it); the live copy stays until the draft is
// published. An edit that changes nothing records nothing.
func (s *Service) Update(ctx context.Context, k Kind, id uuid.UUID, in Input) (Entry, error) {
	if _, err := tenants.Require(ctx); err != nil {
		return Entry{}, err
	}
	var e Entry
	now := s.now()
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.Store.GetEntry(ctx, k, id, true); err != nil {
			return err
		}
		if in.BaseVersion != 0 && in.BaseVersion != e.Version {
			return ErrEditConflict.WithMessage("The entry is at version %d, not %d: someone changed it since you opened it; reload it and apply your edit again.", e.Version, in.BaseVersion)
		}
		c := e.Content
		if err := apply(k, &c, in); err != nil {
			return err
		}
		if err := s.prepare(k, &c, in.ExpiresAt.Set, now); err != nil {
			return err
		}
		if sameContent(c, e.Content) {
			return nil
		}
		if in.Category.Set {
			if err := s.checkCategory(ctx, c.CategoryID); err != nil {
				return err
			}
		}
		e.Content, e.Status, e.Version = c, StatusDraft, e.Version+1
		e.UpdatedBy, e.UpdatedAt = author(ctx), now
		if err := s.Store.UpdateEntry(ctx, &e); err != nil {
			return err
		}
		return s.Store.AddVersion(ctx, versionOf(&e, ActionEdit, "", now))
	})
	if err != nil {
		return Entry{}, err
	}
	e.Stale = s.stale(&e, now)
	return e, nil
}

// transitions says from which statuses each workflow action may run, and to which
// status it leads.
var transitions = map[Action]struct {
	from []Status
	to   Status
	verb string
}{
	ActionSubmit:  {[]Status{StatusDraft}, StatusInReview, "submit for review"},
	ActionPublish: {[]Status{StatusDraft, StatusInReview}, StatusPublished, "publish"},
	ActionReject:  {[]Status{StatusInReview}, StatusDraft, "reject"},
	ActionArchive: {[]Status{StatusDraft, StatusInReview, StatusPublished}, StatusArchived, "archive"},
}

var statusWords = map[Status]string{StatusDraft: "a draft", StatusInReview: "in review", StatusPublished: "published", StatusArchived: "archived"}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, k Kind, id uuid.UUID) (Entry, error) {
	return s.transition(ctx, k, id, ActionSubmit, "")
}

// Publish makes the working copy live (from a draft or from review).
func (s *Service) Publish(ctx context.Context, k Kind, id uuid.UUID) (Entry, error) {
	return s.transition(ctx, k, id, ActionPublish, "")
}

// Reject sends an entry in review back to draft, with the reviewer's note.
func (s *Service) Reject(ctx context.Context, k Kind, id uuid.UUID, reason string) (Entry, error) {
	return s.transition(ctx, k, id, ActionReject, reason)
}

// Archive takes an entry out of use: its live copy, if any, is withdrawn.
func (s *Service) Archive(ctx context.Context, k Kind, id uuid.UUID) (Entry, error) {
	return s.transition(ctx, k, id, ActionArchive, "")
}

func (s *Service) transition(ctx context.Context, k Kind, id uuid.UUID, a Action, reason string) (Entry, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Entry{}, err
	}
	n, err := note(reason)
	if err != nil {
		return Entry{}, err
	}
	rule := transitions[a]
	var e Entry
	liveChanged := false
	now := s.now()
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.Store.GetEntry(ctx, k, id, true); err != nil {
			return err
		}
		if !slices.Contains(rule.from, e.Status) {
			noun := "article"
			if k == KindFAQ {
				noun = "FAQ entry"
			}
			return ErrTransition.WithMessage("Cannot %s: the %s is %s.", rule.verb, noun, statusWords[e.Status])
		}
		switch a {
		case ActionPublish:
			if x := e.Content.ExpiresAt; x != nil && !x.After(now) {
				return ErrExpired
			}
			// Before the write: the revision counts expiry dates as the rows stand.
			if err := s.Store.BumpRevision(ctx, now); err != nil {
				return err
			}
			live := e.Content
			e.Live, e.LiveVersion, e.PublishedAt, liveChanged = &live, e.Version+1, &now, true
		case ActionArchive:
			if e.Live != nil {
				if err := s.Store.BumpRevision(ctx, now); err != nil {
					return err
				}
				e.Live, e.LiveVersion, e.PublishedAt, liveChanged = nil, 0, nil, true
			}
		}
		e.Status, e.Version = rule.to, e.Version+1
		e.UpdatedBy, e.UpdatedAt = author(ctx), now
		if err := s.Store.UpdateEntry(ctx, &e); err != nil {
			return err
		}
		if err := s.Store.AddVersion(ctx, versionOf(&e, a, n, now)); err != nil {
			return err
		}
		if a == ActionPublish || a == ActionArchive {
			return s.audit(ctx, "kb."+string(k)+"."+string(a), "kb."+string(k), e.ID,
				map[string]any{"version": e.Version, "title": e.Content.Heading(k)})
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	if liveChanged {
		s.notify(ctx, tid)
	}
	e.Stale = s.stale(&e, now)
	return e, nil
}

// Delete removes an entry and its history; a live entry leaves the live corpus.
func (s *Service) Delete(ctx context.Context, k Kind, id uuid.UUID) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	wasLive := false
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		e, err := s.Store.GetEntry(ctx, k, id, true)
		if err != nil {
			return err
		}
		if wasLive = e.Live != nil; wasLive {
			if err := s.Store.BumpRevision(ctx, s.now()); err != nil {
				return err
			}
		}
		if err := s.Store.DeleteEntry(ctx, k, id); err != nil {
			return err
		}
		return s.audit(ctx, "kb."+string(k)+".deleted", "kb."+string(k), id,
			map[string]any{"status": e.Status, "title": e.Content.Heading(k), "was_live": wasLive})
	})
	if err != nil {
		return err
	}
	if wasLive {
		s.notify(ctx, tid)
	}
	return nil
}

// ---- versions -------------------------------------------------------------------

// Versions lists an entry's versions newest first (before: a version number to page
// from, 0 for the latest).
func (s *Service) Versions(ctx context.Context, k Kind, id uuid.UUID, before, limit int) ([]Version, error) {
	if _, err := s.Store.GetEntry(ctx, k, id, false); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.Store.ListVersions(ctx, id, before, limit)
}

// Version returns one version with its snapshot.
func (s *Service) Version(ctx context.Context, k Kind, id uuid.UUID, n int) (Version, error) {
	if _, err := s.Store.GetEntry(ctx, k, id, false); err != nil {
		return Version{}, err
	}
	return s.Store.GetVersion(ctx, id, n)
}

// Diff compares two versions. to 0 means the latest; from 0 the one before to.
func (s *Service) Diff(ctx context.Context, k Kind, id uuid.UUID, from, to int) (Diff, error) {
	e, err := s.Store.GetEntry(ctx, k, id, false)
	if err != nil {
		return Diff{}, err
	}
	if to == 0 {
		to = e.Version
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	a, err := s.Store.GetVersion(ctx, id, from)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.Store.GetVersion(ctx, id, to)
	if err != nil {
		return Diff{}, err
	}
	return diffVersions(a, b), nil
}

// Rollback copies version n's content into a new draft version. The live copy does
// not change: publishing the draft is a separate step.
func (s *Service) Rollback(ctx context.Context, k Kind, id uuid.UUID, n int) (Entry, error) {
	if _, err := tenants.Require(ctx); err != nil {
		return Entry{}, err
	}
	var e Entry
	now := s.now()
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.Store.GetEntry(ctx, k, id, true); err != nil {
			return err
		}
		v, err := s.Store.GetVersion(ctx, id, n)
		if err != nil {
			return err
		}
		c := v.Content
		if err := s.checkCategory(ctx, c.CategoryID); err != nil {
			if errors.Is(err, ErrUnknownCategory) {
				return ErrUnknownCategory.WithMessage("Version %d's category no longer exists; edit the entry instead.", n).WithField("version")
			}
			return err
		}
		if err := s.prepare(k, &c, false, now); err != nil {
			return err
		}
		e.Content, e.Status, e.Version = c, StatusDraft, e.Version+1
		e.UpdatedBy, e.UpdatedAt = author(ctx), now
		if err := s.Store.UpdateEntry(ctx, &e); err != nil {
			return err
		}
		return s.Store.AddVersion(ctx, versionOf(&e, ActionRollback, fmt.Sprintf("from version %d", n), now))
	})
	if err != nil {
		return Entry{}, err
	}
	e.Stale = s.stale(&e, now)
	return e, nil
}

// ---- live content ---------------------------------------------------------------

// LiveFAQ is a published FAQ entry as the bot uses it.
type LiveFAQ struct {
	ID               uuid.UUID
	Version          int
	Locale           string
	CategoryID       *uuid.UUID
	Question         string
	SimilarQuestions []string
	Answer           string
	ChannelAnswers   map[string]string
	Tags             []string
	PublishedAt      time.Time
	ExpiresAt        *time.Time
}

// AnswerFor is the answer for a channel kind (web, wechat, email, sms, ...): its
// variant if there is one, else the default answer.
func (f *LiveFAQ) AnswerFor(channelKind string) string {
	if a, ok := f.ChannelAnswers[channelKind]; ok {
		return a
	}
	return f.Answer
}

// LiveArticle is a published article as the help centre and the bot use it.
type LiveArticle struct {
	ID          uuid.UUID
	Version     int
	Locale      string
	CategoryID  *uuid.UUID
	Title       string
	Body        string // Markdown
	HTML        string // rendered and sanitised
	Tags        []string
	PublishedAt time.Time
	ExpiresAt   *time.Time
}

// Corpus is a tenant's live knowledge: what customers may be told.
type Corpus struct {
	// Revision increases with every change to live content (a publish, an archive, a
	// deletion, a category change, an expiry date passing): a reader holding an index
	// built at a revision rebuilds when it sees a higher one.
	Revision   int64
	FAQs       []LiveFAQ
	Articles   []LiveArticle
	Categories []Category
	// NextExpiry is when the next live entry expires (and Revision increases without a
	// notification): a reader may schedule its next look for then.
	NextExpiry *time.Time
}

// Live returns the tenant's live, non-stale entries and categories, read consistently
// with the revision.
func (s *Service) Live(ctx context.Context) (Corpus, error) {
	set, err := s.Store.Live(ctx, s.now())
	if err != nil {
		return Corpus{}, err
	}
	c := Corpus{Revision: set.Revision, NextExpiry: set.NextExpiry, Categories: newTree(set.Categories).ordered(),
		FAQs: []LiveFAQ{}, Articles: []LiveArticle{}}
	for _, e := range set.Entries {
		l := e.Live
		var published time.Time
		if e.PublishedAt != nil {
			published = *e.PublishedAt
		}
		switch e.Kind {
		case KindFAQ:
			c.FAQs = append(c.FAQs, LiveFAQ{ID: e.ID, Version: e.LiveVersion, Locale: l.Locale, CategoryID: l.CategoryID,
				Question: l.Question, SimilarQuestions: l.SimilarQuestions, Answer: l.Answer, ChannelAnswers: l.ChannelAnswers,
				Tags: l.Tags, PublishedAt: published, ExpiresAt: l.ExpiresAt})
		case KindArticle:
			c.Articles = append(c.Articles, LiveArticle{ID: e.ID, Version: e.LiveVersion, Locale: l.Locale, CategoryID: l.CategoryID,
				Title: l.Title, Body: l.Body, HTML: l.HTML, Tags: l.Tags, PublishedAt: published, ExpiresAt: l.ExpiresAt})
		}
	}
	return c, nil
}

// Revision is the tenant's live-content revision (see Corpus.Revision).
func (s *Service) Revision(ctx context.Context) (int64, error) {
	return s.Store.Revision(ctx, s.now())
}

// ---- help centre feedback -------------------------------------------------------

// Feedback counts a customer's "was this helpful?" answer for a live entry. An entry
// that is not live (a draft, archived, stale, deleted, another tenant's) is not found.
func (s *Service) Feedback(ctx context.Context, k Kind, id uuid.UUID, helpful bool) error {
	if _, err := tenants.Require(ctx); err != nil {
		return err
	}
	now := s.now()
	e, err := s.Store.GetEntry(ctx, k, id, false)
	if err != nil {
		return err
	}
	if e.Live == nil || s.stale(&e, now) {
		return NotFound(k)
	}
	if err := s.Store.AddFeedback(ctx, id, helpful, now); err != nil {
		if errors.Is(err, ErrArticleNotFound) {
			return NotFound(k) // deleted meanwhile
		}
		return err
	}
	return nil
}
