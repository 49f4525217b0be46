package access_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// Row-level security holds even when a handler forgets its filter: every
// query here has no WHERE on the tenant or the account, runs as the
// functions' role, and still sees only what its scope may see.
func TestRowLevelSecurityWithoutFilters(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	instA, instB := uuid.New(), uuid.New()
	staffA, staffB, citizen1, citizen2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := d.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO institution (id, cif, name) VALUES ($1, '1', 'A'), ($2, '2', 'B')`, instA, instB)
	exec(`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES
		($1, 'staff', $3, 'a@a.ro', 'A'), ($2, 'staff', $4, 'b@b.ro', 'B')`, staffA, staffB, instA, instB)
	exec(`INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', 'c1@x.ro', 'C1'), ($2, 'person', 'c2@x.ro', 'C2')`, citizen1, citizen2)
	exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES
		($1, gen_random_uuid(), $2, 'clerk', $5::date, 'x'), ($3, gen_random_uuid(), $4, 'clerk', $5::date, 'x')`, instA, staffA, instB, staffB, dbtest.Day(0))
	exec(`INSERT INTO machine_credential (account_id, institution_id, client_id, secret_hash) VALUES ($1, $2, 'mc_a', 'h'), ($3, $4, 'mc_b', 'h')`,
		staffA, instA, staffB, instB)
	exec(`INSERT INTO email_token (token_hash, account_id, purpose, expires_at) VALUES ('\x01', $1, 'verify_email', now() + interval '1 day')`, citizen1)
	exec(`INSERT INTO auth_throttle (key) VALUES ('signin:email:c1@x.ro')`)
	for _, acc := range []uuid.UUID{staffA, staffB, citizen1, citizen2} {
		err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) error {
			_, _, err := access.OpenSession(ctx, tx, access.NewSession{Account: acc, Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, inst := range []uuid.UUID{instA, instB} {
		err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) error {
			_, err := audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorKind: audit.ActorSystem, Action: "test"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	tenantA := db.Scope{Institution: instA, Account: staffA}
	citizenScope := db.Scope{Account: citizen1}
	tests := []struct {
		scope db.Scope
		query string
		want  string // the rows seen, as text
	}{
		{tenantA, `SELECT string_agg(email, ',' ORDER BY email) FROM account`, "a@a.ro"},
		{tenantA, `SELECT string_agg(institution_id::text, ',') FROM role_assignment`, instA.String()},
		{tenantA, `SELECT string_agg(client_id, ',') FROM machine_credential`, "mc_a"},
		{tenantA, `SELECT string_agg(account_id::text, ',') FROM session`, staffA.String()},
		{tenantA, `SELECT string_agg(DISTINCT institution_id::text, ',') FROM audit_log`, instA.String()},
		{tenantA, `SELECT count(*)::text FROM email_token`, "0"},
		{tenantA, `SELECT count(*)::text FROM auth_throttle`, "0"},
		{citizenScope, `SELECT string_agg(email, ',') FROM account`, "c1@x.ro"},
		{citizenScope, `SELECT string_agg(account_id::text, ',') FROM session`, citizen1.String()},
		{citizenScope, `SELECT count(*)::text FROM role_assignment`, "0"},
		{citizenScope, `SELECT count(*)::text FROM machine_credential`, "0"},
		{citizenScope, `SELECT count(*)::text FROM audit_log`, "0"},
		{db.Scope{}, `SELECT count(*)::text FROM account`, "0"},
		{db.Scope{}, `SELECT count(*)::text FROM session`, "0"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v %s", tt.scope, tt.query), func(t *testing.T) {
			var got *string
			if err := db.ScopedTx(ctx, d.App, tt.scope, func(tx pgx.Tx) error { return tx.QueryRow(ctx, tt.query).Scan(&got) }); err != nil {
				t.Fatal(err)
			}
			if got == nil || *got != tt.want {
				t.Fatalf("saw %v, want %q", deref(got), tt.want)
			}
		})
	}

	writes := []struct {
		scope db.Scope
		stmt  string
		want  int64 // rows changed
	}{
		{tenantA, `UPDATE account SET display_name = 'x'`, 1},
		{tenantA, `UPDATE role_assignment SET revoked_at = now()`, 1},
		{tenantA, `UPDATE session SET revoked_at = now()`, 1},
		{citizenScope, `UPDATE account SET display_name = 'x'`, 1},
		{citizenScope, `UPDATE session SET revoked_at = now()`, 1},
		{tenantA, `UPDATE institution SET name = 'x'`, 1},
	}
	for _, tt := range writes {
		t.Run(fmt.Sprintf("%v %s", tt.scope, tt.stmt), func(t *testing.T) {
			var n int64
			err := db.ScopedTx(ctx, d.App, tt.scope, func(tx pgx.Tx) error {
				tag, err := tx.Exec(ctx, tt.stmt)
				if err != nil {
					return err
				}
				n = tag.RowsAffected()
				return errRollback // leave the rows as they were
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Fatalf("changed %d rows, want only the scope's %d", n, tt.want)
			}
		})
	}

	t.Run("a tenant cannot write rows of another", func(t *testing.T) {
		err := db.ScopedTx(ctx, d.App, tenantA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason)
				VALUES ($1, gen_random_uuid(), $2, 'administrator', $3::date, 'x')`, instB, staffB, dbtest.Day(0))
			return err
		})
		if err == nil {
			t.Fatal("institution A granted a role in institution B")
		}
	})
}

var errRollback = errors.New("roll back")

func deref(s *string) string {
	if s == nil {
		return "<nothing>"
	}
	return *s
}
