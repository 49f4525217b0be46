package institutions_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/links"
)

// fixture is a test database with a municipality and one institution under it.
type fixture struct {
	t            *testing.T
	db           *dbtest.DB
	city, social uuid.UUID
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, db: dbtest.New(t), city: uuid.New(), social: uuid.New()}
	f.platform(func(ctx context.Context, tx pgx.Tx) error {
		for _, n := range []institutions.NewInstitution{
			{ID: f.city, CIF: "4358142", Name: "Primăria Municipiului Lugoj", TimeZone: "Europe/Bucharest"},
			{ID: f.social, Parent: f.city, CIF: "26258845", Name: "Direcția de Asistență Socială Lugoj", TimeZone: "Europe/Bucharest"},
		} {
			if _, _, err := institutions.Create(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

func (f *fixture) platform(fn func(context.Context, pgx.Tx) error) {
	f.t.Helper()
	ctx := context.Background()
	if err := db.PlatformTx(ctx, f.db.App, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		f.t.Fatal(err)
	}
}

// as runs fn acting for institution, as a handler of it does; it returns
// fn's error.
func (f *fixture) as(institution uuid.UUID, fn func(context.Context, pgx.Tx) error) error {
	ctx := context.Background()
	return db.TenantTx(ctx, f.db.App, institution, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func TestInstitutionCreateIsIdempotentByCIF(t *testing.T) {
	f := newFixture(t)
	n := institutions.NewInstitution{ID: uuid.New(), Parent: f.city, CIF: "14769137",
		Name: "Serviciul Public Local de Evidență a Persoanelor Lugoj", TimeZone: "Europe/Bucharest"}
	var first institutions.Institution
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		var result institutions.Result
		var err error
		first, result, err = institutions.Create(ctx, tx, n)
		if err == nil && result != institutions.Created {
			t.Errorf("first create: %v", result)
		}
		return err
	}))
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		again := n
		again.ID = uuid.New() // a retry makes a new id; the CIF finds the first
		got, result, err := institutions.Create(ctx, tx, again)
		if err == nil && (result != institutions.Existed || got.ID != first.ID) {
			t.Errorf("repeat: %v %s, want Existed %s", result, got.ID, first.ID)
		}
		other := again
		other.Name = "Alt nume"
		if _, result, err := institutions.Create(ctx, tx, other); err != nil || result != institutions.Conflicted {
			t.Errorf("other data: %v %v, want Conflicted", result, err)
		}
		return err
	}))

	t.Run("only under the institution acting", func(t *testing.T) {
		err := f.as(f.social, func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := institutions.Create(ctx, tx, institutions.NewInstitution{ID: uuid.New(), Parent: f.city, CIF: "18547290",
				Name: "Intrus", TimeZone: "Europe/Bucharest"})
			return err
		})
		if err == nil {
			t.Fatal("an institution created a sibling under its parent")
		}
	})
}

func TestInstitutionDirectoryPages(t *testing.T) {
	f := newFixture(t)
	f.platform(func(ctx context.Context, tx pgx.Tx) error {
		for _, cif := range []string{"14769137", "18547290", "13548146"} {
			if _, _, err := institutions.Create(ctx, tx, institutions.NewInstitution{ID: uuid.New(), Parent: f.city, CIF: cif,
				Name: "Instituția " + cif, TimeZone: "Europe/Bucharest"}); err != nil {
				return err
			}
		}
		return nil
	})
	// Anyone reads the directory, with no scope at all.
	var names []string
	page := institutions.Page{Limit: 2}
	for range 10 {
		var items []institutions.Institution
		var next *institutions.Cursor
		f.must(db.ScopedTx(context.Background(), f.db.App, db.Scope{}, func(tx pgx.Tx) error {
			var err error
			items, next, err = institutions.List(context.Background(), tx, f.city, page)
			return err
		}))
		for _, i := range items {
			names = append(names, i.Name)
		}
		if next == nil {
			break
		}
		c, err := institutions.ParseCursor(next.String())
		f.must(err)
		page.After = &c
	}
	want := []string{"Direcția de Asistență Socială Lugoj", "Instituția 13548146", "Instituția 14769137", "Instituția 18547290"}
	if len(names) != len(want) {
		t.Fatalf("pages gave %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("pages gave %v, want %v", names, want)
		}
	}
	if _, err := institutions.ParseCursor("not a cursor"); err == nil {
		t.Error("a malformed cursor was accepted")
	}
}

