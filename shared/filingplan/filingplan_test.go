package filingplan_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/poll"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// fixture is two institutions: Lugoj, with two departments, a registrar
// and two registers, and DAS, with a department of its own.
type fixture struct {
	d                  *dbtest.DB
	inst, other        uuid.UUID
	urb, tax, otherDep uuid.UUID // departments: two of inst, one of other
	registrar          uuid.UUID // a staff account of inst
	incoming, outgoing uuid.UUID // registers of inst
}

func setUp(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{d: dbtest.New(t), inst: uuid.New(), other: uuid.New(), urb: uuid.New(), tax: uuid.New(), otherDep: uuid.New(),
		registrar: uuid.New(), incoming: uuid.New(), outgoing: uuid.New()}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Lugoj'), ($2, '26258845', 'DAS Lugoj')`,
			[]any{f.inst, f.other}},
		{`INSERT INTO department (institution_id, id, kind, code, name) VALUES ($1, $2, 'service', 'URB', 'Serviciul Urbanism'),
			($1, $3, 'service', 'TAX', 'Serviciul Taxe și Impozite'), ($4, $5, 'service', 'AS', 'Asistență socială')`,
			[]any{f.inst, f.urb, f.tax, f.other, f.otherDep}},
		{`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, 'registratura@lugoj.test', 'Registratură')`,
			[]any{f.registrar, f.inst}},
	} {
		if _, err := f.d.Owner.Exec(ctx, stmt.sql, stmt.args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
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

// in runs fn in a transaction of institution, as the functions' role.
func (f fixture) in(t *testing.T, institution uuid.UUID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return db.TenantTx(ctx, f.d.App, institution, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// create makes a file of inst or fails the test.
func (f fixture) create(t *testing.T, year int, indicator string, department uuid.UUID) filingplan.File {
	t.Helper()
	var file filingplan.File
	err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
		file, _, err = filingplan.Create(ctx, tx, filingplan.NewFile{Institution: f.inst, Year: year, Indicator: indicator,
			Title: "Corespondență " + indicator, Retention: "10", Department: department, By: f.registrar})
		return err
	})
	if err != nil {
		t.Fatalf("create %s/%d: %v", indicator, year, err)
	}
	return file
}

func (f fixture) closeFile(t *testing.T, id uuid.UUID) filingplan.File {
	t.Helper()
	var closed filingplan.File
	err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
		_, closed, err = filingplan.Close(ctx, tx, f.inst, id, f.registrar)
		return err
	})
	if err != nil {
		t.Fatalf("close %s: %v", id, err)
	}
	return closed
}

// record registers an entry of inst at a time of 2026 into file.
func (f fixture) record(t *testing.T, e registry.Entry, at time.Time) (registry.Entry, error) {
	t.Helper()
	e.Institution = f.inst
	if e.Register == uuid.Nil {
		e.Register = f.incoming
	}
	if e.Direction == "" {
		e.Direction, e.Channel = "incoming", "counter"
	}
	if e.Subject == "" {
		e.Subject = "Cerere de certificat de urbanism"
	}
	var out registry.Entry
	err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
		out, err = registry.Record(ctx, tx, e, at)
		return err
	})
	return out, err
}

