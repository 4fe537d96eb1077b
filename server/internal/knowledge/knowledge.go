// Package knowledge is the knowledge base: a category tree, articles (Markdown rendered
// to sanitised HTML) and FAQ entries (a standard question, similar questions, an
// answer and per-channel answers), with a review workflow and a version history.
//
// An entry has a working copy, which editors change, and a live copy, which customers
// see through the bot and the help centre. Only publishing replaces the live copy, so
// an edit of a published entry changes nothing for customers until it is published in
// turn. Every change is kept as a version holding a full snapshot; a rollback copies an
// old snapshot into a new draft version, which is published like any other edit.
//
// Readers of live content (the bot, the help centre) take Service.Live, whose revision
// increases with every change to what is live, including an expiry date passing; the
// service tells its Notifier after each commit that changed live content.
package knowledge

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Kind of entry.
type Kind string

const (
	KindArticle Kind = "article"
	KindFAQ     Kind = "faq"
)

// Status of an entry's working copy in the review workflow.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// ParseStatus validates a status filter value.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case StatusDraft, StatusInReview, StatusPublished, StatusArchived:
		return st, true
	}
	return "", false
}

// Action is what a version records.
type Action string

const (
	ActionCreate   Action = "created"
	ActionEdit     Action = "edited"
	ActionSubmit   Action = "submitted"
	ActionPublish  Action = "published"
	ActionReject   Action = "rejected"
	ActionArchive  Action = "archived"
	ActionRollback Action = "rolled_back"
)

// Limits. Sizes of long texts are in bytes (what storage and the bot pay for), the rest
// in characters.
const (
	MaxTitleLen        = 200
	MaxQuestionLen     = 500
	MaxSimilar         = 200
	MaxAnswerBytes     = 20 << 10
	MaxBodyBytes       = 200 << 10
	MaxTags            = 20
	MaxTagLen          = 50
	MaxChannelAnswers  = 16
	MaxChannelKindLen  = 32
	MaxCategoryNameLen = 100
	MaxCategoryDepth   = 6
	MaxCategories      = 1000
	MaxNoteLen         = 1000
)

// Category is a node of a tenant's category tree. Name holds one name per locale.
type Category struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	ParentID  *uuid.UUID
	Position  int
	Name      map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Content is one copy of an entry's fields: the working copy, the live copy and every
// version hold one. An article uses Title, Body and HTML; an FAQ uses Question,
// SimilarQuestions, Answer and ChannelAnswers.
type Content struct {
	Title            string            `json:"title,omitempty"`
	Body             string            `json:"body,omitempty"`
	Question         string            `json:"question,omitempty"`
	SimilarQuestions []string          `json:"similar_questions,omitempty"`
	Answer           string            `json:"answer,omitempty"`
	ChannelAnswers   map[string]string `json:"channel_answers,omitempty"` // by connector kind: web, wechat, email, sms, ...
	CategoryID       *uuid.UUID        `json:"category_id,omitempty"`
	Tags             []string          `json:"tags,omitempty"`
	Locale           string            `json:"locale"`
	ExpiresAt        *time.Time        `json:"expires_at,omitempty"`
	// HTML is Body rendered and sanitised. It is derived, so versions do not keep it:
	// a rollback renders it again.
	HTML string `json:"html,omitempty"`
}

// Heading is an entry's title for lists: an article's title, an FAQ's question.
func (c *Content) Heading(k Kind) string {
	if k == KindFAQ {
		return c.Question
	}
	return c.Title
}

// Entry is an article or an FAQ.
type Entry struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Kind     Kind
	Status   Status
	// Content is the working copy; Version is the number of its latest version.
	Content Content
	Version int
	// Live is what customers see (nil when nothing is published), as of LiveVersion.
	Live        *Content
	LiveVersion int
	PublishedAt *time.Time
	// Stale: the expiry date of the live copy (or of the working copy, for an entry never
	// published) has passed. A stale entry is out of the live corpus until it is
	// published again with a later expiry date or none.
	Stale bool
	// Helpful and NotHelpful count the help centre's "was this helpful?" answers.
	Helpful    int64
	NotHelpful int64
	CreatedBy  *uuid.UUID
	UpdatedBy  *uuid.UUID
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PendingChanges reports a live entry whose working copy has changes not yet published.
func (e *Entry) PendingChanges() bool { return e.Live != nil && e.Status != StatusPublished }

// Version is one recorded change of an entry with the full snapshot after it.
type Version struct {
	EntryID   uuid.UUID
	Version   int
	Action    Action
	Status    Status
	Note      string
	AuthorID  *uuid.UUID
	Content   Content
	CreatedAt time.Time
}

// Nullable is an update of a field that may be cleared: Set says it was given, and a nil
// Value clears it.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// Input creates or edits an entry. On an edit, nil (or unset) fields stay as they are.
type Input struct {
	Title            *string
	Body             *string
	Question         *string
	SimilarQuestions *[]string
	Answer           *string
	ChannelAnswers   *map[string]string
	Category         Nullable[uuid.UUID]
	Tags             *[]string
	Locale           *string
	ExpiresAt        Nullable[time.Time]
	// BaseVersion, when not zero, is the version the editor started from: the edit is
	// refused if the entry has moved on since (ErrEditConflict).
	BaseVersion int
}