func TestInstitutionOrganisationChart(t *testing.T) {
	f := newFixture(t)
	ids := map[string]uuid.UUID{}
	create := func(code string, parent *uuid.UUID) {
		t.Helper()
		id := uuid.New()
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			d, result, err := institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: id, Institution: f.city,
				Parent: parent, Kind: "service", Code: code, Name: "Serviciul " + code})
			if err == nil && result != institutions.Created {
				t.Errorf("create %s: %v", code, result)
			}
			ids[code] = d.ID
			return err
		}))
	}
	create("DT", nil)
	dt := ids["DT"]
	create("DT-UAT", &dt)
	uat := ids["DT-UAT"]
	create("DT-UAT-1", &uat)

	t.Run("a repeat finds, other data conflicts, an unknown parent is refused", func(t *testing.T) {
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			d, result, err := institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: uuid.New(), Institution: f.city,
				Parent: &dt, Kind: "service", Code: "DT-UAT", Name: "Serviciul DT-UAT"})
			if err != nil || result != institutions.Existed || d.ID != uat {
				t.Errorf("repeat: %v %v", result, err)
			}
			_, result, err = institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: uuid.New(), Institution: f.city,
				Kind: "service", Code: "DT-UAT", Name: "Altceva"})
			if err != nil || result != institutions.Conflicted {
				t.Errorf("other data: %v %v", result, err)
			}
			return nil
		}))
		err := f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			unknown := uuid.New()
			_, _, err := institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: uuid.New(), Institution: f.city,
				Parent: &unknown, Kind: "office", Code: "X", Name: "X"})
			return err
		})
		if !errors.Is(err, institutions.ErrParentNotFound) {
			t.Errorf("unknown parent: %v", err)
		}
	})

	t.Run("another institution cannot write the chart", func(t *testing.T) {
		err := f.as(f.social, func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: uuid.New(), Institution: f.city,
				Kind: "office", Code: "INTRUS", Name: "Intrus"})
			return err
		})
		if err == nil {
			t.Fatal("row-level security let another institution add a department")
		}
	})

	t.Run("a move under its own descendant is refused", func(t *testing.T) {
		for _, parent := range []uuid.UUID{dt, ids["DT-UAT-1"]} {
			err := f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
				_, err := institutions.UpdateDepartment(ctx, tx, f.city, dt, institutions.DepartmentChanges{MoveTo: &parent})
				return err
			})
			if !errors.Is(err, institutions.ErrCycle) {
				t.Errorf("move under %s: %v, want ErrCycle", parent, err)
			}
		}
		top := uuid.Nil
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			d, err := institutions.UpdateDepartment(ctx, tx, f.city, ids["DT-UAT-1"], institutions.DepartmentChanges{MoveTo: &top})
			if err == nil && d.ParentID != nil {
				t.Errorf("moved to the top, parent %v", d.ParentID)
			}
			return err
		}))
	})

	t.Run("a code taken by another department is refused", func(t *testing.T) {
		code := "DT"
		err := f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			_, err := institutions.UpdateDepartment(ctx, tx, f.city, uat, institutions.DepartmentChanges{Code: &code})
			return err
		})
		if !errors.Is(err, institutions.ErrCodeTaken) {
			t.Errorf("got %v, want ErrCodeTaken", err)
		}
	})

	t.Run("delete refuses a department with sub-departments or roles", func(t *testing.T) {
		err := f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			_, err := institutions.DeleteDepartment(ctx, tx, f.city, dt)
			return err
		})
		if !errors.Is(err, institutions.ErrHasChildren) {
			t.Errorf("with children: %v", err)
		}
		f.platform(func(ctx context.Context, tx pgx.Tx) error {
			s, _, err := institutions.CreateStaff(ctx, tx, institutions.NewStaff{ID: uuid.New(), Institution: f.city,
				Email: "urbanism@primarialugoj.ro", DisplayName: "Radu Stoica", Locale: "ro"})
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, reason, revoked_at)
				VALUES ($1, $2, $3, 'clerk', $4, $5::date, 'test', now())`, f.city, uuid.New(), s.ID, uat, dbtest.Day(0))
			return err
		})
		// uat's child moved to the top above; a revoked assignment still counts.
		err = f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			_, err := institutions.DeleteDepartment(ctx, tx, f.city, uat)
			return err
		})
		if !errors.Is(err, institutions.ErrHasRoles) {
			t.Errorf("with roles: %v", err)
		}
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			_, err := institutions.DeleteDepartment(ctx, tx, f.city, ids["DT-UAT-1"])
			return err
		}))
	})

	t.Run("the chart is a tree", func(t *testing.T) {
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			ds, err := institutions.Departments(ctx, tx, f.city)
			chart := institutions.Chart(ds)
			if len(chart) != 1 || chart[0].Code != "DT" || len(chart[0].Children) != 1 || chart[0].Children[0].Code != "DT-UAT" {
				t.Errorf("chart: %+v", chart)
			}
			return err
		}))
	})
}

func TestInstitutionStaff(t *testing.T) {
	f := newFixture(t)
	catalogue, err := events.Platform()
	f.must(err)
	mailer := links.Mailer{Outbox: events.NewOutbox(f.db.App, catalogue, nil, slog.Default()), PublicURL: "http://ghiseu.test/",
		Source: "/test"}
	n := institutions.NewStaff{ID: uuid.New(), Institution: f.city, Email: "maria.ionescu@primarialugoj.ro",
		DisplayName: "Maria Ionescu", Locale: "ro"}
	var outboxRow int64
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		s, result, err := institutions.CreateStaff(ctx, tx, n)
		if err != nil {
			return err
		}
		if result != institutions.Created || s.EmailVerified || len(s.Roles) != 0 {
			t.Errorf("created: %v %+v", result, s)
		}
		if outboxRow, err = institutions.Invite(ctx, tx, mailer, f.city, s.ID); err != nil {
			return err
		}
		// The scope is narrow again after the invitation.
		var scope string
		if err := tx.QueryRow(ctx, `SELECT current_setting('ghiseu.scope', true)`).Scan(&scope); err != nil {
			return err
		}
		if scope != "" {
			t.Errorf("scope after inviting: %q", scope)
		}
		return nil
	}))
	f.platform(func(ctx context.Context, tx pgx.Tx) error {
		var purpose string
		var expires time.Time
		var eventType string
		var inst uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT purpose, expires_at FROM email_token WHERE account_id = $1`, n.ID).Scan(&purpose, &expires); err != nil {
			return err
		}
		if purpose != "reset_password" || time.Until(expires) < 6*24*time.Hour {
			t.Errorf("invitation token: %s until %s", purpose, expires)
		}
		if err := tx.QueryRow(ctx, `SELECT event_type, institution_id FROM outbox WHERE id = $1`, outboxRow).Scan(&eventType, &inst); err != nil {
			return err
		}
		if eventType != events.TypeAccountInvited || inst != f.city {
			t.Errorf("invitation event: %s of %s", eventType, inst)
		}
		return nil
	})

	t.Run("a repeat finds, other data conflicts, another account's address is taken", func(t *testing.T) {
		f.platform(func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', 'ana@example.ro', 'Ana')`, uuid.New())
			return err
		})
		f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
			again := n
			again.ID = uuid.New()
			s, result, err := institutions.CreateStaff(ctx, tx, again)
			if err != nil || result != institutions.Existed || s.ID != n.ID {
				t.Errorf("repeat: %v %v", result, err)
			}
			other := again
			other.Phone = "0256 123 456"
			if _, result, err := institutions.CreateStaff(ctx, tx, other); err != nil || result != institutions.Conflicted {
				t.Errorf("other data: %v %v", result, err)
			}
			citizen := again
			citizen.Email = "ANA@example.ro"
			if _, _, err := institutions.CreateStaff(ctx, tx, citizen); !errors.Is(err, institutions.ErrEmailTaken) {
				t.Errorf("a citizen's address: %v, want ErrEmailTaken", err)
			}
			return nil
		}))
	})

	t.Run("an institution lists only its own staff", func(t *testing.T) {
		f.platform(func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := institutions.CreateStaff(ctx, tx, institutions.NewStaff{ID: uuid.New(), Institution: f.social,
				Email: "admin@daslugoj.ro", DisplayName: "Adriana Marin", Locale: "ro"})
			return err
		})
		for inst, want := range map[uuid.UUID]string{f.city: n.Email, f.social: "admin@daslugoj.ro"} {
			f.must(f.as(inst, func(ctx context.Context, tx pgx.Tx) error {
				staff, next, err := institutions.ListStaff(ctx, tx, inst, institutions.Page{})
				if err == nil && (len(staff) != 1 || staff[0].Email != want || next != nil) {
					t.Errorf("staff of %s: %+v", inst, staff)
				}
				return err
			}))
		}
		// Asking for another institution's staff, in one's own scope, shows none.
		f.must(f.as(f.social, func(ctx context.Context, tx pgx.Tx) error {
			staff, _, err := institutions.ListStaff(ctx, tx, f.city, institutions.Page{})
			if err == nil && len(staff) != 0 {
				t.Errorf("row-level security showed another institution's staff: %+v", staff)
			}
			return err
		}))
	})
}