var may2026 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func TestCreate(t *testing.T) {
	f := setUp(t)
	first := f.create(t, 2026, "II-3", f.urb)
	if first.ID.Version() != 7 || first.Revision != 1 || first.Closed() || first.CreatedBy == nil || *first.CreatedBy != f.registrar {
		t.Fatalf("created %+v: want a UUIDv7, revision 1, open, created by the registrar", first)
	}
	tests := []struct {
		name       string
		file       filingplan.NewFile
		wantErr    error
		wantResult filingplan.Result
		wantID     uuid.UUID // when set, the file it must return
	}{
		{name: "a repeat of the same request", file: filingplan.NewFile{Year: 2026, Indicator: "II-3", Title: "Corespondență II-3",
			Retention: "10", Department: f.urb}, wantResult: filingplan.Existed, wantID: first.ID},
		{name: "the indicator taken with another title", file: filingplan.NewFile{Year: 2026, Indicator: "II-3", Title: "Altceva",
			Retention: "10", Department: f.urb}, wantErr: filingplan.ErrIndicatorTaken},
		{name: "the indicator taken with another retention", file: filingplan.NewFile{Year: 2026, Indicator: "II-3", Title: "Corespondență II-3",
			Retention: filingplan.Permanent, Department: f.urb}, wantErr: filingplan.ErrIndicatorTaken},
		{name: "the same indicator in another year", file: filingplan.NewFile{Year: 2027, Indicator: "II-3", Title: "Corespondență II-3",
			Retention: "10", Department: f.urb}, wantResult: filingplan.Created},
		{name: "an unknown department", file: filingplan.NewFile{Year: 2026, Indicator: "II-4", Title: "Autorizații",
			Retention: "30", Department: uuid.New()}, wantErr: filingplan.ErrNoDepartment},
		{name: "another institution's department", file: filingplan.NewFile{Year: 2026, Indicator: "II-5", Title: "Autorizații",
			Retention: "30", Department: f.otherDep}, wantErr: filingplan.ErrNoDepartment},
		{name: "a permanent file of another department", file: filingplan.NewFile{Year: 2026, Indicator: "III-1", Title: "Hotărâri",
			Retention: filingplan.Permanent, Department: f.tax}, wantResult: filingplan.Created},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.file.Institution, tt.file.By = f.inst, f.registrar
			var got filingplan.File
			var result filingplan.Result
			err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
				got, result, err = filingplan.Create(ctx, tx, tt.file)
				return err
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Create = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || result != tt.wantResult {
				t.Fatalf("Create = %v, %v; want result %v", result, err, tt.wantResult)
			}
			if tt.wantID != uuid.Nil && got.ID != tt.wantID {
				t.Fatalf("got file %s, want the first one %s", got.ID, tt.wantID)
			}
			if got.Indicator != tt.file.Indicator || got.Year != tt.file.Year || got.Retention != tt.file.Retention {
				t.Fatalf("got %+v for %+v", got, tt.file)
			}
		})
	}
}

