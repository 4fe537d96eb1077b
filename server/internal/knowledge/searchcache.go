package knowledge

import (
	lru "container/list"
	"context"
	"html"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/microcosm-cc/bluemonday"

	"github.com/kefu-io/kefu/server/internal/knowledge/search"
	"github.com/kefu-io/kefu/tenants"
)

// Defaults of the live-content cache (Service.SearchTenants, Service.SearchCheckEvery).
const (
	// DefaultSearchTenants bounds the memory the cache holds: a tenant's snapshot is its
	// live corpus and its index, a few MB for a large knowledge base.
	DefaultSearchTenants = 1000
	// DefaultSearchCheckEvery is how long a snapshot is served before the revision is
	// read again. Changes made on this node are seen at once (notify invalidates);
	// another node's are seen within this, as is an expiry date passing (readers also
	// drop expired entries themselves).
	DefaultSearchCheckEvery = 2 * time.Second
)

// Snapshot is a tenant's live content at one revision, with its search index. It is
// immutable and shared by every reader.
type Snapshot struct {
	Revision int64
	Corpus   Corpus
	Index    *search.Index
	BuiltAt  time.Time

	faqs       map[uuid.UUID]int
	articles   map[uuid.UUID]int
	categories map[uuid.UUID]int
}

// FAQ returns a live FAQ entry of the snapshot.
func (s *Snapshot) FAQ(id uuid.UUID) (*LiveFAQ, bool) {
	i, ok := s.faqs[id]
	if !ok {
		return nil, false
	}
	return &s.Corpus.FAQs[i], true
}

// Article returns a live article of the snapshot.
func (s *Snapshot) Article(id uuid.UUID) (*LiveArticle, bool) {
	i, ok := s.articles[id]
	if !ok {
		return nil, false
	}
	return &s.Corpus.Articles[i], true
}

// Category returns a category of the snapshot.
func (s *Snapshot) Category(id uuid.UUID) (*Category, bool) {
	i, ok := s.categories[id]
	if !ok {
		return nil, false
	}
	return &s.Corpus.Categories[i], true
}

// plain turns sanitised article HTML into text for the index: tags become spaces,
// entities characters.
var plain = bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)

// PlainText is an article's rendered HTML as plain text.
func PlainText(h string) string { return html.UnescapeString(plain.Sanitize(h)) }

func newSnapshot(c Corpus, now time.Time) *Snapshot {
	s := &Snapshot{Revision: c.Revision, Corpus: c, BuiltAt: now, faqs: make(map[uuid.UUID]int, len(c.FAQs)),
		articles: make(map[uuid.UUID]int, len(c.Articles)), categories: make(map[uuid.UUID]int, len(c.Categories))}
	docs := make([]search.Doc, 0, len(c.FAQs)+len(c.Articles))
	cat := func(id *uuid.UUID) string {
		if id == nil {
			return ""
		}
		return id.String()
	}
	for i, f := range c.FAQs {
		s.faqs[f.ID] = i
		docs = append(docs, search.Doc{ID: f.ID.String(), Kind: string(KindFAQ), Locale: f.Locale, Category: cat(f.CategoryID),
			Tags: f.Tags, Title: f.Question, Alt: f.SimilarQuestions, Body: f.Answer})
	}
	for i, a := range c.Articles {
		s.articles[a.ID] = i
		docs = append(docs, search.Doc{ID: a.ID.String(), Kind: string(KindArticle), Locale: a.Locale, Category: cat(a.CategoryID),
			Tags: a.Tags, Title: a.Title, Body: PlainText(a.HTML)})
	}
	for i, x := range c.Categories {
		s.categories[x.ID] = i
	}
	s.Index = search.Build(docs)
	return s
}

// searchCache keeps one snapshot per tenant, least recently used evicted first.
type searchCache struct {
	svc   *Service
	max   int
	every time.Duration

	mu    sync.Mutex // guards order and slots only; never held while reading or building
	order *lru.List  // of *searchSlot, most recent first
	slots map[uuid.UUID]*lru.Element
}

type searchSlot struct {
	tenant  uuid.UUID
	snap    atomic.Pointer[Snapshot]
	checked atomic.Int64 // unix nanoseconds of the last revision check; 0: check now
	// build is held by the one reader checking the revision or building. Readers that
	// have a snapshot never wait for it: they serve the one they have.
	build sync.Mutex
}

func (s *Service) searchCache() *searchCache {
	s.searchOnce.Do(func() {
		c := &searchCache{svc: s, max: s.SearchTenants, every: s.SearchCheckEvery, order: lru.New(), slots: map[uuid.UUID]*lru.Element{}}
		if c.max <= 0 {
			c.max = DefaultSearchTenants
		}
		if c.every <= 0 {
			c.every = DefaultSearchCheckEvery
		}
		s.search = c
	})
	return s.search
}