func TestInstitutionMachineClients(t *testing.T) {
	f := newFixture(t)
	n := institutions.NewMachineClient{ID: uuid.New(), Institution: f.city, Name: "Registratura județului",
		ClientID: "mc_aaaaaaaaaaaaaaaaaaaa", SecretHash: "hash-1"}
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		m, result, err := institutions.CreateMachineClient(ctx, tx, n)
		if err == nil && (result != institutions.Created || m.Status != "active" || m.PreviousSecretValidUntil != nil) {
			t.Errorf("created: %v %+v", result, m)
		}
		return err
	}))
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		again := n
		again.ID, again.ClientID, again.Name = uuid.New(), "mc_bbbbbbbbbbbbbbbbbbbb", "REGISTRATURA JUDEȚULUI"
		m, result, err := institutions.CreateMachineClient(ctx, tx, again)
		if err == nil && (result != institutions.Existed || m.ID != n.ID) {
			t.Errorf("repeat: %v %+v", result, m)
		}
		return err
	}))
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		m, err := institutions.RotateMachineClient(ctx, tx, f.city, n.ID, "hash-2", 24*time.Hour)
		if err != nil {
			return err
		}
		if m.PreviousSecretValidUntil == nil || time.Until(*m.PreviousSecretValidUntil) < 23*time.Hour {
			t.Errorf("previous secret valid until %v", m.PreviousSecretValidUntil)
		}
		var current, previous string
		if err := tx.QueryRow(ctx, `SELECT secret_hash, previous_secret_hash FROM machine_credential WHERE account_id = $1`, n.ID).
			Scan(&current, &previous); err != nil {
			return err
		}
		if current != "hash-2" || previous != "hash-1" {
			t.Errorf("hashes after rotation: %s, %s", current, previous)
		}
		return nil
	}))
	t.Run("another institution sees none of them", func(t *testing.T) {
		f.must(f.as(f.social, func(ctx context.Context, tx pgx.Tx) error {
			if _, err := institutions.GetMachineClient(ctx, tx, f.city, n.ID); !errors.Is(err, institutions.ErrNotFound) {
				t.Errorf("get: %v", err)
			}
			if _, err := institutions.RotateMachineClient(ctx, tx, f.city, n.ID, "stolen", time.Hour); !errors.Is(err, institutions.ErrNotFound) {
				t.Errorf("rotate: %v", err)
			}
			return nil
		}))
	})
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		m, changed, err := institutions.CloseMachineClient(ctx, tx, f.city, n.ID)
		if err == nil && (!changed || m.Status != "closed" || m.ClosedAt == nil) {
			t.Errorf("closed: %v %+v", changed, m)
		}
		if _, changed, err := institutions.CloseMachineClient(ctx, tx, f.city, n.ID); err != nil || changed {
			t.Errorf("closing again: %v %v", changed, err)
		}
		if _, err := institutions.RotateMachineClient(ctx, tx, f.city, n.ID, "hash-3", time.Hour); !errors.Is(err, institutions.ErrClosed) {
			t.Errorf("rotating a closed client: %v", err)
		}
		clients, _, err := institutions.ListMachineClients(ctx, tx, f.city, institutions.Page{})
		if err == nil && len(clients) != 1 {
			t.Errorf("list: %+v", clients)
		}
		return err
	}))
	// The name is free again once the client is closed.
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		again := n
		again.ID, again.ClientID = uuid.New(), "mc_cccccccccccccccccccc"
		_, result, err := institutions.CreateMachineClient(ctx, tx, again)
		if err == nil && result != institutions.Created {
			t.Errorf("after closing: %v", result)
		}
		return err
	}))
}

