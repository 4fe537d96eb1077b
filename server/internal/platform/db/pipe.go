package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kefu-io/kefu/tenants"
)

// Pipe is a PostgreSQL transaction for the hottest write path (group commit of inbound
// messages), where round trips, not statements, cost the most: BEGIN and the tenant
// scope travel with the first statement and COMMIT with the last, so a transaction of
// two statements is two round trips instead of five. Its statements are raw SQL; like
// every raw statement they name the tenant themselves, on top of row-level security.
type Pipe struct {
	conn        *pgx.Conn
	scope       [2]string
	lockTimeout string
	begun       bool
	closed      bool // committed, or rolled back by the server
}

// Pipeline runs fn in a Pipe on one connection, in the context's tenant scope. fn
// commits with its last statement (QueryCommit); if it returns nil without having
// committed, the transaction is committed here; if it returns an error, rolled back.
// A connection left in any doubt is closed, not returned to the pool. lockTimeout
// (when positive) bounds each wait for a row lock: a statement that waits longer fails
// with SQLSTATE 55P03, so a caller serving many tenants in turn is never held up for
// long by one tenant's locked row.
func (d *DB) Pipeline(ctx context.Context, lockTimeout time.Duration, fn func(ctx context.Context, p *Pipe) error) error {
	if d.dialect != Postgres {
		return errors.New("pipeline: PostgreSQL only")
	}
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return errors.New("pipeline: cannot join an outer transaction")
	}
	p := &Pipe{lockTimeout: "0"}
	if lockTimeout > 0 {
		p.lockTimeout = strconv.FormatInt(max(lockTimeout.Milliseconds(), 1), 10)
	}
	if t, _ := tenants.FromContext(ctx); t != uuid.Nil {
		p.scope[0] = t.String()
	}
	if u, _ := tenants.UserFromContext(ctx); u != uuid.Nil {
		p.scope[1] = u.String()
	}
	if p.scope == [2]string{} {
		return errors.New("pipeline: no tenant or user in scope")
	}
	c, err := d.sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: connection: %w", err)
	}
	defer c.Close()
	var fnErr error
	err = c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline: driver connection %T is not pgx", dc)
		}
		p.conn = sc.Conn()
		fnErr = fn(ctx, p)
		if fnErr == nil && p.begun && !p.closed {
			tag, err := p.conn.Exec(ctx, "COMMIT")
			switch {
			case err != nil:
				fnErr = fmt.Errorf("pipeline: commit: %w", err)
			case tag.String() != "COMMIT":
				p.closed = true
				fnErr = errors.New("pipeline: the transaction had failed and was rolled back")
			default:
				p.closed = true
			}
		}
		if p.begun && !p.closed {
			// Rolled back here, or the connection goes: it must not return to the pool
			// inside a transaction, least of all in this tenant's scope.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
			_, err := p.conn.Exec(rctx, "ROLLBACK")
			cancel()
			if err != nil {
				return driver.ErrBadConn
			}
		}
		if p.conn.IsClosed() || p.conn.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		return err
	}
	return nil
}

// rollbackTimeout bounds the ROLLBACK after a failed or cancelled batch; past it the
// connection is dropped instead.
const rollbackTimeout = 5 * time.Second

// Query runs one statement and hands each row to scan.
func (p *Pipe) Query(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	return p.run(ctx, false, query, args, scan)
}

// QueryCommit runs the transaction's last statement and commits in the same round
// trip. If the statement fails, the server skips the COMMIT and Pipeline rolls back.
func (p *Pipe) QueryCommit(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	return p.run(ctx, true, query, args, scan)
}

func (p *Pipe) run(ctx context.Context, commit bool, query string, args []any, scan func(pgx.Rows) error) (err error) {
	if p.closed {
		return errors.New("pipeline: transaction already ended")
	}
	b := &pgx.Batch{}
	prefix := 0
	if !p.begun {
		b.Queue("BEGIN")
		b.Queue("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('lock_timeout', $3, true)",
			p.scope[0], p.scope[1], p.lockTimeout)
		prefix = 2
	}
	b.Queue(query, args...)
	if commit {
		b.Queue("COMMIT")
	}
	br := p.conn.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = cerr
		}
		// Whatever failed, the BEGIN was sent: from here on the transaction is ours to end.
		p.begun = true
	}()
	for i := 0; i < prefix; i++ {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("pipeline: begin: %w", err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	for rows.Next() {
		if scan != nil {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if commit {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("pipeline: commit: %w", err)
		}
		p.closed = true
		if tag.String() != "COMMIT" {
			return errors.New("pipeline: the transaction had failed and was rolled back")
		}
	}
	return nil
}

// LockNotAvailable is the SQLSTATE of a statement that gave up waiting for a lock.
const LockNotAvailable = "55P03"

// SQLState is a PostgreSQL error's code ("" for other errors).
func SQLState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