func (c *searchCache) slot(tid uuid.UUID) *searchSlot {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.slots[tid]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*searchSlot)
	}
	sl := &searchSlot{tenant: tid}
	c.slots[tid] = c.order.PushFront(sl)
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.slots, old.Value.(*searchSlot).tenant)
	}
	return sl
}

// invalidate makes the tenant's next reader check the revision.
func (c *searchCache) invalidate(tid uuid.UUID) {
	c.mu.Lock()
	el, ok := c.slots[tid]
	c.mu.Unlock()
	if ok {
		el.Value.(*searchSlot).checked.Store(0)
	}
}

func (c *searchCache) get(ctx context.Context, tid uuid.UUID) (*Snapshot, error) {
	sl := c.slot(tid)
	snap := sl.snap.Load()
	fresh := func() bool { return time.Now().UnixNano()-sl.checked.Load() < int64(c.every) }
	if snap != nil && fresh() {
		return snap, nil
	}
	if snap != nil {
		if !sl.build.TryLock() {
			return snap, nil // another reader is checking
		}
	} else {
		sl.build.Lock() // nothing to serve yet: wait for the first build
		if snap = sl.snap.Load(); snap != nil && fresh() {
			sl.build.Unlock()
			return snap, nil
		}
	}
	defer sl.build.Unlock()
	started := time.Now()
	if snap != nil {
		rev, err := c.svc.Revision(ctx)
		if err != nil {
			return nil, err
		}
		if rev == snap.Revision {
			sl.checked.Store(started.UnixNano())
			return snap, nil
		}
	}
	corpus, err := c.svc.Live(ctx)
	if err != nil {
		return nil, err
	}
	snap = newSnapshot(corpus, started)
	sl.snap.Store(snap)
	sl.checked.Store(started.UnixNano())
	return snap, nil
}

// Snapshot returns the tenant's live content and its search index, read again from
// storage only when its revision has moved on (checked at most every
// SearchCheckEvery). Entries whose expiry date passed since the snapshot was taken may
// still be in it: readers compare ExpiresAt with the time themselves (Visible).
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	return s.searchCache().get(ctx, tid)
}

// Visible reports whether a live entry with this expiry date may be shown at now.
func Visible(expires *time.Time, now time.Time) bool { return expires == nil || expires.After(now) }

// SearchQuery is a search of the live corpus.
type SearchQuery struct {
	Text       string
	Locale     string
	Kind       Kind // "": both
	CategoryID *uuid.UUID
	Limit      int // search.DefaultLimit when 0, at most search.MaxLimit
	Offset     int
}

// SearchHit is a live entry matching a search. TitleHTML and SnippetHTML are HTML
// with the matched words in <mark> and everything else escaped.
type SearchHit struct {
	ID          uuid.UUID
	Kind        Kind
	Title       string // an article's title, an FAQ's question
	TitleHTML   string
	SnippetHTML string
	Score       float64
	CategoryID  *uuid.UUID
	Locale      string
}

// SearchResult is one page of hits, best first, and how many entries matched.
type SearchResult struct {
	Total    int
	Hits     []SearchHit
	Revision int64
}

// Search finds live entries of the tenant.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return SearchResult{}, err
	}
	return snap.Search(q, s.now()), nil
}

// Search runs a query on the snapshot; entries expired by now are left out.
func (snap *Snapshot) Search(q SearchQuery, now time.Time) SearchResult {
	sq := search.Query{Text: q.Text, Locale: q.Locale, Kind: string(q.Kind), Limit: q.Limit, Offset: q.Offset}
	if q.CategoryID != nil {
		sq.Category = q.CategoryID.String()
	}
	res := snap.Index.Search(sq)
	out := SearchResult{Total: res.Total, Revision: snap.Revision, Hits: make([]SearchHit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		id, err := uuid.Parse(h.ID)
		if err != nil {
			continue
		}
		hit := SearchHit{ID: id, TitleHTML: h.TitleHTML, SnippetHTML: h.SnippetHTML, Score: h.Score}
		if f, ok := snap.FAQ(id); ok {
			if !Visible(f.ExpiresAt, now) {
				out.Total--
				continue
			}
			hit.Kind, hit.Title, hit.CategoryID, hit.Locale = KindFAQ, f.Question, f.CategoryID, f.Locale
		} else if a, ok := snap.Article(id); ok {
			if !Visible(a.ExpiresAt, now) {
				out.Total--
				continue
			}
			hit.Kind, hit.Title, hit.CategoryID, hit.Locale = KindArticle, a.Title, a.CategoryID, a.Locale
		} else {
			continue
		}
		out.Hits = append(out.Hits, hit)
	}
	return out
}
