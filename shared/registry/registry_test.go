package registry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/registry"
)

type fixture struct {
	d         *dbtest.DB
	inst      uuid.UUID
	incoming  uuid.UUID
	outgoing  uuid.UUID
	otherInst uuid.UUID
}

func setUp(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{d: dbtest.New(t), inst: uuid.New(), incoming: uuid.New(), outgoing: uuid.New(), otherInst: uuid.New()}
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Lugoj'), ($2, '26258845', 'DAS Lugoj')`,
		f.inst, f.otherInst); err != nil {
		t.Fatal(err)
	}
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: f.incoming, Code: "I", Name: "Intrări", Kind: "incoming"}); err != nil {
			return err
		}
		return registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: f.outgoing, Code: "E", Name: "Ieșiri", Kind: "outgoing"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) record(ctx context.Context, register uuid.UUID, at time.Time, rollback bool) (registry.Entry, error) {
	var e registry.Entry
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
		e, err = registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: register, Direction: "incoming",
			Channel: "counter", Sender: "Ion Popescu", Subject: "Cerere de informații publice"}, at)
		if err == nil && rollback {
			return errRollback
		}
		return err
	})
	return e, err
}

var errRollback = errors.New("roll back")

// 64 concurrent registrations into two registers, some of them rolled
// back, leave each register numbered 1..N without gap or duplicate, in
// the order of registration time.
func TestConcurrentRegistrationIsGaplessAndOrdered(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			register := f.incoming
			if i%2 == 1 {
				register = f.outgoing
			}
			_, err := f.record(ctx, register, time.Time{}, i%8 < 2) // a quarter fail half-way, evenly over both registers
			if err != nil && !errors.Is(err, errRollback) {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, register := range []uuid.UUID{f.incoming, f.outgoing} {
		rows, err := f.d.Owner.Query(ctx, `SELECT number, registered_at FROM registry_entry WHERE register_id = $1 ORDER BY number`, register)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			n  int64
			at time.Time
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.n, &x.at)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 24 { // 32 per register, 8 of them rolled back
			t.Fatalf("register %s: %d entries, want 24", register, len(got))
		}
		for i, x := range got {
			if x.n != int64(i+1) {
				t.Fatalf("register %s: numbers %v: a gap or a duplicate at position %d", register, got, i)
			}
			if i > 0 && x.at.Before(got[i-1].at) {
				t.Fatalf("register %s: number %d registered at %v, before number %d at %v", register, x.n, x.at, got[i-1].n, got[i-1].at)
			}
		}
	}
}

// The year is the institution's: 31 December 23:59:59 and 1 January
// 00:00:01 in Bucharest fall in different years, the second numbered 1.
func TestYearRolloverInBucharest(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	bucharest, err := time.LoadLocation("Europe/Bucharest")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at         time.Time
		wantYear   int
		wantNumber int64
	}{
		{time.Date(2026, 12, 31, 23, 59, 58, 0, bucharest), 2026, 1},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, bucharest), 2026, 2},
		// 22:00:01 UTC on 31 December is already the new year in Bucharest.
		{time.Date(2027, 1, 1, 0, 0, 1, 0, bucharest), 2027, 1},
		{time.Date(2027, 1, 1, 0, 0, 2, 0, bucharest), 2027, 2},
	}
	for _, tt := range tests {
		e, err := f.record(ctx, f.incoming, tt.at, false)
		if err != nil {
			t.Fatal(err)
		}
		if e.Year != tt.wantYear || e.Number != tt.wantNumber || !e.RegisteredAt.Equal(tt.at) {
			t.Errorf("registered at %v: %d/%d at %v, want %d/%d", tt.at, e.Number, e.Year, e.RegisteredAt, tt.wantNumber, tt.wantYear)
		}
	}
}

// An annulled entry keeps its number; no path deletes an entry.
func TestAnnulKeepsTheNumberAndNothingDeletes(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	e, err := f.record(ctx, f.incoming, time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	annul := func() (registry.Entry, error) {
		var a registry.Entry
		err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
			a, err = registry.Annul(ctx, tx, f.inst, e.ID, uuid.Nil, "înregistrat din greșeală")
			return err
		})
		return a, err
	}
	a, err := annul()
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != e.Number || a.AnnulledAt == nil || a.AnnulReason != "înregistrat din greșeală" {
		t.Fatalf("annulled entry = %+v", a)
	}
	if _, err := annul(); !errors.Is(err, registry.ErrAlreadyAnnulled) {
		t.Fatalf("second annulment: %v", err)
	}
	if next, err := f.record(ctx, f.incoming, time.Time{}, false); err != nil || next.Number != e.Number+1 {
		t.Fatalf("the next entry after an annulled one: %d, %v", next.Number, err)
	}

	deletes := []struct {
		name string
		run  func() error
	}{
		{"the functions' role", func() error {
			return db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `DELETE FROM registry_entry WHERE id = $1`, e.ID)
				return err
			})
		}},
		{"the owner", func() error {
			_, err := f.d.Owner.Exec(ctx, `DELETE FROM registry_entry WHERE id = $1`, e.ID)
			return err
		}},
		{"truncate", func() error { _, err := f.d.Owner.Exec(ctx, `TRUNCATE registry_entry`); return err }},
		{"renumbering by the functions' role", func() error {
			return db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE registry_entry SET number = 99 WHERE id = $1`, e.ID)
				return err
			})
		}},
	}
	for _, tt := range deletes {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil {
				t.Fatal("it succeeded")
			}
			var n int
			if err := f.d.Owner.QueryRow(ctx, `SELECT count(*) FROM registry_entry WHERE id = $1 AND number = $2`, e.ID, e.Number).Scan(&n); err != nil || n != 1 {
				t.Fatalf("the entry is gone or renumbered (%d, %v)", n, err)
			}
		})
	}
}

// Another institution sees none of the entries and cannot number in the
// register.
func TestRegistryIsTenantScoped(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	if _, err := f.record(ctx, f.incoming, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	err := db.TenantTx(ctx, f.d.App, f.otherInst, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM registry_entry`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			return fmt.Errorf("another institution sees %d entries", n)
		}
		_, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: f.incoming, Direction: "incoming",
			Channel: "counter", Subject: "x"}, time.Time{})
		if !errors.Is(err, registry.ErrNoRegister) {
			return fmt.Errorf("registering in another institution's register: %v, want ErrNoRegister", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
