// Package ratelimit counts failures in fixed windows in Redis (or the embedded
// Redis-compatible server), so every kefu node sees the same counts.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter blocks a key once it has failed Limit times within Window.
type Limiter struct {
	Client redis.UniversalClient
	Prefix string
}

// Rule is a limit for one kind of key.
type Rule struct {
	Name   string
	Limit  int64
	Window time.Duration
}

// Blocked reports whether key has reached the rule's limit, and for how long it stays
// blocked. Keys are expected to be hashed by the caller when they contain PII.
func (l *Limiter) Blocked(ctx context.Context, r Rule, key string) (time.Duration, error) {
	k := l.key(r, key)
	n, err := l.Client.Get(ctx, k).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("ratelimit %s: %w", r.Name, err)
	}
	if n < r.Limit {
		return 0, nil
	}
	ttl, err := l.Client.PTTL(ctx, k).Result()
	if err != nil {
		return 0, fmt.Errorf("ratelimit %s: %w", r.Name, err)
	}
	if ttl <= 0 {
		ttl = time.Second
	}
	return ttl, nil
}

// Hit counts one event for key; the window starts at the first event.
func (l *Limiter) Hit(ctx context.Context, r Rule, key string) error {
	k := l.key(r, key)
	pipe := l.Client.TxPipeline()
	pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, r.Window)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("ratelimit %s: %w", r.Name, err)
	}
	return nil
}

// Reset forgets key's count (after a successful login, for the account key).
func (l *Limiter) Reset(ctx context.Context, r Rule, key string) error {
	return l.Client.Del(ctx, l.key(r, key)).Err()
}

func (l *Limiter) key(r Rule, key string) string {
	return l.Prefix + "rl:" + r.Name + ":" + key
}
