// Package redisx connects to Redis, or runs an in-process Redis-compatible server
// (miniredis) for the embedded mode, so Asynq, rate limits and pub/sub work on a laptop
// with nothing installed.
package redisx

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Embedded is an in-process Redis-compatible server.
type Embedded struct {
	srv  *miniredis.Miniredis
	stop chan struct{}
	wg   sync.WaitGroup
}

// tick is how often the embedded server's clock advances. miniredis only moves time
// on FastForward, so without this TTLs (rate-limit windows, Asynq unique locks and
// leases) would never expire.
const tick = 250 * time.Millisecond

// StartEmbedded starts the server on a loopback port.
func StartEmbedded() (*Embedded, error) {
	srv, err := miniredis.Run()
	if err != nil {
		return nil, fmt.Errorf("start embedded redis: %w", err)
	}
	e := &Embedded{srv: srv, stop: make(chan struct{})}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		t := time.NewTicker(tick)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-e.stop:
				return
			case now := <-t.C:
				srv.FastForward(now.Sub(last))
				srv.SetTime(now)
				last = now
			}
		}
	}()
	return e, nil
}

// URL is the server's redis:// address.
func (e *Embedded) URL() string { return "redis://" + e.srv.Addr() + "/0" }

// Close stops the server.
func (e *Embedded) Close() {
	close(e.stop)
	e.wg.Wait()
	e.srv.Close()
}

// Connect opens a client for url and checks it answers.
func Connect(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("connect to redis at %s: %w", opt.Addr, err)
	}
	return c, nil
}
