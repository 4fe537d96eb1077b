// Package outbox performs the side effects engines record in the outbox table in the
// same transaction as their change: publishing realtime events and queueing outbound
// sends. A row is claimed by deleting it inside a transaction that stays open while the
// effect runs, so a failed effect rolls the row back for the next attempt and two
// relays (two nodes) never both act on one row.
//
// The fast path is Wake, called after a commit with the committed rows: it runs their
// effects at once and deletes the rows in batches; a sweep every few seconds claims
// and runs whatever is left (a crashed process, a failed effect).
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// Publisher delivers realtime events (Redis pub/sub).
type Publisher interface {
	Publish(ctx context.Context, ev conversation.Event) error
}

// RawPublisher publishes already-encoded events of one tenant in one round trip
// (a pipeline). A Publisher that has it spares Wake a decode and encode per event.
type RawPublisher interface {
	PublishRaw(ctx context.Context, tenantID uuid.UUID, payloads [][]byte) error
}

// Enqueuer queues an outbound send job (Asynq, critical queue) and the bot's turns.
type Enqueuer interface {
	EnqueueSend(ctx context.Context, job conversation.SendJob) error
	EnqueueBot(ctx context.Context, job conversation.BotJob) error
}

// Router acts on routing jobs (serve a queue, fill an agent's freed capacity).
type Router interface {
	Route(ctx context.Context, job conversation.RouteJob) error
}

type row struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	Topic     string
	Payload   string
	Attempts  int
	CreatedAt time.Time
}

func (row) TableName() string { return "outbox" }

type ref struct{ tenant, id uuid.UUID }

// Relay runs the outbox.
type Relay struct {
	DB        *db.DB
	Publisher Publisher
	Enqueuer  Enqueuer
	// Router, when set, takes routing jobs; without one they are dropped (a process
	// that does not route).
	Router Router
	Logger *slog.Logger
	// Sweep is how often leftovers are collected (default 2 s); rows younger than
	// Grace (default 10 s) are left to the fast path.
	Sweep, Grace time.Duration

	done chan ref // rows whose effects ran, to delete
	// inflight holds the rows whose effects ran here but whose delete has not
	// committed yet: this node's sweep skips them, so a slow delete under load does
	// not run an effect twice.
	inflight sync.Map
	stop     chan struct{}
	wg       sync.WaitGroup
}

// Start runs the relay until Close.
func (r *Relay) Start() {
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Sweep <= 0 {
		r.Sweep = 2 * time.Second
	}
	if r.Grace <= 0 {
		// Long enough that another node's fast path has deleted what it did; a failed
		// effect is retried after this long.
		r.Grace = 10 * time.Second
	}
	r.done = make(chan ref, 1<<16)
	r.stop = make(chan struct{})
	r.wg.Add(2)
	go r.deleter()
	go r.sweeper()
}

// Close stops the relay; unprocessed rows stay in the table for the next start.
func (r *Relay) Close() {
	if r.stop == nil {
		return
	}
	close(r.stop)
	r.wg.Wait()
	r.stop = nil
}

// Wake implements conversation.Waker: the committed entries' effects run at once, on
// the caller's goroutine (so busy nodes publish in parallel, not through one relay
// loop), and their rows are deleted in batches in the background. Anything that fails
// here — Redis down, the process dying before the delete — stays in the table for the
// sweep, so an effect may run twice but is never lost; realtime clients de-duplicate
// events by message id, and send jobs by task id.
func (r *Relay) Wake(tenantID uuid.UUID, entries ...conversation.OutboxEntry) {
	if r.done == nil {
		return
	}
	ctx := context.Background()
	var raw [][]byte
	var rawIDs []uuid.UUID
	rp, batch := r.Publisher.(RawPublisher)
	for _, e := range entries {
		if batch && e.Topic == conversation.TopicEvent {
			raw = append(raw, e.Payload)
			rawIDs = append(rawIDs, e.ID)
			continue
		}
		if err := r.dispatch(ctx, row{TenantID: tenantID, ID: e.ID, Topic: e.Topic, Payload: string(e.Payload)}); err != nil {
			r.Logger.Warn("outbox: deferred to the sweep", "id", e.ID, "topic", e.Topic, "err", err)
			continue
		}
		r.ran(tenantID, e.ID)
	}
	if len(raw) > 0 {
		if err := rp.PublishRaw(ctx, tenantID, raw); err != nil {
			r.Logger.Warn("outbox: deferred to the sweep", "events", len(raw), "err", err)
			return
		}
		for _, id := range rawIDs {
			r.ran(tenantID, id)
		}
	}
}

// ran hands a row whose effect ran to the deleter.
func (r *Relay) ran(tenantID, id uuid.UUID) {
	r.inflight.Store(id, struct{}{})
	select {
	case r.done <- ref{tenantID, id}:
	default:
		// The deleter is far behind: the sweep will find the row and run it again.
		r.inflight.Delete(id)
	}
}

// DeleteEvery is how often the rows whose effects ran are deleted.
const DeleteEvery = 200 * time.Millisecond

