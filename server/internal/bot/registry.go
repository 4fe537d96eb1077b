package bot

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

// StoredModel is a built model as stored: the nlu model and the entries it answers
// with, so a node serving it needs nothing else.
type StoredModel struct {
	Revision int64
	Entries  int
	Blob     []byte
	BuildMS  int
	BuiltAt  time.Time
}

// encodeModel packs the model and its entries: a length-prefixed nlu model, then the
// entries as JSON.
func encodeModel(m *nlu.Model, entries []Entry) ([]byte, error) {
	mb, err := m.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	eb, err := json.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("encode entries: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(8 + len(mb) + len(eb))
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(mb)))
	buf.Write(n[:])
	buf.Write(mb)
	buf.Write(eb)
	return buf.Bytes(), nil
}

func decodeModel(revision int64, b []byte) (*Loaded, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("decode model: %d bytes", len(b))
	}
	n := binary.LittleEndian.Uint64(b[:8])
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("decode model: length %d beyond %d bytes", n, len(b))
	}
	m, err := nlu.Load(b[8 : 8+n])
	if err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	var entries []Entry
	if err := json.Unmarshal(b[8+n:], &entries); err != nil {
		return nil, fmt.Errorf("decode model entries: %w", err)
	}
	return newLoaded(revision, m, entries), nil
}

func newLoaded(revision int64, m *nlu.Model, entries []Entry) *Loaded {
	l := &Loaded{Revision: revision, Model: m, Entries: make(map[string]*Entry, len(entries))}
	for i := range entries {
		l.Entries[entries[i].ID] = &entries[i]
	}
	return l
}

// Build builds a model from a knowledge snapshot: each entry's standard question and
// similar questions train it. Exported for `kefu bot eval`, which goes through the
// same code as customers.
func Build(snap Snapshot) (*Loaded, error) {
	es := make([]nlu.Entry, 0, len(snap.Entries))
	for _, e := range snap.Entries {
		qs := make([]string, 0, 1+len(e.Similar))
		qs = append(qs, e.Question)
		qs = append(qs, e.Similar...)
		es = append(es, nlu.Entry{ID: e.ID, Questions: qs})
	}
	m, err := nlu.Build(es, nlu.Options{})
	if err != nil {
		return nil, fmt.Errorf("build model: %w", err)
	}
	return newLoaded(snap.Revision, m, snap.Entries), nil
}

// registry caches each tenant's model on this node and checks the stored revision at
// most every checkEvery, so a rebuild on any node reaches every node within that time
// while a message costs no query at all in between. It holds at most maxModels
// tenants: the least recently used one is dropped (and reloaded when it talks again).
type registry struct {
	mu      sync.Mutex
	tenants map[uuid.UUID]*cached
	tick    int64 // orders uses, for dropping the least recent
}

const maxModels = 500

type cached struct {
	mu        sync.Mutex // one load at a time per tenant
	model     *Loaded
	checked   time.Time
	asked     time.Time // when this node last asked for a rebuild
	knowledge int64     // the knowledge revision last seen
	used      int64     // registry.tick at the last use; guarded by registry.mu
}

const (
	checkEvery = 2 * time.Second
	askEvery   = 30 * time.Second
)

func (r *registry) entry(tid uuid.UUID) *cached {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tenants == nil {
		r.tenants = map[uuid.UUID]*cached{}
	}
	c := r.tenants[tid]
	if c == nil {
		if len(r.tenants) >= maxModels {
			var oldest uuid.UUID
			var at int64
			for id, x := range r.tenants {
				if u := x.used; oldest == uuid.Nil || u < at {
					oldest, at = id, u
				}
			}
			delete(r.tenants, oldest)
		}
		c = &cached{}
		r.tenants[tid] = c
	}
	r.tick++
	c.used = r.tick
	return c
}

// model returns the tenant's newest stored model (nil when none is built), reloading
// it when another node stored a newer one, and asks for a rebuild when the model is
// behind the knowledge it was built from.
func (s *Service) model(ctx context.Context, tid uuid.UUID) (*Loaded, error) {
	c := s.models.entry(tid)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if !c.checked.IsZero() && now.Sub(c.checked) < checkEvery {
		return c.model, nil
	}
	rev, ok, err := s.Store.ModelRevision(ctx)
	if err != nil {
		if c.model != nil {
			// Serve what we have: a database blip must not silence the bot.
			s.log().Warn("bot: model revision check failed; serving the cached model", "tenant_id", tid, "err", err)
			return c.model, nil
		}
		return nil, err
	}
	if ok && (c.model == nil || rev > c.model.Revision) {
		sm, found, err := s.Store.GetModel(ctx)
		if err != nil {
			return c.model, err
		}
		if found {
			l, err := decodeModel(sm.Revision, sm.Blob)
			if err != nil {
				s.log().Error("bot: stored model unreadable; rebuilding", "tenant_id", tid, "err", err)
				s.askRebuild(ctx, tid, c, now)
			} else {
				c.model = l
			}
		}
	}
	c.checked = now
	if s.Knowledge != nil {
		kr, err := s.Knowledge.Revision(ctx)
		if err == nil {
			c.knowledge = kr
			have := int64(-1)
			if c.model != nil {
				have = c.model.Revision
			}
			if kr > have && (kr > 0 || c.model != nil) {
				s.askRebuild(ctx, tid, c, now)
			}
		}
	}
	return c.model, nil
}

func (s *Service) askRebuild(ctx context.Context, tid uuid.UUID, c *cached, now time.Time) {
	if s.Jobs == nil || (!c.asked.IsZero() && now.Sub(c.asked) < askEvery) {
		return
	}
	c.asked = now
	if err := s.Jobs.EnqueueRebuild(ctx, tid); err != nil {
		s.log().Warn("bot: could not queue a model rebuild", "tenant_id", tid, "err", err)
	}
}

// forget drops the cached model check so the next message looks at the store (a
// rebuild on this node).
func (s *Service) forget(tid uuid.UUID) {
	c := s.models.entry(tid)
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
}
