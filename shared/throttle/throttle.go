// Package throttle slows down and then locks repeated failures (sign-in,
// second factor, client credentials) by key: an account's address, a
// caller's IP. The state is in PostgreSQL so every instance of a function
// shares it.
package throttle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Policy says how failures are answered.
type Policy struct {
	// Free is how many failures pass without delay.
	Free int
	// Lock is after how many failures the key is locked for LockFor; between
	// Free and Lock each failure locks the key for 1s, 2s, 4s... up to
	// MaxDelay. Zero never locks: the key is only ever slowed down, which
	// is what a key many people share (an office's address behind NAT)
	// needs.
	Lock    int
	LockFor time.Duration
	// MaxDelay caps the growing delays (zero: LockFor).
	MaxDelay time.Duration
	// Window: failures older than this (since the last one) are forgotten.
	Window time.Duration
}

// delay is how long failure number failures locks the key for.
func (p Policy) delay(failures int) time.Duration {
	limit := p.MaxDelay
	if limit == 0 {
		limit = p.LockFor
	}
	switch {
	case p.Lock > 0 && failures >= p.Lock:
		return p.LockFor
	case failures > p.Free:
		// Past 2^20 seconds the shift would only overflow.
		return min(time.Second<<min(failures-p.Free-1, 20), limit)
	}
	return 0
}

// Check reports until when key is locked (zero time: it is not). It runs
// in the caller's transaction, in platform scope.
func Check(ctx context.Context, tx pgx.Tx, key string) (time.Time, error) {
	var until *time.Time
	err := tx.QueryRow(ctx, `SELECT locked_until FROM auth_throttle WHERE key = $1 AND locked_until > now()`, key).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", key, err)
	}
	return *until, nil
}

// Locked reports the latest time until which any of keys is locked (zero
// time: none is).
func Locked(ctx context.Context, tx pgx.Tx, keys ...string) (time.Time, error) {
	var latest time.Time
	for _, key := range keys {
		until, err := Check(ctx, tx, key)
		if err != nil {
			return time.Time{}, err
		}
		if until.After(latest) {
			latest = until
		}
	}
	return latest, nil
}

// Fail records a failure of key and returns until when it is now locked.
func Fail(ctx context.Context, tx pgx.Tx, key string, p Policy) (time.Time, error) {
	// Forget what is past its window and no longer locked: the keys hold
	// addresses, which are personal data, kept no longer than needed.
	if _, err := tx.Exec(ctx, `DELETE FROM auth_throttle
		WHERE last_failure_at < now() - $1::interval AND (locked_until IS NULL OR locked_until < now())`, p.Window); err != nil {
		return time.Time{}, fmt.Errorf("throttle: forget old failures: %w", err)
	}
	var failures int
	err := tx.QueryRow(ctx, `
		INSERT INTO auth_throttle AS t (key, failures) VALUES ($1, 1)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN t.last_failure_at < now() - $2::interval THEN 1 ELSE t.failures + 1 END,
			first_failure_at = CASE WHEN t.last_failure_at < now() - $2::interval THEN now() ELSE t.first_failure_at END,
			last_failure_at = now()
		RETURNING failures`, key, p.Window).Scan(&failures)
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", key, err)
	}
	lock := p.delay(failures)
	if lock == 0 {
		return time.Time{}, nil
	}
	var until time.Time
	if err := tx.QueryRow(ctx, `UPDATE auth_throttle SET locked_until = now() + $2::interval WHERE key = $1 RETURNING locked_until`,
		key, lock).Scan(&until); err != nil {
		return time.Time{}, fmt.Errorf("throttle %s: %w", key, err)
	}
	return until, nil
}

// Succeed forgets key's failures.
func Succeed(ctx context.Context, tx pgx.Tx, key string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM auth_throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("throttle %s: %w", key, err)
	}
	return nil
}
