package access_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// Who must set up a second factor: staff holding an administrative
// permission in an institution that kept the default, and every staff
// member of one that asks it of all.
func TestSecondFactorRequired(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	strict, relaxed, all := uuid.New(), uuid.New(), uuid.New()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := d.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO institution (id, cif, name) VALUES ($1, '1', 'Implicită')`, strict)
	exec(`INSERT INTO institution (id, cif, name, require_admin_mfa) VALUES ($1, '2', 'Relaxată', false)`, relaxed)
	exec(`INSERT INTO institution (id, cif, name, require_staff_mfa, require_admin_mfa) VALUES ($1, '3', 'Toți', true, false)`, all)
	tests := []struct {
		name        string
		institution uuid.UUID
		role        string
		validFrom   string
		revoked     bool
		want        bool
	}{
		{"an administrator", strict, "administrator", "2025-01-01", false, true},
		{"a clerk", strict, "clerk", "2025-01-01", false, false},
		{"an auditor: reading the trail is not administering", strict, "auditor", "2025-01-01", false, false},
		{"a registrar", strict, "registrar", "2025-01-01", false, false},
		{"an administrator from a day far ahead", strict, "administrator", "2999-01-01", false, false},
		{"a revoked administrator", strict, "administrator", "2025-01-01", true, false},
		{"an administrator where it was relaxed", relaxed, "administrator", "2025-01-01", false, false},
		{"a clerk where all staff need one", all, "clerk", "2025-01-01", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := uuid.New()
			exec(`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, $3, 'X')`,
				id, tt.institution, id.String()+"@x.ro")
			exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason, revoked_at)
				VALUES ($1, $2, $3, $4, $5, 'x', CASE WHEN $6 THEN now() END)`, tt.institution, uuid.New(), id, tt.role, tt.validFrom, tt.revoked)
			var got bool
			err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) (err error) {
				got, err = access.SecondFactorRequired(ctx, tx, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("SecondFactorRequired = %v, want %v", got, tt.want)
			}
		})
	}
}

// The administrative permissions are the ones that change who may do what,
// how the institution is set up, or reach every tenant's data: changing
// this list changes who needs a second factor by default.
func TestAdministrativePermissions(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	var got []string
	rows, err := d.Owner.Query(ctx, `SELECT code FROM permission WHERE administrative ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	want := []string{"backup.manage", "departments.manage", "institutions.manage", "machineclients.manage",
		"notifications.manage", "registry.configure", "requests.types.manage", "roles.assign", "users.manage"}
	if len(got) != len(want) {
		t.Fatalf("administrative permissions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("administrative permissions %v, want %v", got, want)
		}
	}
}