func TestListPagesInTheOrderOfIndicators(t *testing.T) {
	f := setUp(t)
	// Created out of order; numbers inside indicators sort by value.
	for _, ind := range []string{"II-10", "I-2", "II-9", "I-10", "III-1", "I-1"} {
		dep := f.urb
		if strings.HasPrefix(ind, "II-") {
			dep = f.tax
		}
		f.create(t, 2026, ind, dep)
	}
	f.create(t, 2027, "I-1", f.urb)
	tests := []struct {
		name   string
		filter filingplan.Filter
		limit  int
		want   []string
	}{
		{"the whole year, a page", filingplan.Filter{Year: 2026}, 0, []string{"I-1", "I-2", "I-10", "II-9", "II-10", "III-1"}},
		{"the whole year, pages of 4", filingplan.Filter{Year: 2026}, 4, []string{"I-1", "I-2", "I-10", "II-9", "II-10", "III-1"}},
		{"the whole year, pages of 1", filingplan.Filter{Year: 2026}, 1, []string{"I-1", "I-2", "I-10", "II-9", "II-10", "III-1"}},
		{"one department", filingplan.Filter{Year: 2026, Department: f.tax}, 1, []string{"II-9", "II-10"}},
		{"another year", filingplan.Filter{Year: 2027}, 0, []string{"I-1"}},
		{"a year without a plan", filingplan.Filter{Year: 2025}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.Institution = f.inst
			var got []string
			var after *filingplan.Cursor
			pages := 0
			for {
				var files []filingplan.File
				var next *filingplan.Cursor
				err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
					files, next, err = filingplan.List(ctx, tx, tt.filter, filingplan.Page{After: after, Limit: tt.limit})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, file := range files {
					got = append(got, file.Indicator)
				}
				if next == nil {
					break
				}
				// The cursor goes out as a string and comes back.
				c, err := filingplan.ParseCursor(next.String())
				if err != nil || c != *next {
					t.Fatalf("cursor %q came back as %+v, %v", next.String(), c, err)
				}
				after = &c
				if pages > 10 {
					t.Fatalf("more pages than files: %v", got)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("listed %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := filingplan.ParseCursor("!!"); err == nil {
		t.Error("ParseCursor accepted a string that is not one")
	}
}

func TestUpdateAndClose(t *testing.T) {
	f := setUp(t)
	file := f.create(t, 2026, "II-3", f.urb)
	title, retention, unknown := "Certificate de urbanism", "30", uuid.New()
	same := file.Title
	update := func(revision int, c filingplan.Changes) (before, after filingplan.File, err error) {
		err = f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
			before, after, err = filingplan.Update(ctx, tx, f.inst, file.ID, revision, c, f.registrar)
			return err
		})
		return before, after, err
	}
	tests := []struct {
		name         string
		revision     int
		changes      filingplan.Changes
		wantErr      error
		wantRevision int
	}{
		{name: "nothing that changes", revision: 1, changes: filingplan.Changes{Title: &same}, wantRevision: 1},
		{name: "an unknown department", revision: 1, changes: filingplan.Changes{Department: &unknown}, wantErr: filingplan.ErrNoDepartment},
		{name: "title and retention", revision: 1, changes: filingplan.Changes{Title: &title, Retention: &retention}, wantRevision: 2},
		{name: "from a stale revision", revision: 1, changes: filingplan.Changes{Department: &f.tax}, wantErr: filingplan.ErrStale},
		{name: "the department", revision: 2, changes: filingplan.Changes{Department: &f.tax}, wantRevision: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, after, err := update(tt.revision, tt.changes)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Update = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || after.Revision != tt.wantRevision {
				t.Fatalf("Update = revision %d, %v; want revision %d", after.Revision, err, tt.wantRevision)
			}
		})
	}
	var got filingplan.File
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
		got, err = filingplan.Get(ctx, tx, f.inst, file.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got.Title != title || got.Retention != retention || got.DepartmentID != f.tax || got.Revision != 3 || !got.UpdatedAt.After(file.UpdatedAt) {
		t.Fatalf("after the updates: %+v", got)
	}

	closed := f.closeFile(t, file.ID)
	if !closed.Closed() || closed.ClosedBy == nil || *closed.ClosedBy != f.registrar || closed.Revision != 4 {
		t.Fatalf("closed: %+v", closed)
	}
	refusals := []struct {
		name string
		run  func() error
	}{
		{"closing again", func() error {
			return f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
				_, _, err := filingplan.Close(ctx, tx, f.inst, file.ID, f.registrar)
				return err
			})
		}},
		{"an update with the current revision", func() error { _, _, err := update(4, filingplan.Changes{Title: &same}); return err }},
		{"an update with a stale revision", func() error { _, _, err := update(3, filingplan.Changes{Title: &same}); return err }},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, filingplan.ErrClosed) {
				t.Fatalf("%s on a closed file: %v, want ErrClosed", tt.name, err)
			}
		})
	}
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := filingplan.Close(ctx, tx, f.inst, uuid.New(), f.registrar)
		return err
	}); !errors.Is(err, filingplan.ErrNotFound) {
		t.Fatalf("closing an unknown file: %v, want ErrNotFound", err)
	}
}