// deleter removes the rows whose effects Wake ran, a batch per tenant.
func (r *Relay) deleter() {
	defer r.wg.Done()
	batch := map[uuid.UUID][]uuid.UUID{}
	n := 0
	flush := func() {
		for t, ids := range batch {
			ctx := tenants.NewContext(context.Background(), t)
			err := r.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
				if r.DB.Dialect() == db.Postgres {
					// One statement text whatever the count (an IN list of hundreds of
					// parameters is planned anew for every length), and a uuid[], not
					// text[] cast to it: under a generic plan the cast is not an index
					// condition but a filter that re-parses the whole array for every row
					// of the tenant (seconds per statement once the table had grown).
					q, err := db.RawConn(tx)
					if err != nil {
						return err
					}
					raw := make([][16]byte, len(ids))
					for i, id := range ids {
						raw[i] = id
					}
					_, err = q.ExecContext(ctx, "DELETE FROM outbox WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])", t.String(), raw)
					return err
				}
				return tx.Where("id IN ?", ids).Delete(&row{}).Error
			})
			if err != nil {
				r.Logger.Warn("outbox: delete done rows (the sweep will run them again)", "tenant_id", t, "rows", len(ids), "err", err)
			}
			for _, id := range ids {
				r.inflight.Delete(id)
			}
			delete(batch, t)
		}
		n = 0
	}
	// Rows whose effects ran only cost space until deleted (the sweep skips them for
	// Grace), so deleting them a few times a second, many per statement, is enough.
	t := time.NewTicker(DeleteEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			// Drain what is queued so a clean shutdown leaves nothing to re-run.
			for {
				select {
				case x := <-r.done:
					batch[x.tenant] = append(batch[x.tenant], x.id)
				default:
					flush()
					return
				}
			}
		case x := <-r.done:
			batch[x.tenant] = append(batch[x.tenant], x.id)
			if n++; n >= 500 {
				flush()
			}
		case <-t.C:
			if n > 0 {
				flush()
			}
		}
	}
}

func (r *Relay) sweeper() {
	defer r.wg.Done()
	t := time.NewTicker(r.Sweep)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			if err := r.SweepOnce(context.Background()); err != nil {
				r.Logger.Warn("outbox sweep", "err", err)
			}
		}
	}
}

// SweepOnce processes rows older than Grace across all tenants.
func (r *Relay) SweepOnce(ctx context.Context) error {
	refs, err := r.pending(ctx, 500, time.Now().UTC().Add(-r.Grace))
	if err != nil {
		return err
	}
	by := map[uuid.UUID][]uuid.UUID{}
	for _, x := range refs {
		if _, busy := r.inflight.Load(x.id); busy {
			continue // done here, its delete is on the way
		}
		by[x.tenant] = append(by[x.tenant], x.id)
	}
	for t, ids := range by {
		if err := r.process(ctx, t, ids); err != nil {
			r.Logger.Warn("outbox: will retry", "tenant_id", t, "rows", len(ids), "err", err)
		}
	}
	return nil
}

// pending lists ids across tenants. On PostgreSQL row-level security hides other
// tenants' rows, so a SECURITY DEFINER function returns (tenant, id) pairs only.
func (r *Relay) pending(ctx context.Context, limit int, olderThan time.Time) ([]ref, error) {
	var out []ref
	// Not named TenantID: that field name puts a struct under the tenant guard.
	type pr struct {
		Tenant uuid.UUID `gorm:"column:tenant_id"`
		ID     uuid.UUID
	}
	var rows []pr
	var err error
	if r.DB.Dialect() == db.Postgres {
		err = r.DB.SQLRows(ctx, &rows, "SELECT tenant_id, id FROM kefu_outbox_pending(?, ?)", limit, olderThan)
	} else {
		actx := tenants.AcrossTenants(ctx, "outbox sweep")
		err = r.DB.View(actx, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Model(&row{}).Select("tenant_id, id").Where("created_at < ?", olderThan).Order("created_at").Limit(limit).Scan(&rows).Error
		})
	}
	if err != nil {
		return nil, fmt.Errorf("list pending outbox rows: %w", err)
	}
	for _, p := range rows {
		out = append(out, ref{p.Tenant, p.ID})
	}
	return out, nil
}

func (r *Relay) process(ctx context.Context, tenantID uuid.UUID, ids []uuid.UUID) error {
	ctx = tenants.NewContext(ctx, tenantID)
	for len(ids) > 0 {
		n := min(len(ids), 200)
		chunk := ids[:n]
		ids = ids[n:]
		err := r.DB.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			var rows []row
			if err := tx.Clauses(clause.Returning{}).Where("id IN ?", chunk).Delete(&rows).Error; err != nil {
				return fmt.Errorf("claim outbox rows: %w", err)
			}
			for _, x := range rows {
				if err := r.dispatch(ctx, x); err != nil {
					return fmt.Errorf("outbox %s (%s): %w", x.ID, x.Topic, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Relay) dispatch(ctx context.Context, x row) error {
	switch x.Topic {
	case conversation.TopicEvent:
		var ev conversation.Event
		if err := json.Unmarshal([]byte(x.Payload), &ev); err != nil {
			r.Logger.Error("outbox: dropping undecodable event", "id", x.ID, "err", err)
			return nil
		}
		return r.Publisher.Publish(ctx, ev)
	case conversation.TopicSend:
		var job conversation.SendJob
		if err := json.Unmarshal([]byte(x.Payload), &job); err != nil {
			r.Logger.Error("outbox: dropping undecodable send job", "id", x.ID, "err", err)
			return nil
		}
		return r.Enqueuer.EnqueueSend(ctx, job)
	case conversation.TopicBot:
		var job conversation.BotJob
		if err := json.Unmarshal([]byte(x.Payload), &job); err != nil {
			r.Logger.Error("outbox: dropping undecodable bot job", "id", x.ID, "err", err)
			return nil
		}
		return r.Enqueuer.EnqueueBot(ctx, job)
	case conversation.TopicRoute:
		var job conversation.RouteJob
		if err := json.Unmarshal([]byte(x.Payload), &job); err != nil || r.Router == nil {
			if err != nil {
				r.Logger.Error("outbox: dropping undecodable route job", "id", x.ID, "err", err)
			}
			return nil
		}
		return r.Router.Route(ctx, job)
	default:
		r.Logger.Error("outbox: unknown topic, dropping", "id", x.ID, "topic", x.Topic)
		return nil
	}
}
