// Package worker runs kefu's background jobs on Asynq: typed task payloads, one
// handler per task type, queues by priority (critical, default, low).
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/identity"
)

// Task types. Names are part of the queue's wire format: never rename one that may
// still be queued.
const (
	TypeMailSend      = "mail:send"
	TypePasswordReset = "identity:password-reset"
	TypeMessageSend   = "message:send"
	TypeBotTurn       = "bot:turn"
	TypeBotRebuild    = "bot:rebuild"
)

// SendMaxRetry is how often an outbound message is retried before it is marked
// failed (with Asynq's exponential backoff this spans roughly a day).
const SendMaxRetry = 15

// Queues and their weights.
var Queues = map[string]int{"critical": 6, "default": 3, "low": 1}

// Enqueuer sends tasks.
type Enqueuer struct{ c *asynq.Client }

// NewEnqueuer wraps a Redis client (shared with the rest of the process).
func NewEnqueuer(rdb redis.UniversalClient) *Enqueuer {
	return &Enqueuer{c: asynq.NewClientFromRedisClient(rdb)}
}

// Close releases the client (not the shared Redis connection).
func (e *Enqueuer) Close() error { return e.c.Close() }

// QueueMailer implements identity.Mailer by queueing delivery, so a slow or failing
// mail backend never blocks a request and failed sends are retried with backoff.
type QueueMailer struct{ E *Enqueuer }

// Send queues the mail.
func (q QueueMailer) Send(ctx context.Context, m identity.Mail) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = q.E.c.EnqueueContext(ctx, asynq.NewTask(TypeMailSend, b), asynq.Queue("default"), asynq.MaxRetry(10), asynq.Timeout(time.Minute))
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// EnqueuePasswordReset implements identity.Jobs.
func (e *Enqueuer) EnqueuePasswordReset(ctx context.Context, email string) error {
	b, err := json.Marshal(passwordResetPayload{Email: email})
	if err != nil {
		return err
	}
	_, err = e.c.EnqueueContext(ctx, asynq.NewTask(TypePasswordReset, b), asynq.Queue("default"), asynq.MaxRetry(5), asynq.Timeout(time.Minute))
	if err != nil {
		return fmt.Errorf("queue password reset: %w", err)
	}
	return nil
}

// EnqueueSend queues an outbound message on the critical queue. The task id is the
// message id, so a relay that queues the same message twice creates one task.
func (e *Enqueuer) EnqueueSend(ctx context.Context, job conversation.SendJob) error {
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	_, err = e.c.EnqueueContext(ctx, asynq.NewTask(TypeMessageSend, b), asynq.Queue("critical"), asynq.MaxRetry(SendMaxRetry),
		asynq.Timeout(time.Minute), asynq.TaskID("send:"+job.MessageID.String()))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue message send: %w", err)
	}
	return nil
}

// EnqueueBot queues the bot's answer to a customer message on the critical queue (the
// customer is waiting). The task id is the message id: one answer per message.
func (e *Enqueuer) EnqueueBot(ctx context.Context, job conversation.BotJob) error {
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	_, err = e.c.EnqueueContext(ctx, asynq.NewTask(TypeBotTurn, b), asynq.Queue("critical"), asynq.MaxRetry(5),
		asynq.Timeout(time.Minute), asynq.TaskID("bot:"+job.MessageID.String()))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue bot turn: %w", err)
	}
	return nil
}

// EnqueueRebuild queues a rebuild of a tenant's bot model on the low queue. Changes
// arriving while one is queued or running collapse into it: the task reads the newest
// knowledge when it runs and builds again if the revision moved meanwhile, and nodes
// that find their tenant's model behind its knowledge ask again.
func (e *Enqueuer) EnqueueRebuild(ctx context.Context, tenantID uuid.UUID) error {
	b, err := json.Marshal(rebuildPayload{TenantID: tenantID})
	if err != nil {
		return err
	}
	_, err = e.c.EnqueueContext(ctx, asynq.NewTask(TypeBotRebuild, b), asynq.Queue("low"), asynq.MaxRetry(5),
		asynq.Timeout(5*time.Minute), asynq.TaskID("rebuild:"+tenantID.String()))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue bot rebuild: %w", err)
	}
	return nil
}

type rebuildPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

type passwordResetPayload struct {
	Email string `json:"email"`
}