// A closed file takes no entries and gives none up, through the registry
// and underneath it.
func TestClosedFileRefusesEntries(t *testing.T) {
	f := setUp(t)
	open, closing := f.create(t, 2026, "I-1", f.urb), f.create(t, 2026, "I-2", f.urb)
	inClosing, err := f.record(t, registry.Entry{File: closing.ID}, may2026)
	if err != nil {
		t.Fatal(err)
	}
	inOpen, err := f.record(t, registry.Entry{File: open.ID}, may2026)
	if err != nil {
		t.Fatal(err)
	}
	f.closeFile(t, closing.ID)
	correct := func(e registry.Entry, to uuid.UUID) error {
		return f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := registry.Correct(ctx, tx, f.inst, e.ID, e.Revision, f.registrar, "refiling", registry.Correction{File: &to})
			return err
		})
	}
	tests := []struct {
		name string
		run  func() error
		want func(error) bool
	}{
		{"registry.Record into it", func() error { _, err := f.record(t, registry.Entry{File: closing.ID}, may2026); return err },
			func(err error) bool { return errors.Is(err, registry.ErrFileClosed) }},
		{"registry.Correct moving an entry into it", func() error { return correct(inOpen, closing.ID) },
			func(err error) bool { return errors.Is(err, registry.ErrFileClosed) }},
		{"registry.Correct moving an entry out of it", func() error { return correct(inClosing, open.ID) },
			func(err error) bool { return errors.Is(err, registry.ErrFileClosed) }},
		// Underneath the registry's checks, the database refuses too.
		{"SQL filing an entry into it", func() error {
			return f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE registry_entry SET file_id = $2 WHERE id = $1`, inOpen.ID, closing.ID)
				return err
			})
		}, isClosedFileViolation},
		{"SQL taking an entry out of it", func() error {
			return f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE registry_entry SET file_id = NULL WHERE id = $1`, inClosing.ID)
				return err
			})
		}, isClosedFileViolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !tt.want(err) {
				t.Fatalf("%s: %v", tt.name, err)
			}
		})
	}
	// The open file still takes entries, and other columns of a filed entry
	// in a closed file can still be corrected.
	if _, err := f.record(t, registry.Entry{File: open.ID}, may2026); err != nil {
		t.Fatalf("filing into an open file: %v", err)
	}
	subject := "Cerere de certificat de urbanism, strada Bălcescu"
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := registry.Correct(ctx, tx, f.inst, inClosing.ID, inClosing.Revision, f.registrar, "typo", registry.Correction{Subject: &subject})
		return err
	}); err != nil {
		t.Fatalf("correcting the subject of an entry of a closed file: %v", err)
	}
}

// isClosedFileViolation: the refusal of the trigger (raw SQL) or its
// translation by package registry.
func isClosedFileViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, registry.ErrFileClosed) || errors.As(err, &pgErr) && pgErr.ConstraintName == "registry_entry_file_open"
}

// A registration that checked the file open before a closure committed is
// refused when it files the entry: the closure and the filing serialise on
// the file's row.
func TestClosureAndFilingSerialise(t *testing.T) {
	f := setUp(t)
	file := f.create(t, 2026, "I-1", f.urb)
	ctx := context.Background()
	closer, err := f.d.App.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Rollback(ctx) //nolint:errcheck // committed below; a failed test leaves it to roll back
	if _, err := closer.Exec(ctx, "SELECT set_config('ghiseu.institution_id', $1, true)", f.inst.String()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := filingplan.Close(ctx, closer, f.inst, file.ID, f.registrar); err != nil {
		t.Fatal(err)
	}
	// The registration sees the file open (the closure is not committed)
	// and waits on its row.
	done := make(chan error, 1)
	go func() {
		_, err := f.record(t, registry.Entry{File: file.ID}, may2026)
		done <- err
	}()
	poll.Until(t, 10*time.Second, "the registration to wait for the closure", func() bool {
		var waiting int
		err := f.d.Owner.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%registry_entry%'`).Scan(&waiting)
		return err == nil && waiting == 1
	})
	if err := closer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !isClosedFileViolation(err) {
		t.Fatalf("registration racing the closure: %v, want the closed-file refusal", err)
	}
	var filed int
	if err := f.d.Owner.QueryRow(ctx, `SELECT count(*) FROM registry_entry WHERE file_id = $1`, file.ID).Scan(&filed); err != nil || filed != 0 {
		t.Fatalf("%d entries in the closed file (%v)", filed, err)
	}
}

func TestCopyYear(t *testing.T) {
	f := setUp(t)
	for _, ind := range []string{"I-1", "I-2", "I-10", "II-1"} {
		f.create(t, 2026, ind, f.urb)
	}
	closed := f.create(t, 2026, "III-1", f.tax)
	f.closeFile(t, closed.ID)
	f.create(t, 2027, "I-2", f.tax) // set up by hand already, differently
	tests := []struct {
		name        string
		from, to    int
		wantCreated []string
		wantSkipped []string
	}{
		{"to the next year", 2026, 2027, []string{"I-1", "I-10", "II-1", "III-1"}, []string{"I-2"}},
		{"again", 2026, 2027, []string{}, []string{"I-1", "I-2", "I-10", "II-1", "III-1"}},
		{"from a year without a plan", 2020, 2027, []string{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var created []filingplan.File
			var skipped []string
			err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
				created, skipped, err = filingplan.CopyYear(ctx, tx, f.inst, tt.from, tt.to, f.registrar)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range created {
				got = append(got, c.Indicator)
				if c.Year != tt.to || c.Closed() || c.Revision != 1 || c.ID.Version() != 7 {
					t.Errorf("copy %+v: want an open file of %d at revision 1 with a UUIDv7", c, tt.to)
				}
				if c.Indicator == "III-1" && (c.DepartmentID != f.tax || c.Title != closed.Title || c.Retention != closed.Retention) {
					t.Errorf("copy of III-1 = %+v, want the department, title and retention of %+v", c, closed)
				}
			}
			if !slices.Equal(got, tt.wantCreated) || !slices.Equal(skipped, tt.wantSkipped) {
				t.Fatalf("created %v, skipped %v; want %v, %v", got, skipped, tt.wantCreated, tt.wantSkipped)
			}
		})
	}
	var kept filingplan.File
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		files, _, err := filingplan.List(ctx, tx, filingplan.Filter{Institution: f.inst, Year: 2027, Department: f.tax}, filingplan.Page{})
		if len(files) > 0 {
			kept = files[0]
		}
		return err
	}); err != nil || kept.Indicator != "I-2" {
		t.Fatalf("the hand-made I-2 of 2027: %+v, %v", kept, err)
	}
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := filingplan.CopyYear(ctx, tx, f.inst, 2026, 2026, f.registrar)
		return err
	}); err == nil {
		t.Fatal("copied a year onto itself")
	}
}

