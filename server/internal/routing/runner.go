package routing

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBusy is what Runner.Route returns when its queue is full: the outbox keeps the
// job for its sweep, and the runner's own sweep serves the queue meanwhile.
var ErrBusy = errors.New("routing: runner busy")

// Runner runs routing jobs on this node's goroutines, off the committing goroutine
// that woke them, and sweeps every waiting queue periodically. Jobs are handed over in
// memory: a crash loses only triggers, and the sweep makes up for them.
type Runner struct {
	Service *Service
	// Workers (default 2) and Queue (default 4096) bound the work in flight.
	Workers, Queue int
	// SweepEvery is how often every waiting queue is served (default 5 s).
	SweepEvery time.Duration
	// Consoles, when set, is where agents' consoles beat; with it, an agent none of
	// whose consoles has shown a sign of life for AwayAfter (default 2 min) turns away.
	Consoles  Consoles
	AwayAfter time.Duration

	jobs chan Job
	stop chan struct{}
	wg   sync.WaitGroup
}

// Start runs the runner until Close.
func (r *Runner) Start() {
	if r.Workers <= 0 {
		r.Workers = 2
	}
	if r.Queue <= 0 {
		r.Queue = 4096
	}
	if r.SweepEvery <= 0 {
		r.SweepEvery = 5 * time.Second
	}
	if r.AwayAfter <= 0 {
		r.AwayAfter = 2 * time.Minute
	}
	r.jobs, r.stop = make(chan Job, r.Queue), make(chan struct{})
	for i := 0; i < r.Workers; i++ {
		r.wg.Add(1)
		go r.work()
	}
	r.wg.Add(1)
	go r.sweep()
}

// Route implements outbox.Router.
func (r *Runner) Route(_ context.Context, j Job) error {
	if r.jobs == nil {
		return ErrBusy
	}
	select {
	case r.jobs <- j:
		return nil
	default:
		return ErrBusy
	}
}

// Close stops the workers after the jobs in hand.
func (r *Runner) Close() {
	if r.stop == nil {
		return
	}
	close(r.stop)
	r.wg.Wait()
}

func (r *Runner) work() {
	defer r.wg.Done()
	for {
		select {
		case <-r.stop:
			return
		case j := <-r.jobs:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := r.Service.Handle(ctx, j); err != nil {
				r.Service.log().Warn("routing: job failed; the sweep retries", "tenant_id", j.TenantID, "err", err)
			}
			cancel()
		}
	}
}

func (r *Runner) sweep() {
	defer r.wg.Done()
	t := time.NewTicker(r.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if r.Consoles != nil {
				if err := r.Service.AwayWhenGone(ctx, r.Consoles, r.AwayAfter); err != nil {
					r.Service.log().Warn("routing: console presence sweep failed", "err", err)
				}
			}
			if err := r.Service.Sweep(ctx); err != nil {
				r.Service.log().Warn("routing: sweep failed", "err", err)
			}
			cancel()
		}
	}
}
