package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// The command, built and run as an operator would, against a database with
// two chains of which one may have been tampered with.
func TestVerifyCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "audit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		name     string
		tampered bool
		args     func(good, bad uuid.UUID) []string
		wantExit int
		want     func(good, bad uuid.UUID) []string
	}{
		{
			name:     "untouched",
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 0,
			want: func(good, bad uuid.UUID) []string {
				return []string{good.String() + "  4 rows  ok", bad.String() + "  4 rows  ok"}
			},
		},
		{
			name:     "tampered",
			tampered: true,
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 1,
			want: func(good, bad uuid.UUID) []string {
				return []string{
					good.String() + "  4 rows  ok",
					bad.String() + "  4 rows  BROKEN at seq 2: hash does not match the row's contents",
					fmt.Sprintf("audit: chain %s is broken at seq 2", bad),
				}
			},
		},
		{
			name:     "tampered, the broken chain only",
			tampered: true,
			args:     func(_, bad uuid.UUID) []string { return []string{"verify", "-institution", bad.String()} },
			wantExit: 1,
			want: func(_, bad uuid.UUID) []string {
				return []string{fmt.Sprintf("audit: chain %s is broken at seq 2", bad)}
			},
		},
		{
			name:     "tampered, another chain only",
			tampered: true,
			args:     func(good, _ uuid.UUID) []string { return []string{"verify", "-institution", good.String()} },
			wantExit: 0,
			want:     func(good, _ uuid.UUID) []string { return []string{good.String() + "  4 rows  ok"} },
		},
		{
			name:     "not a UUID",
			args:     func(_, _ uuid.UUID) []string { return []string{"verify", "-institution", "nope"} },
			wantExit: 1,
			want:     func(_, _ uuid.UUID) []string { return []string{`-institution "nope" is not a UUID`} },
		},
		{
			name:     "no subcommand",
			args:     func(_, _ uuid.UUID) []string { return nil },
			wantExit: 1,
			want:     func(_, _ uuid.UUID) []string { return []string{"usage: audit verify"} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.New(t)
			good, bad := uuid.New(), uuid.New()
			for _, inst := range []uuid.UUID{good, bad} {
				for i := range 4 {
					err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
						_, err := audit.Append(t.Context(), tx, audit.Entry{
							Institution: inst, ActorID: uuid.New(), ActorKind: audit.ActorStaff,
							Action: "account.cnp.read", ObjectType: "account", ObjectID: fmt.Sprint(i),
						})
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if tt.tampered {
				err := pgx.BeginFunc(t.Context(), d.Owner, func(tx pgx.Tx) error {
					if _, err := tx.Exec(t.Context(), "SET LOCAL session_replication_role = replica"); err != nil {
						return err
					}
					_, err := tx.Exec(t.Context(), "UPDATE audit_log SET object_id = 'other' WHERE institution_id = $1 AND seq = 2", bad)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}

			args := tt.args(good, bad)
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "DATABASE_URL="+d.AppURL, "GHISEU_DATA="+t.TempDir())
			out, err := cmd.CombinedOutput()
			exit := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				exit = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			t.Logf("audit %s: exit %d\n%s", strings.Join(args, " "), exit, out)
			if exit != tt.wantExit {
				t.Errorf("exit status %d, want %d\n%s", exit, tt.wantExit, out)
			}
			for _, w := range tt.want(good, bad) {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