func TestInventory(t *testing.T) {
	f := setUp(t)
	file, otherFile := f.create(t, 2026, "II-3", f.urb), f.create(t, 2026, "II-4", f.urb)
	var filed []registry.Entry
	for i, e := range []registry.Entry{
		{File: file.ID, Sender: "Ion Popescu", Pages: 3},
		{File: file.ID, Register: f.outgoing, Direction: "outgoing", Channel: "post", Recipient: "Ion Popescu", Subject: "Răspuns", Pages: 1},
		{File: file.ID, Sender: "Maria Ionescu", Confidentiality: "confidential", Subject: "Sesizare"},
		{File: otherFile.ID},
		{},
	} {
		got, err := f.record(t, e, may2026.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		filed = append(filed, got)
	}
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		_, err := registry.Annul(ctx, tx, f.inst, filed[2].ID, f.registrar, "înregistrată de două ori")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	inventory := func(id uuid.UUID) ([]filingplan.InventoryEntry, error) {
		var got []filingplan.InventoryEntry
		err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
			for e, err := range filingplan.Inventory(ctx, tx, f.inst, id) {
				if err != nil {
					return err
				}
				got = append(got, e)
			}
			return nil
		})
		return got, err
	}
	if _, err := inventory(file.ID); !errors.Is(err, filingplan.ErrOpen) {
		t.Fatalf("inventory of an open file: %v, want ErrOpen", err)
	}
	if _, err := inventory(uuid.New()); !errors.Is(err, filingplan.ErrNotFound) {
		t.Fatalf("inventory of an unknown file: %v, want ErrNotFound", err)
	}
	f.closeFile(t, file.ID)
	got, err := inventory(file.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []filingplan.InventoryEntry{
		{EntryID: filed[0].ID, RegisterCode: "I", Year: 2026, Number: filed[0].Number, RegisteredAt: filed[0].RegisteredAt,
			Direction: "incoming", Subject: filed[0].Subject, Sender: "Ion Popescu", Pages: 3},
		{EntryID: filed[1].ID, RegisterCode: "E", Year: 2026, Number: filed[1].Number, RegisteredAt: filed[1].RegisteredAt,
			Direction: "outgoing", Subject: "Răspuns", Recipient: "Ion Popescu", Pages: 1},
		{EntryID: filed[2].ID, RegisterCode: "I", Year: 2026, Number: filed[2].Number, RegisteredAt: filed[2].RegisteredAt,
			Direction: "incoming", Subject: "Sesizare", Sender: "Maria Ionescu", Confidential: true, Annulled: true},
	}
	if len(got) != len(want) {
		t.Fatalf("inventory has %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].RegisteredAt.Equal(want[i].RegisteredAt) {
			t.Errorf("entry %d registered at %v, want %v", i, got[i].RegisteredAt, want[i].RegisteredAt)
		}
		got[i].RegisteredAt = want[i].RegisteredAt
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Breaking off the iteration early ends it cleanly: the transaction
	// can go on.
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) error {
		for range filingplan.Inventory(ctx, tx, f.inst, file.ID) {
			break
		}
		_, err := filingplan.Get(ctx, tx, f.inst, file.ID)
		return err
	}); err != nil {
		t.Fatalf("after an inventory broken off: %v", err)
	}
}

