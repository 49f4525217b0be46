package anchor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

func appendRows(t *testing.T, d *dbtest.DB, inst uuid.UUID, n int) {
	t.Helper()
	for i := range n {
		err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
			_, err := audit.Append(t.Context(), tx, audit.Entry{Institution: inst, ActorID: uuid.New(), ActorKind: audit.ActorStaff,
				Action: "account.cnp.read", ObjectType: "account", ObjectID: fmt.Sprint(i)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// asSuperuser runs sql with the audit table's protecting triggers disabled,
// as someone with the superuser's rights would.
func asSuperuser(t *testing.T, d *dbtest.DB, inst uuid.UUID, sql ...string) {
	t.Helper()
	err := pgx.BeginFunc(t.Context(), d.Owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), "ALTER TABLE audit_log DISABLE TRIGGER USER"); err != nil {
			return err
		}
		for _, s := range sql {
			if _, err := tx.Exec(t.Context(), s, inst); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		_, err := tx.Exec(t.Context(), "ALTER TABLE audit_log ENABLE TRIGGER USER")
		return err
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// verify is what `make audit-verify` does: every chain by itself, then
// against the anchor.
func verify(t *testing.T, d *dbtest.DB, a anchor.Anchor) map[uuid.UUID]audit.Result {
	t.Helper()
	var results []audit.Result
	err := db.PlatformTx(t.Context(), db.Snapshot{Pool: d.App}, func(tx pgx.Tx) (err error) {
		if results, err = audit.VerifyAll(t.Context(), tx); err != nil {
			return err
		}
		results, err = anchor.Check(t.Context(), tx, a, results)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	byChain := map[uuid.UUID]audit.Result{}
	for _, r := range results {
		byChain[r.Institution] = r
	}
	return byChain
}

func write(ctx context.Context, d *dbtest.DB, s *anchor.Store, reason string) (a anchor.Anchor, err error) {
	err = db.PlatformTx(ctx, db.Snapshot{Pool: d.App}, func(tx pgx.Tx) (err error) {
		a, err = s.Write(ctx, tx, reason)
		return err
	})
	return a, err
}

// A superuser deletes a chain's tail and moves its head back: the chain
// verifies by itself, and only the anchor in object storage shows the cut,
// naming the first missing row. Rewriting rows up to the anchored one, or
// deleting the whole chain, is caught the same way.
func TestAnchorCatchesACutTrail(t *testing.T) {
	store := blobtest.New(t)
	bucket := blobtest.Bucket(t, store, "anchors")
	taken := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		tamper     []string
		refill     int // rows appended to the cut chain after the tampering
		wantBroken int64
		wantReason string
	}{
		{
			name: "tail cut, head moved",
			tamper: []string{`DELETE FROM audit_log WHERE institution_id = $1 AND seq > 4`,
				`UPDATE audit_chain c SET last_seq = 4, last_hash = l.hash FROM audit_log l
					WHERE c.institution_id = $1 AND l.institution_id = $1 AND l.seq = 4`},
			wantBroken: 5,
			wantReason: "rows 5 to 6 are missing (row 6 was anchored at 2026-12-08T01:00:00Z): the trail was cut after row 4",
		},
		{
			name: "the anchored row alone cut",
			tamper: []string{`DELETE FROM audit_log WHERE institution_id = $1 AND seq > 5`,
				`UPDATE audit_chain c SET last_seq = 5, last_hash = l.hash FROM audit_log l
					WHERE c.institution_id = $1 AND l.institution_id = $1 AND l.seq = 5`},
			wantBroken: 6,
			wantReason: "row 6 anchored at 2026-12-08T01:00:00Z is missing: the trail was cut after row 5",
		},
		{
			name:       "the whole chain deleted",
			tamper:     []string{`DELETE FROM audit_log WHERE institution_id = $1`, `DELETE FROM audit_chain WHERE institution_id = $1`},
			wantBroken: 1,
			wantReason: "rows 1 to 6 are missing (row 6 was anchored at 2026-12-08T01:00:00Z): the trail was cut after row 0",
		},
		{
			// Cut, then filled again through the application: the new
			// rows hash correctly, so the chain verifies by itself.
			name: "tail cut and rewritten",
			tamper: []string{`DELETE FROM audit_log WHERE institution_id = $1 AND seq > 4`,
				`UPDATE audit_chain c SET last_seq = 4, last_hash = l.hash FROM audit_log l
					WHERE c.institution_id = $1 AND l.institution_id = $1 AND l.seq = 4`},
			refill:     2,
			wantBroken: 6,
			wantReason: "row 6 differs from its anchor of 2026-12-08T01:00:00Z: the trail was rewritten up to row 6",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.New(t)
			cut, bystander := uuid.New(), uuid.New()
			appendRows(t, d, cut, 6)
			appendRows(t, d, bystander, 3)
			s := &anchor.Store{Blob: store, Bucket: bucket, Prefix: "anchors-" + uuid.NewString(), Now: func() time.Time { return taken }}
			a, err := write(t.Context(), d, s, "backup")
			if err != nil {
				t.Fatal(err)
			}
			if got := verify(t, d, a); !got[cut].OK() || !got[bystander].OK() {
				t.Fatalf("untouched trail: %+v", got)
			}
			// Rows appended after the anchor are fine.
			appendRows(t, d, bystander, 2)

			asSuperuser(t, d, cut, tt.tamper...)
			appendRows(t, d, cut, tt.refill)
			// The chain by itself, as before anchors, hides the tampering.
			var own audit.Result
			if err := db.PlatformTx(t.Context(), d.App, func(tx pgx.Tx) (err error) {
				own, err = audit.Verify(t.Context(), tx, cut)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !own.OK() {
				t.Fatalf("the tampering should leave the chain verifying by itself: %+v", own)
			}

			newest, ok, err := s.Newest(t.Context())
			if err != nil || !ok || newest.Key != a.Key {
				t.Fatalf("newest anchor %q %v %v, want %q", newest.Key, ok, err, a.Key)
			}
			got := verify(t, d, newest)
			if r := got[cut]; r.FirstBroken == nil || *r.FirstBroken != tt.wantBroken || r.Reason != tt.wantReason {
				t.Errorf("cut chain: %+v, want broken at %d: %q", r, tt.wantBroken, tt.wantReason)
			}
			if r := got[bystander]; !r.OK() || r.Rows != 5 {
				t.Errorf("untouched chain: %+v", r)
			}

			// The next anchor refuses to cover the cut, and writes nothing.
			s.Now = func() time.Time { return taken.Add(time.Hour) }
			_, err = write(t.Context(), d, s, "fixity")
			var broken *anchor.Broken
			if !errors.Is(err, anchor.ErrBroken) || !errors.As(err, &broken) || len(broken.Chains) != 1 ||
				broken.Chains[0].Institution != cut || *broken.Chains[0].FirstBroken != tt.wantBroken {
				t.Fatalf("anchoring the cut trail: %v", err)
			}
			if newest, _, _ := s.Newest(t.Context()); newest.Key != a.Key {
				t.Errorf("an anchor of the cut trail was written: %s", newest.Key)
			}
		})
	}
}

// Anchors are written once: a second anchor at the same instant does not
// replace the first.
func TestAnchorIsWrittenOnce(t *testing.T) {
	store := blobtest.New(t)
	bucket := blobtest.Bucket(t, store, "anchors")
	d := dbtest.New(t)
	inst := uuid.New()
	appendRows(t, d, inst, 2)
	at := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	s := &anchor.Store{Blob: store, Bucket: bucket, Now: func() time.Time { return at }}
	first, err := write(t.Context(), d, s, "backup")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Chains) != 1 || first.Chains[0].Institution != inst || first.Chains[0].Seq != 2 || len(first.Chains[0].Hash) != 64 {
		t.Fatalf("anchor: %+v", first)
	}
	appendRows(t, d, inst, 1)
	if _, err := write(t.Context(), d, s, "backup"); !errors.Is(err, blob.ErrExists) {
		t.Fatalf("second anchor under the same key: %v, want ErrExists", err)
	}
	newest, ok, err := s.Newest(t.Context())
	if err != nil || !ok || newest.Chains[0].Seq != 2 || newest.Key != first.Key {
		t.Fatalf("newest after the refused rewrite: %+v %v %v", newest, ok, err)
	}
}