// TestStaffRolesEndOnTheInstitutionsDay: a role whose last day was yesterday
// in Bucharest is no longer listed, and one ending today still is, whatever
// the database server's own day (make test runs it with a zone whose day is
// not Bucharest's).
func TestStaffRolesEndOnTheInstitutionsDay(t *testing.T) {
	f := newFixture(t)
	var staffID uuid.UUID
	f.platform(func(ctx context.Context, tx pgx.Tx) error {
		s, _, err := institutions.CreateStaff(ctx, tx, institutions.NewStaff{ID: uuid.New(), Institution: f.city,
			Email: "registratura@primarialugoj.ro", DisplayName: "Ioana Pop", Locale: "ro"})
		if err != nil {
			return err
		}
		staffID = s.ID
		for role, until := range map[string]string{"registrar": dbtest.Day(0), "clerk": dbtest.Day(-1)} {
			if _, err := tx.Exec(ctx, `INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, valid_until, reason)
				VALUES ($1, $2, $3, $4, $5::date, $6::date, 'test')`, f.city, uuid.New(), s.ID, role, dbtest.Day(-30), until); err != nil {
				return err
			}
		}
		return nil
	})
	f.must(f.as(f.city, func(ctx context.Context, tx pgx.Tx) error {
		staff, _, err := institutions.ListStaff(ctx, tx, f.city, institutions.Page{})
		if err != nil {
			return err
		}
		var roles []string
		for _, s := range staff {
			if s.ID == staffID {
				for _, r := range s.Roles {
					roles = append(roles, r.Role)
				}
			}
		}
		if len(roles) != 1 || roles[0] != "registrar" {
			t.Errorf("roles listed on %s: %v, want only registrar (valid until today; clerk ended yesterday)", dbtest.Today(), roles)
		}
		return nil
	}))
}
