package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
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
		// anchored: the heads are anchored before any tampering; cut: then
		// a superuser deletes the bad chain's rows 3 and 4 and moves its
		// head back to row 2; s3: the command is given the anchors' bucket.
		anchored, cut, s3 bool
		args              func(good, bad uuid.UUID) []string
		wantExit          int
		want              func(good, bad uuid.UUID) []string
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
			name:     "anchored, untouched",
			anchored: true, s3: true,
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 0,
			want: func(good, bad uuid.UUID) []string {
				return []string{"(taken 2026-12-08T01:00:00Z, 2 chains) checked", good.String() + "  4 rows  ok", bad.String() + "  4 rows  ok"}
			},
		},
		{
			name:     "anchored, tail cut and head moved",
			anchored: true, cut: true, s3: true,
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 1,
			want: func(good, bad uuid.UUID) []string {
				return []string{
					good.String() + "  4 rows  ok",
					bad.String() + "  2 rows  BROKEN at seq 3: rows 3 to 4 are missing (row 4 was anchored at 2026-12-08T01:00:00Z): the trail was cut after row 2",
					fmt.Sprintf("audit: chain %s is broken at seq 3", bad),
				}
			},
		},
		{
			name:     "anchored, tail cut, the cut chain only",
			anchored: true, cut: true, s3: true,
			args:     func(_, bad uuid.UUID) []string { return []string{"verify", "-institution", bad.String()} },
			wantExit: 1,
			want: func(_, bad uuid.UUID) []string {
				return []string{fmt.Sprintf("audit: chain %s is broken at seq 3: rows 3 to 4 are missing", bad)}
			},
		},
		{
			name: "no anchors yet",
			cut:  true, s3: true,
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 0,
			want: func(_, bad uuid.UUID) []string {
				return []string{"holds none yet; the chains are verified by themselves only", bad.String() + "  2 rows  ok"}
			},
		},
		{
			// Without the anchors the cut goes unseen, as the output says.
			name:     "anchored, tail cut, no S3 configuration",
			anchored: true, cut: true,
			args:     func(_, _ uuid.UUID) []string { return []string{"verify"} },
			wantExit: 0,
			want: func(_, bad uuid.UUID) []string {
				return []string{"anchors not checked: BACKUP_S3_ENDPOINT (or S3_ENDPOINT) is not set", bad.String() + "  2 rows  ok"}
			},
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
			cfg := blobtest.Config(t)
			store := blobtest.New(t)
			bucket := blobtest.Bucket(t, store, "anchors")
			if tt.anchored {
				taken := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
				s := &anchor.Store{Blob: store, Bucket: bucket, Now: func() time.Time { return taken }}
				err := db.PlatformTx(t.Context(), db.Snapshot{Pool: d.App}, func(tx pgx.Tx) error {
					_, err := s.Write(t.Context(), tx, "backup")
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if tt.cut {
				err := pgx.BeginFunc(t.Context(), d.Owner, func(tx pgx.Tx) error {
					for _, sql := range []string{"ALTER TABLE audit_log DISABLE TRIGGER USER",
						"DELETE FROM audit_log WHERE institution_id = $1 AND seq > 2",
						`UPDATE audit_chain c SET last_seq = 2, last_hash = l.hash FROM audit_log l
							WHERE c.institution_id = $1 AND l.institution_id = $1 AND l.seq = 2`,
						"ALTER TABLE audit_log ENABLE TRIGGER USER"} {
						var args []any
						if strings.Contains(sql, "$1") {
							args = []any{bad}
						}
						if _, err := tx.Exec(t.Context(), sql, args...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
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
			cmd.Env = append(os.Environ(), "DATABASE_URL="+d.AppURL, "GHISEU_DATA="+t.TempDir(), "S3_ENDPOINT=", "BACKUP_S3_ENDPOINT=")
			if tt.s3 {
				cmd.Env = append(cmd.Env, "BACKUP_S3_ENDPOINT="+cfg.Endpoint, "BACKUP_S3_ACCESS_KEY_ID="+cfg.AccessKeyID,
					"BACKUP_S3_SECRET_ACCESS_KEY="+cfg.SecretAccessKey, "S3_BUCKET_BACKUPS="+bucket)
			}
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