// Another institution sees none of the plan and can change none of it.
func TestFilingPlanIsTenantScoped(t *testing.T) {
	f := setUp(t)
	file := f.create(t, 2026, "II-3", f.urb)
	closed := f.create(t, 2026, "II-4", f.urb)
	f.closeFile(t, closed.ID)
	title := "Preluat"
	tests := []struct {
		name string
		run  func(ctx context.Context, tx pgx.Tx) error
	}{
		{"Get", func(ctx context.Context, tx pgx.Tx) error {
			_, err := filingplan.Get(ctx, tx, f.inst, file.ID)
			return wantErr(err, filingplan.ErrNotFound)
		}},
		{"List", func(ctx context.Context, tx pgx.Tx) error {
			files, _, err := filingplan.List(ctx, tx, filingplan.Filter{Institution: f.inst, Year: 2026}, filingplan.Page{})
			if err == nil && len(files) > 0 {
				return fmt.Errorf("lists %d files of another institution", len(files))
			}
			return err
		}},
		{"a raw count", func(ctx context.Context, tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM filing_file`).Scan(&n); err != nil || n != 0 {
				return fmt.Errorf("sees %d files (%v)", n, err)
			}
			return nil
		}},
		{"Update", func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := filingplan.Update(ctx, tx, f.inst, file.ID, 1, filingplan.Changes{Title: &title}, uuid.Nil)
			return wantErr(err, filingplan.ErrNotFound)
		}},
		{"Close", func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := filingplan.Close(ctx, tx, f.inst, file.ID, f.registrar)
			return wantErr(err, filingplan.ErrNotFound)
		}},
		{"Inventory", func(ctx context.Context, tx pgx.Tx) error {
			for _, err := range filingplan.Inventory(ctx, tx, f.inst, closed.ID) {
				return wantErr(err, filingplan.ErrNotFound)
			}
			return errors.New("the inventory yielded nothing")
		}},
		{"CopyYear of its plan", func(ctx context.Context, tx pgx.Tx) error {
			created, _, err := filingplan.CopyYear(ctx, tx, f.inst, 2026, 2027, uuid.Nil)
			if err == nil && len(created) > 0 {
				return fmt.Errorf("copied %d files of another institution", len(created))
			}
			return err
		}},
		{"Create in it", func(ctx context.Context, tx pgx.Tx) error {
			// In a savepoint, so the refusal leaves the transaction usable.
			err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				_, _, err := filingplan.Create(ctx, sp, filingplan.NewFile{Institution: f.inst, Year: 2026, Indicator: "IX-1",
					Title: "Intrus", Retention: "1", Department: f.urb})
				return err
			})
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				return fmt.Errorf("Create in another institution = %v, want a row-level security violation", err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.in(t, f.other, tt.run); err != nil {
				t.Fatal(err)
			}
		})
	}
	var got filingplan.File
	if err := f.in(t, f.inst, func(ctx context.Context, tx pgx.Tx) (err error) {
		got, err = filingplan.Get(ctx, tx, f.inst, file.ID)
		return err
	}); err != nil || got.Revision != 1 || got.Closed() {
		t.Fatalf("the file after another institution's attempts: %+v, %v", got, err)
	}
}

func wantErr(err, want error) error {
	if !errors.Is(err, want) {
		return fmt.Errorf("error %v, want %v", err, want)
	}
	return nil
}