// Worker processes tasks.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// Deps are the handlers' collaborators.
type Deps struct {
	Redis       redis.UniversalClient
	Mailer      identity.Mailer // the delivery backend
	Identity    *identity.Service
	Logger      *slog.Logger
	Concurrency int
	Shutdown    time.Duration
	// Deliver sends one outbound message; last says no retry follows a failure.
	Deliver func(ctx context.Context, job conversation.SendJob, last bool) error
	// BotTurn lets the bot answer a customer message; Rebuild rebuilds a tenant's
	// bot model from its published knowledge.
	BotTurn func(ctx context.Context, job conversation.BotJob) error
	Rebuild func(ctx context.Context, tenantID uuid.UUID) error
}

// retryDelay backs outbound messages off quickly at first (a provider blip should
// cost seconds, not Asynq's default minutes) and honours a provider's Retry-After;
// other tasks keep Asynq's default curve.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if t.Type() != TypeMessageSend {
		return asynq.DefaultRetryDelayFunc(n, err, t)
	}
	d := time.Second << min(n, 9) // 1 s, 2 s, 4 s … 8.5 min
	if after, ok := sdk.RetryAfter(err); ok && after > d {
		d = after
	}
	if d > 30*time.Minute {
		d = 30 * time.Minute
	}
	return d + time.Duration(rand.Int64N(int64(d/4)+1))
}

// New builds a worker; Start runs it.
func New(d Deps) *Worker {
	log := d.Logger
	srv := asynq.NewServerFromRedisClient(d.Redis, asynq.Config{
		Concurrency:     d.Concurrency,
		Queues:          Queues,
		ShutdownTimeout: d.Shutdown,
		Logger:          asynqLogger{log},
		LogLevel:        asynq.WarnLevel,
		RetryDelayFunc:  retryDelay,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			max, _ := asynq.GetMaxRetry(ctx)
			log.WarnContext(ctx, "task failed", "type", t.Type(), "retry", retried, "max_retry", max, "err", err)
		}),
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeMailSend, func(ctx context.Context, t *asynq.Task) error {
		var m identity.Mail
		if err := json.Unmarshal(t.Payload(), &m); err != nil {
			return fmt.Errorf("decode %s: %v: %w", TypeMailSend, err, asynq.SkipRetry)
		}
		return d.Mailer.Send(ctx, m)
	})
	mux.HandleFunc(TypePasswordReset, func(ctx context.Context, t *asynq.Task) error {
		var p passwordResetPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s: %v: %w", TypePasswordReset, err, asynq.SkipRetry)
		}
		return d.Identity.SendPasswordReset(ctx, p.Email)
	})
	mux.HandleFunc(TypeMessageSend, func(ctx context.Context, t *asynq.Task) error {
		var job conversation.SendJob
		if err := json.Unmarshal(t.Payload(), &job); err != nil {
			return fmt.Errorf("decode %s: %v: %w", TypeMessageSend, err, asynq.SkipRetry)
		}
		if d.Deliver == nil {
			return fmt.Errorf("no message sender in this process")
		}
		retried, _ := asynq.GetRetryCount(ctx)
		max, _ := asynq.GetMaxRetry(ctx)
		return d.Deliver(ctx, job, retried >= max)
	})
	mux.HandleFunc(TypeBotTurn, func(ctx context.Context, t *asynq.Task) error {
		var job conversation.BotJob
		if err := json.Unmarshal(t.Payload(), &job); err != nil {
			return fmt.Errorf("decode %s: %v: %w", TypeBotTurn, err, asynq.SkipRetry)
		}
		if d.BotTurn == nil {
			return fmt.Errorf("no bot in this process")
		}
		return d.BotTurn(ctx, job)
	})
	mux.HandleFunc(TypeBotRebuild, func(ctx context.Context, t *asynq.Task) error {
		var p rebuildPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("decode %s: %v: %w", TypeBotRebuild, err, asynq.SkipRetry)
		}
		if d.Rebuild == nil {
			return fmt.Errorf("no bot in this process")
		}
		return d.Rebuild(ctx, p.TenantID)
	})
	return &Worker{srv: srv, mux: mux}
}

// Start begins processing in the background.
func (w *Worker) Start() error { return w.srv.Start(w.mux) }

// Stop finishes in-flight tasks (up to the shutdown timeout) and returns the rest to
// pending.
func (w *Worker) Stop() { w.srv.Shutdown() }

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
