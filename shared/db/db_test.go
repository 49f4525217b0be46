package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// Row-level security isolates institutions even when a query forgets to
// filter: the standard policy from enable_tenant_isolation, on a table made
// for this test, read through the application role.
func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if _, err := d.Owner.Exec(ctx, `
		CREATE TABLE note (institution_id uuid NOT NULL, id int NOT NULL, body text, PRIMARY KEY (institution_id, id));
		CALL enable_tenant_isolation('note');
		GRANT SELECT, INSERT, UPDATE, DELETE ON note TO ghiseu_app;`); err != nil {
		t.Fatal(err)
	}
	a, b := uuid.New(), uuid.New()
	for i, inst := range []uuid.UUID{a, b} {
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO note VALUES ($1, $2, 'x')", inst, i)
			return err
		})
		if err != nil {
			t.Fatalf("insert for own institution: %v", err)
		}
	}

	count := func(run func(context.Context, db.Beginner, func(pgx.Tx) error) error) (n int) {
		t.Helper()
		if err := run(ctx, d.App, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM note").Scan(&n) // no WHERE on purpose
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	inA := func(ctx context.Context, b db.Beginner, fn func(pgx.Tx) error) error {
		return db.TenantTx(ctx, b, a, fn)
	}
	noScope := func(ctx context.Context, b db.Beginner, fn func(pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, b, fn)
	}

	tests := []struct {
		name string
		run  func(context.Context, db.Beginner, func(pgx.Tx) error) error
		want int
	}{
		{"tenant sees only its rows", inA, 1},
		{"platform scope sees all", db.PlatformTx, 2},
		{"no scope sees nothing", noScope, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.run); got != tt.want {
				t.Fatalf("count = %d, want %d", got, tt.want)
			}
		})
	}

	t.Run("tenant cannot write another's rows", func(t *testing.T) {
		err := db.TenantTx(ctx, d.App, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO note VALUES ($1, 9, 'x')", b)
			return err
		})
		if err == nil {
			t.Fatal("insert of another institution's row succeeded")
		}
		var n int64
		_ = db.TenantTx(ctx, d.App, a, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "UPDATE note SET body = 'y'")
			n = tag.RowsAffected()
			return err
		})
		if n != 1 {
			t.Fatalf("update without filter touched %d rows, want only the institution's 1", n)
		}
	})

	t.Run("application role owns nothing", func(t *testing.T) {
		_, err := d.App.Exec(ctx, "ALTER TABLE note DISABLE ROW LEVEL SECURITY")
		if err == nil {
			t.Fatal("the application role could turn row-level security off")
		}
	})

	t.Run("tenant transaction needs an institution", func(t *testing.T) {
		err := db.TenantTx(ctx, d.App, uuid.Nil, func(pgx.Tx) error { return nil })
		if err == nil {
			t.Fatal("TenantTx accepted no institution")
		}
	})

	t.Run("error rolls back", func(t *testing.T) {
		boom := errors.New("boom")
		err := db.TenantTx(ctx, d.App, a, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO note VALUES ($1, 7, 'half')", a); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if got := count(inA); got != 1 {
			t.Fatalf("rows after rollback = %d, want 1", got)
		}
	})
}
