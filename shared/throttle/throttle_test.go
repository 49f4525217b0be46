package throttle_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

func TestFailuresAreSlowedThenLockedThenForgotten(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	policy := throttle.Policy{Free: 2, Lock: 5, LockFor: time.Hour, Window: time.Hour}
	in := func(fn func(tx pgx.Tx) error) {
		t.Helper()
		if err := db.PlatformTx(ctx, d.App, fn); err != nil {
			t.Fatal(err)
		}
	}
	// Failure n locks the key for: nothing, nothing, 1s, 2s, then the hour.
	wantLock := []time.Duration{0, 0, time.Second, 2 * time.Second, time.Hour}
	for n, want := range wantLock {
		var until time.Time
		in(func(tx pgx.Tx) (err error) { until, err = throttle.Fail(ctx, tx, "k", policy); return err })
		got := time.Until(until)
		if want == 0 && !until.IsZero() || want != 0 && (got > want || got < want-5*time.Second) {
			t.Fatalf("failure %d locks for %v, want %v", n+1, got, want)
		}
	}
	var locked time.Time
	in(func(tx pgx.Tx) (err error) { locked, err = throttle.Locked(ctx, tx, "other", "k"); return err })
	if time.Until(locked) < 59*time.Minute {
		t.Fatalf("Locked = %v, want the hour's lock of k", locked)
	}
	in(func(tx pgx.Tx) error { return throttle.Succeed(ctx, tx, "k") })
	in(func(tx pgx.Tx) (err error) { locked, err = throttle.Locked(ctx, tx, "k"); return err })
	if !locked.IsZero() {
		t.Fatal("a success did not lift the lock")
	}
	// Failures older than the window are forgotten: the count starts again.
	in(func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES ('old', 9, now() - interval '2 hours')`)
		return err
	})
	var until time.Time
	in(func(tx pgx.Tx) (err error) { until, err = throttle.Fail(ctx, tx, "old", policy); return err })
	if !until.IsZero() {
		t.Fatalf("a failure after the window locked until %v", until)
	}
	// Stale keys of others are deleted (they hold addresses); locked ones stay.
	in(func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO auth_throttle (key, failures, last_failure_at, locked_until) VALUES
			('signin:ip:203.0.113.9', 2, now() - interval '2 hours', NULL),
			('signin:ip:203.0.113.10', 9, now() - interval '2 hours', now() + interval '1 hour')`)
		return err
	})
	in(func(tx pgx.Tx) error { _, err := throttle.Fail(ctx, tx, "another", policy); return err })
	var keys []string
	in(func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT key FROM auth_throttle ORDER BY key`)
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if slices.Contains(keys, "signin:ip:203.0.113.9") || !slices.Contains(keys, "signin:ip:203.0.113.10") {
		t.Fatalf("keys after a failure: %v, want the stale unlocked one gone and the locked one kept", keys)
	}
}

// A policy without a lock only slows a key down, never for longer than its
// cap, however many failures come.
func TestPolicyWithoutLockOnlySlows(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	policy := throttle.Policy{Free: 2, MaxDelay: 8 * time.Second, Window: time.Hour}
	wantDelay := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for range 40 {
		wantDelay = append(wantDelay, 8*time.Second)
	}
	for n, want := range wantDelay {
		var until time.Time
		if err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) (err error) { until, err = throttle.Fail(ctx, tx, "office", policy); return err }); err != nil {
			t.Fatal(err)
		}
		got := time.Until(until)
		if want == 0 && !until.IsZero() || want != 0 && (got > want || got < want-5*time.Second) {
			t.Fatalf("failure %d delays %v, want %v", n+1, got, want)
		}
	}
}