// Filter selects entries for a list, newest first.
type Filter struct {
	Kind       Kind
	Status     Status
	CategoryID *uuid.UUID
	Tag        string
	Locale     string
	Stale      *bool
	Query      string // substring of the working copy
	// Before is the cursor: entries created before (older than) this one.
	Before *uuid.UUID
	// Limit 0 lists every match (exports).
	Limit int
	// Now is the time staleness is judged at; the service sets it.
	Now time.Time
}

// LiveSet is the live content of a tenant as one consistent read.
type LiveSet struct {
	Revision int64
	// Entries are live and not stale, oldest first; Entry.Live holds their content.
	Entries    []Entry
	Categories []Category
	// NextExpiry is the soonest expiry date still ahead among live entries.
	NextExpiry *time.Time
}

// Store persists the engine's rows. Every method runs in the tenant scope of ctx,
// joining the caller's transaction when there is one.
type Store interface {
	CreateCategory(ctx context.Context, c *Category) error
	UpdateCategory(ctx context.Context, c *Category) error
	GetCategory(ctx context.Context, id uuid.UUID) (Category, error)
	// ListCategories returns every category, by parent then position.
	ListCategories(ctx context.Context) ([]Category, error)
	// CategoryUsage counts the category's children and the entries filed in it (by
	// their working or their live copy).
	CategoryUsage(ctx context.Context, id uuid.UUID) (children, entries int, err error)
	DeleteCategory(ctx context.Context, id uuid.UUID) error

	CreateEntry(ctx context.Context, e *Entry) error
	// GetEntry reads an entry of the kind; lock holds its row to the end of the
	// transaction (PostgreSQL; SQLite serialises writers anyway).
	GetEntry(ctx context.Context, kind Kind, id uuid.UUID, lock bool) (Entry, error)
	// UpdateEntry writes the working copy, status and live copy.
	UpdateEntry(ctx context.Context, e *Entry) error
	DeleteEntry(ctx context.Context, kind Kind, id uuid.UUID) error
	ListEntries(ctx context.Context, f Filter) ([]Entry, error)

	AddVersion(ctx context.Context, v *Version) error
	// ListVersions returns versions newest first, before the given number (0: from the
	// latest), at most limit.
	ListVersions(ctx context.Context, entryID uuid.UUID, before, limit int) ([]Version, error)
	GetVersion(ctx context.Context, entryID uuid.UUID, version int) (Version, error)

	// BumpRevision records a change to live content. Call it before writing the change,
	// in the same transaction (see knowledgedb for why the order matters).
	BumpRevision(ctx context.Context, now time.Time) error
	Revision(ctx context.Context, now time.Time) (int64, error)
	Live(ctx context.Context, now time.Time) (LiveSet, error)

	// AddFeedback counts one "was this helpful?" answer for an entry.
	AddFeedback(ctx context.Context, entryID uuid.UUID, helpful bool, now time.Time) error
}

// Tx runs a function in one transaction.
type Tx interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Audit records admin actions in the tenant audit log.
type Audit interface {
	Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error
}

// Notifier hears, after commit, that a tenant's live content changed (the bot rebuilds
// its index). An expiry date passing is not announced: readers see it in the revision.
type Notifier interface {
	KnowledgeChanged(ctx context.Context, tenantID uuid.UUID)
}

// Errors.
var (
	ErrCategoryNotFound = errs.New(errs.NotFound, "kb.category-not-found", "The category does not exist.")
	ErrArticleNotFound  = errs.New(errs.NotFound, "kb.article-not-found", "The article does not exist.")
	ErrFAQNotFound      = errs.New(errs.NotFound, "kb.faq-not-found", "The FAQ entry does not exist.")
	ErrVersionNotFound  = errs.New(errs.NotFound, "kb.version-not-found", "The entry has no such version.")
	ErrCategoryNotEmpty = errs.New(errs.Conflict, "kb.category-not-empty", "The category is not empty.")
	ErrCategoryCycle    = errs.New(errs.Unprocessable, "kb.category-cycle", "A category cannot be moved under itself or one of its descendants.").WithField("parent_id")
	ErrCategoryDepth    = errs.New(errs.Unprocessable, "kb.category-too-deep", "Categories nest at most 6 levels deep.").WithField("parent_id")
	ErrTooManyCategory  = errs.New(errs.Unprocessable, "kb.too-many-categories", "A knowledge base has at most 1000 categories.")
	ErrUnknownCategory  = errs.New(errs.Unprocessable, "kb.unknown-category", "The category does not exist.").WithField("category_id")
	ErrTransition       = errs.New(errs.Conflict, "kb.invalid-transition", "The entry cannot make this transition in its current status.")
	ErrExpired          = errs.New(errs.Conflict, "kb.expired", "The entry's expiry date has passed: set a later expiry date, or none, before publishing.")
	ErrEditConflict     = errs.New(errs.Conflict, "kb.edit-conflict", "The entry was changed since you opened it; reload it and apply your edit again.").WithField("version")
)

// NotFound is the not-found error of a kind.
func NotFound(k Kind) *errs.Error {
	if k == KindFAQ {
		return ErrFAQNotFound
	}
	return ErrArticleNotFound
}
