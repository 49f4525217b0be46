// Package db opens the PostgreSQL pool and runs transactions in the scope that
// row-level security needs: one institution (a tenant), or the whole platform.
package db

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolConfig is the database part of a function's configuration. DATABASE_URL
// names the application role (ghiseu_app), which owns no table, so row-level
// security applies to every query a function makes.
type PoolConfig struct {
	DatabaseURL string `envconfig:"DATABASE_URL" required:"true"`
	MaxConns    int32  `envconfig:"DATABASE_MAX_CONNS" default:"4"`
}

// Open returns a pool. It does not wait for the server: a function starts while
// the database is down and reports not-ready until it answers.
func Open(ctx context.Context, cfg PoolConfig) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		// The parse error may echo the URL with its password; say only what it is.
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	return pool, nil
}

// Ping is a readiness check: the database answers.
func Ping(pool *pgxpool.Pool) func(context.Context) error {
	return func(ctx context.Context) error { return pool.Ping(ctx) }
}

// Beginner starts transactions; *pgxpool.Pool and pgx.Tx both are one.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Scope is who a transaction acts for; row-level security reads it. Either
// part may be uuid.Nil: a citizen acts for an account and no institution.
type Scope struct {
	Institution uuid.UUID
	Account     uuid.UUID
}

// ScopedTx runs fn in a transaction that sees only what scope may see.
func ScopedTx(ctx context.Context, b Beginner, scope Scope, fn func(pgx.Tx) error) error {
	// A pool begins and sets the scope in one round trip: registration
	// holds the register's counter for a few round trips per transaction, so
	// each one saved shows in its throughput (BENCHMARKS.md). The ids are
	// inlined, which is safe: a uuid.UUID prints as hex digits and dashes
	// only; the simple protocol that BEGIN uses allows the two statements.
	if tb, ok := b.(interface {
		BeginTx(context.Context, pgx.TxOptions) (pgx.Tx, error)
	}); ok {
		begin := "BEGIN; SELECT set_config('ghiseu.institution_id', '" + orEmpty(scope.Institution) +
			"', true), set_config('ghiseu.account_id', '" + orEmpty(scope.Account) + "', true)"
		return pgx.BeginTxFunc(ctx, tb, pgx.TxOptions{BeginQuery: begin}, fn)
	}
	// Inside another transaction (a savepoint), the settings are made apart.
	return pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('ghiseu.institution_id', $1, true), set_config('ghiseu.account_id', $2, true)",
			orEmpty(scope.Institution), orEmpty(scope.Account)); err != nil {
			return fmt.Errorf("set scope: %w", err)
		}
		return fn(tx)
	})
}

func orEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// TenantTx runs fn in a transaction that sees only the rows of institution:
// the row-level security policies read the setting made here. It commits when
// fn returns nil and rolls back otherwise.
func TenantTx(ctx context.Context, b Beginner, institution uuid.UUID, fn func(pgx.Tx) error) error {
	if institution == uuid.Nil {
		return fmt.Errorf("tenant transaction: no institution")
	}
	return ScopedTx(ctx, b, Scope{Institution: institution}, fn)
}

// PlatformTx runs fn in a transaction that sees every institution's rows. Only
// platform jobs use it (outbox relay, dead letters, backup), never a handler
// acting for a caller.
func PlatformTx(ctx context.Context, b Beginner, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, b, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('ghiseu.scope', 'platform', true)"); err != nil {
			return fmt.Errorf("set platform scope: %w", err)
		}
		return fn(tx)
	})
}

// Snapshot begins read-only REPEATABLE READ transactions: whatever they
// read comes from one snapshot, so writes committed meanwhile are not seen
// half (verifying an audit chain's head and its rows, say).
type Snapshot struct{ Pool *pgxpool.Pool }

// Begin starts a snapshot transaction.
func (s Snapshot) Begin(ctx context.Context) (pgx.Tx, error) {
	return s.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
}
