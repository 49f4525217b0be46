package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

func ptr[T any](v T) *T { return &v }

// A correction is a new revision keeping what it replaced; a stale one
// changes nothing; number, register and time never change.
func TestCorrectKeepsRevisions(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	e, err := f.record(ctx, f.incoming, time.Time{}, false)
	if err != nil {
		t.Fatal(err)
	}
	correct := func(revision int, c registry.Correction) (registry.Entry, error) {
		var after registry.Entry
		err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
			_, after, err = registry.Correct(ctx, tx, f.inst, e.ID, revision, uuid.Nil, "greșeală de scriere", c)
			return err
		})
		return after, err
	}
	after, err := correct(1, registry.Correction{Subject: ptr("Cerere de informații de interes public"), Pages: ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	if after.Revision != 2 || after.Subject != "Cerere de informații de interes public" || after.Pages != 2 ||
		after.Number != e.Number || !after.RegisteredAt.Equal(e.RegisteredAt) || after.Sender != e.Sender {
		t.Fatalf("after the correction: %+v", after)
	}
	if _, err := correct(1, registry.Correction{Pages: ptr(5)}); !errors.Is(err, registry.ErrStale) {
		t.Fatalf("a stale correction: %v, want ErrStale", err)
	}
	same, err := correct(2, registry.Correction{Pages: ptr(2)})
	if err != nil || same.Revision != 2 {
		t.Fatalf("a correction that changes nothing: revision %d, %v; want no new revision", same.Revision, err)
	}
	var revs []registry.Revision
	err = db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
		revs, err = registry.Revisions(ctx, tx, f.inst, e.ID)
		return err
	})
	if err != nil || len(revs) != 1 || revs[0].Revision != 2 || revs[0].Reason != "greșeală de scriere" {
		t.Fatalf("revisions %+v, %v", revs, err)
	}
	var before map[string]any
	if err := json.Unmarshal(revs[0].Before, &before); err != nil || before["subject"] != "Cerere de informații publice" || before["pages"] != float64(0) {
		t.Fatalf("the revision's before: %s", revs[0].Before)
	}
	// Revisions are as permanent as entries.
	if _, err := f.d.Owner.Exec(ctx, `DELETE FROM registry_entry_revision`); err == nil {
		t.Fatal("deleting a revision succeeded")
	}
}

// Entries are filed into open files of their year only.
func TestFilingIntoFiles(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	dept := uuid.New()
	year := time.Now().In(must(time.LoadLocation("Europe/Bucharest"))).Year()
	open, closed, lastYear := uuid.New(), uuid.New(), uuid.New()
	archivist := uuid.New()
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'RRPA', 'Registratură', 'service')`,
		f.inst, dept); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($2, 'staff', $1, 'arhiva@example.ro', 'Arhivar')`,
		f.inst, archivist); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO filing_file (institution_id, id, year, indicator, title, retention, department_id, closed_at, closed_by)
		VALUES ($1, $2, $5, 'I-1', 'Petiții', '10', $4, NULL, NULL),
		       ($1, $3, $5, 'I-2', 'Închis', '5', $4, now(), $7),
		       ($1, $6, $5 - 1, 'I-1', 'Petiții, anul trecut', '10', $4, NULL, NULL)`, f.inst, open, closed, dept, year, lastYear, archivist); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file uuid.UUID
		want error
	}{
		{"an open file of the year", open, nil},
		{"a closed file", closed, registry.ErrFileClosed},
		{"last year's file", lastYear, registry.ErrFileYear},
		{"no such file", uuid.New(), registry.ErrNoFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
				_, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: f.incoming, Direction: "incoming",
					Channel: "counter", Subject: "Petiție", File: tt.file}, time.Time{})
				return err
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestMayRegister(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	holds := func(ds ...uuid.UUID) func(uuid.UUID) bool {
		return func(d uuid.UUID) bool {
			for _, x := range ds {
				if x == d {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name        string
		departments []uuid.UUID
		can         func(uuid.UUID) bool
		want        bool
	}{
		{"open register", nil, holds(), true},
		{"kept by my department", []uuid.UUID{a}, holds(a), true},
		{"kept by another department", []uuid.UUID{a}, holds(b), false},
		{"kept by several, one mine", []uuid.UUID{a, b}, holds(b), true},
	}
	for _, tt := range tests {
		if got := (registry.Register{Departments: tt.departments}).MayRegister(tt.can); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A register's name, departments and closing change; its code does not,
// and a closed register numbers nothing.
func TestUpdateAndCloseRegister(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	now := time.Now()
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		r, err := registry.UpdateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: f.incoming, Name: "Registrul general de intrare", ClosedAt: &now})
		if err != nil {
			return err
		}
		if r.Code != "I" || r.Name != "Registrul general de intrare" || r.ClosedAt == nil {
			t.Errorf("updated register %+v", r)
		}
		if _, err := registry.UpdateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: uuid.New(), Name: "x"}); !errors.Is(err, registry.ErrNoRegister) {
			t.Errorf("updating a missing register: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		return registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: uuid.New(), Code: "I", Name: "x", Kind: "incoming"})
	})
	if !errors.Is(err, registry.ErrCodeTaken) {
		t.Errorf("a second register I: %v, want ErrCodeTaken", err)
	}
	if _, err := f.record(ctx, f.incoming, time.Time{}, false); !errors.Is(err, registry.ErrRegisterClosed) {
		t.Fatalf("registering in a closed register: %v", err)
	}
}
