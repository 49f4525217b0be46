package roles_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/poll"
	"github.com/ghiseu/ghiseu/shared/roles"
)

// world is two institutions, each with a department, seeded as the owner.
type world struct {
	t           *testing.T
	d           *dbtest.DB
	inst, other uuid.UUID
	dept        uuid.UUID // of inst
	otherDept   uuid.UUID // of other
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, d: dbtest.New(t), inst: uuid.New(), other: uuid.New(), dept: uuid.New(), otherDept: uuid.New()}
	w.exec(`INSERT INTO institution (id, cif, name) VALUES ($1, $2, 'Primăria Municipiului Lugoj'), ($3, $4, 'Spitalul Municipal Lugoj')`,
		w.inst, uuid.NewString()[:8], w.other, uuid.NewString()[:8])
	w.exec(`INSERT INTO department (institution_id, id, kind, code, name) VALUES ($1, $2, 'service', 'URB', 'Urbanism'), ($3, $4, 'service', 'URB', 'Urbanism')`,
		w.inst, w.dept, w.other, w.otherDept)
	return w
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.d.Owner.Exec(context.Background(), sql, args...); err != nil {
		w.t.Fatalf("seed: %v\n%s", err, sql)
	}
}

// account adds an account of kind; staff and machines belong to inst.
func (w *world) account(kind string, inst uuid.UUID) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	var instID *uuid.UUID
	if kind == "staff" || kind == "machine" {
		instID = &inst
	}
	w.exec(`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, $2, $3, $4, 'Test')`,
		id, kind, instID, id.String()+"@example.ro")
	return id
}

// grant gives account role in inst (dept uuid.Nil: the whole institution),
// valid from fromDays days from today, with no end.
func (w *world) grant(inst, account uuid.UUID, role string, dept uuid.UUID, fromDays int) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	var d *uuid.UUID
	if dept != uuid.Nil {
		d = &dept
	}
	w.exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, reason)
		VALUES ($1, $2, $3, $4, $5, $6::date, 'seed')`, inst, id, account, role, d, dbtest.Day(fromDays))
	return id
}

// staff adds a staff member of inst holding roles there.
func (w *world) staff(inst uuid.UUID, roleCodes ...string) uuid.UUID {
	w.t.Helper()
	id := w.account("staff", inst)
	for _, r := range roleCodes {
		w.grant(inst, id, r, uuid.Nil, -1)
	}
	return id
}

// principal loads account's grants as authentication does.
func (w *world) principal(account uuid.UUID) *access.Principal {
	w.t.Helper()
	p := &access.Principal{Account: account, Kind: access.Staff, Institution: w.inst}
	err := db.PlatformTx(context.Background(), w.d.App, func(tx pgx.Tx) (err error) {
		p.Grants, err = access.LoadGrants(context.Background(), tx, account)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// do checks req for grantor and, if allowed, makes the change, in one
// transaction scoped as the function's requests are.
func (w *world) do(grantor *access.Principal, req roles.Request) (roles.Assignment, error) {
	w.t.Helper()
	if req.Institution == uuid.Nil {
		req.Institution = w.inst
	}
	if req.Reason == "" {
		req.Reason = "Decizia nr. 12/2025"
	}
	var scopeAccount uuid.UUID
	if grantor != nil {
		scopeAccount = grantor.Account
	}
	var out roles.Assignment
	err := db.ScopedTx(context.Background(), w.d.App, db.Scope{Institution: req.Institution, Account: scopeAccount}, func(tx pgx.Tx) error {
		a, err := roles.Check(context.Background(), tx, grantor, req)
		if err != nil {
			return err
		}
		switch req.Action {
		case roles.ActionAssign:
			out, err = roles.Assign(context.Background(), tx, a)
		case roles.ActionRevoke:
			out, err = roles.Revoke(context.Background(), tx, req.Institution, a.ID, grantor.Account, req.Reason)
		}
		return err
	})
	return out, err
}

func date(days int) time.Time {
	now := time.Now().In(mustLocation("Europe/Bucharest"))
	return time.Date(now.Year(), now.Month(), now.Day()+days, 0, 0, 0, 0, time.UTC)
}

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestAssignListRevoke(t *testing.T) {
	w := newWorld(t)
	admin := w.principal(w.staff(w.inst, "administrator"))
	clerk := w.staff(w.inst)
	ctx := context.Background()

	a, err := w.do(admin, roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", Department: w.dept})
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	if a.ID.Version() != 7 || a.Institution != w.inst || a.Account != clerk || a.Role != "clerk" || a.Department != w.dept ||
		a.GrantedBy != admin.Account || a.Reason != "Decizia nr. 12/2025" || a.ValidUntil != nil || a.Revoked() {
		t.Fatalf("assigned %+v", a)
	}
	if !a.ValidFrom.Equal(date(0)) {
		t.Errorf("validFrom = %v, want today in the institution's time zone %v", a.ValidFrom, date(0))
	}
	if p := w.principal(clerk); !p.CanInDepartment("requests.resolve", w.inst, w.dept) || p.Can("users.read", w.inst) {
		t.Errorf("the clerk's grants after the assignment: %+v", p.Grants)
	}

	until := date(30)
	later, err := w.do(admin, roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "signatory", ValidFrom: date(1), ValidUntil: &until})
	if err != nil {
		t.Fatalf("assign from tomorrow: %v", err)
	}
	if !later.ValidFrom.Equal(date(1)) || later.ValidUntil == nil || !later.ValidUntil.Equal(until) {
		t.Fatalf("period = %v..%v", later.ValidFrom, later.ValidUntil)
	}
	if w.principal(clerk).Can("workflow.sign", w.inst) {
		t.Error("a role valid from tomorrow is in force today")
	}

	revoked, err := w.do(admin, roles.Request{Action: roles.ActionRevoke, Assignment: a.ID, Reason: "Mutat la alt serviciu"})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if !revoked.Revoked() || revoked.RevokedBy != admin.Account || revoked.RevokeReason != "Mutat la alt serviciu" {
		t.Fatalf("revoked %+v", revoked)
	}
	if w.principal(clerk).Can("requests.resolve", w.inst) {
		t.Error("a revoked role is still in force")
	}

	list := func(f roles.Filter) []uuid.UUID {
		t.Helper()
		var ids []uuid.UUID
		err := db.TenantTx(ctx, w.d.App, w.inst, func(tx pgx.Tx) error {
			for {
				page, next, err := roles.List(ctx, tx, f)
				if err != nil {
					return err
				}
				for _, a := range page {
					ids = append(ids, a.ID)
				}
				if next == uuid.Nil {
					return nil
				}
				f.After = next
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := list(roles.Filter{Institution: w.inst, Account: clerk}); len(got) != 1 || got[0] != later.ID {
		t.Errorf("active assignments of the clerk = %v, want [%v]", got, later.ID)
	}
	if got := list(roles.Filter{Institution: w.inst, Account: clerk, IncludeRevoked: true, Limit: 1}); len(got) != 2 || got[0] != a.ID || got[1] != later.ID {
		t.Errorf("all assignments of the clerk, one per page = %v, want [%v %v]", got, a.ID, later.ID)
	}
	if got := list(roles.Filter{Institution: w.inst}); len(got) != 2 {
		t.Errorf("active assignments of the institution = %v, want the administrator's and the signatory's", got)
	}
	// Another institution's rows are not visible.
	w.grant(w.other, w.staff(w.other), "clerk", uuid.Nil, -1)
	if got := list(roles.Filter{Institution: w.other, IncludeRevoked: true}); len(got) != 0 {
		t.Errorf("another institution's assignments are visible: %v", got)
	}
}

func TestRules(t *testing.T) {
	w := newWorld(t)
	adminID := w.staff(w.inst, "administrator")
	admin := w.principal(adminID)
	w.staff(w.inst, "administrator") // a second one, so revoking the first is not rule 3
	// An HR officer may assign roles, but holds only integration's and a
	// head of department's permissions.
	hr := w.principal(w.staff(w.inst, "integration", "head_of_department"))
	head := w.principal(w.staff(w.inst, "head_of_department"))
	clerk := w.staff(w.inst)
	machine := w.account("machine", w.inst)
	citizen := w.account("person", uuid.Nil)
	foreign := w.staff(w.other)
	closed := w.staff(w.inst)
	w.exec(`UPDATE account SET status = 'closed' WHERE id = $1`, closed)
	foreignAssignment := w.grant(w.other, foreign, "clerk", uuid.Nil, -1)
	clerkRole := w.grant(w.inst, clerk, "clerk", uuid.Nil, -1)
	adminRole := w.grant(w.inst, w.staff(w.inst), "administrator", uuid.Nil, -1)
	revoked := w.grant(w.inst, clerk, "registrar", uuid.Nil, -1)
	w.exec(`UPDATE role_assignment SET revoked_at = now(), revoke_reason = 'test' WHERE id = $1`, revoked)
	ownRole := func() uuid.UUID {
		var id uuid.UUID
		if err := w.d.Owner.QueryRow(context.Background(), `SELECT id FROM role_assignment WHERE account_id = $1`, adminID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}()
	yesterday := date(-1)

	assign := func(account uuid.UUID, role string) roles.Request {
		return roles.Request{Action: roles.ActionAssign, Account: account, Role: role}
	}
	revoke := func(id uuid.UUID) roles.Request { return roles.Request{Action: roles.ActionRevoke, Assignment: id} }
	tests := []struct {
		name    string
		grantor *access.Principal
		req     roles.Request
		want    error // nil: allowed
	}{
		{"administrator assigns any role", admin, assign(clerk, "secretary_general"), nil},
		{"a machine client may hold roles", admin, assign(machine, "integration"), nil},
		{"HR assigns a role within its permissions", hr, assign(clerk, "clerk"), nil},
		{"HR cannot grant administrator", hr, assign(clerk, "administrator"), roles.ErrGrantExceedsOwnPermissions},
		{"HR cannot grant registry.export", hr, assign(clerk, "registrar"), roles.ErrGrantExceedsOwnPermissions},
		{"HR cannot revoke an administrator", hr, revoke(adminRole), roles.ErrGrantExceedsOwnPermissions},
		{"HR revokes a clerk", hr, revoke(clerkRole), nil},
		{"without roles.assign", head, assign(clerk, "clerk"), roles.ErrForbidden},
		{"nobody signed in", nil, assign(clerk, "clerk"), roles.ErrForbidden},
		{"own roles: assign", admin, assign(adminID, "auditor"), roles.ErrOwnRoles},
		{"own roles: revoke", admin, revoke(ownRole), roles.ErrOwnRoles},
		{"a citizen gets no institution role", admin, assign(citizen, "clerk"), roles.ErrAccountNotFound},
		{"another institution's staff", admin, assign(foreign, "clerk"), roles.ErrAccountNotFound},
		{"a closed account", admin, assign(closed, "clerk"), roles.ErrAccountNotFound},
		{"an unknown account", admin, assign(uuid.New(), "clerk"), roles.ErrAccountNotFound},
		{"an unknown role", admin, assign(clerk, "mayor"), roles.ErrRoleNotFound},
		{"another institution's department", admin,
			roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", Department: w.otherDept}, roles.ErrDepartmentNotFound},
		{"ends before it starts", admin,
			roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", ValidUntil: &yesterday}, roles.ErrInvalidPeriod},
		{"valid only in the past", admin,
			roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", ValidFrom: date(-10), ValidUntil: &yesterday}, roles.ErrEndsInPast},
		{"a reason too short", admin,
			roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", Reason: " ab  "}, roles.ErrReasonTooShort},
		{"a reason too long", admin,
			roles.Request{Action: roles.ActionAssign, Account: clerk, Role: "clerk", Reason: strings.Repeat("ă", 1001)}, roles.ErrReasonTooLong},
		{"revoke an unknown assignment", admin, revoke(uuid.New()), roles.ErrAssignmentNotFound},
		{"revoke another institution's assignment", admin, revoke(foreignAssignment), roles.ErrAssignmentNotFound},
		{"revoke naming the wrong account", admin,
			roles.Request{Action: roles.ActionRevoke, Assignment: clerkRole, Account: machine}, roles.ErrAssignmentNotFound},
		{"revoke twice", admin, revoke(revoked), roles.ErrAlreadyRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.do(tt.grantor, tt.req)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var r *roles.Refusal
			if !errors.As(err, &r) || r.Code == "" || r.Message == "" || r.MessageEn == "" {
				t.Fatalf("refusal %#v lacks a code or a message", r)
			}
		})
	}

	t.Run("the refusal names the permissions lacking", func(t *testing.T) {
		_, err := w.do(hr, assign(clerk, "registrar"))
		if err == nil || !strings.Contains(err.Error(), "registry.export") {
			t.Fatalf("error = %v, want it to name registry.export", err)
		}
	})
}

func TestLastAdministrator(t *testing.T) {
	w := newWorld(t)
	first := w.account("staff", w.inst)
	firstRole := w.grant(w.inst, first, "administrator", uuid.Nil, -1)
	// An administrator of one department holds every permission (the
	// grant's permissions count institution-wide) but does not keep the
	// institution administered as a whole.
	deptAdmin := w.account("staff", w.inst)
	w.grant(w.inst, deptAdmin, "administrator", w.dept, -1)
	grantor := w.principal(deptAdmin)
	// Nor does one that starts tomorrow.
	w.grant(w.inst, w.account("staff", w.inst), "administrator", uuid.Nil, 1)

	if _, err := w.do(grantor, roles.Request{Action: roles.ActionRevoke, Assignment: firstRole}); !errors.Is(err, roles.ErrLastAdministrator) {
		t.Fatalf("revoking the only administrator: %v, want %v", err, roles.ErrLastAdministrator)
	}
	second, err := w.do(grantor, roles.Request{Action: roles.ActionAssign, Account: w.account("staff", w.inst), Role: "administrator"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.do(grantor, roles.Request{Action: roles.ActionRevoke, Assignment: firstRole}); err != nil {
		t.Fatalf("revoking one of two administrators: %v", err)
	}
	if _, err := w.do(grantor, roles.Request{Action: roles.ActionRevoke, Assignment: second.ID}); !errors.Is(err, roles.ErrLastAdministrator) {
		t.Fatalf("revoking the last administrator: %v, want %v", err, roles.ErrLastAdministrator)
	}
}

// Two administrators revoking each other at the same time: without the
// lock both would see the other still there and both would succeed.
func TestConcurrentRevocationsKeepAnAdministrator(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b := w.account("staff", w.inst), w.account("staff", w.inst)
	aRole := w.grant(w.inst, a, "administrator", uuid.Nil, -1)
	bRole := w.grant(w.inst, b, "administrator", uuid.Nil, -1)
	// Both were authenticated while both were administrators.
	pa, pb := w.principal(a), w.principal(b)

	revoke := func(grantor *access.Principal, id uuid.UUID, holding chan<- struct{}, release <-chan struct{}) error {
		return db.ScopedTx(ctx, w.d.App, db.Scope{Institution: w.inst, Account: grantor.Account}, func(tx pgx.Tx) error {
			if _, err := roles.Check(ctx, tx, grantor, roles.Request{Action: roles.ActionRevoke, Institution: w.inst,
				Assignment: id, Reason: "Încetarea contractului"}); err != nil {
				return err
			}
			if _, err := roles.Revoke(ctx, tx, w.inst, id, grantor.Account, "Încetarea contractului"); err != nil {
				return err
			}
			if holding != nil {
				close(holding)
				<-release
			}
			return nil
		})
	}
	holding, release := make(chan struct{}), make(chan struct{})
	firstDone, secondDone := make(chan error, 1), make(chan error, 1)
	go func() { firstDone <- revoke(pa, bRole, holding, release) }()
	select {
	case <-holding:
	case err := <-firstDone:
		t.Fatalf("first revocation: %v", err)
	}
	go func() { secondDone <- revoke(pb, aRole, nil, nil) }()
	// Let the first commit once the second waits for its lock; had the
	// second not waited, it has finished by then, and says so below.
	waiting := func() bool {
		var n bool
		err := w.d.Owner.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&n)
		return err == nil && n
	}
	poll.Until(t, 10*time.Second, "the second revocation to wait on the first's lock", waiting)
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("first revocation: %v", err)
	}
	if err := <-secondDone; !errors.Is(err, roles.ErrLastAdministrator) {
		t.Fatalf("second revocation: %v, want %v", err, roles.ErrLastAdministrator)
	}
	var active int
	if err := w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM role_assignment WHERE institution_id = $1 AND role_code = 'administrator' AND revoked_at IS NULL`,
		w.inst).Scan(&active); err != nil || active != 1 {
		t.Fatalf("active administrators = %d (%v), want 1", active, err)
	}
}

func TestLoadActor(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	machine := w.account("machine", w.inst)
	w.grant(w.inst, machine, "integration", uuid.Nil, -1)
	w.grant(w.inst, machine, "clerk", uuid.Nil, 2) // not yet
	load := func(inst, account uuid.UUID) (*access.Principal, error) {
		var p *access.Principal
		err := db.ScopedTx(ctx, w.d.App, db.Scope{Institution: inst, Account: account}, func(tx pgx.Tx) (err error) {
			p, err = roles.LoadActor(ctx, tx, inst, account)
			return err
		})
		return p, err
	}
	p, err := load(w.inst, machine)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != access.Machine || p.Institution != w.inst || !p.Can(roles.PermAssign, w.inst) || p.Can("requests.read", w.inst) {
		t.Fatalf("principal %+v", p)
	}
	for name, c := range map[string]struct{ inst, account uuid.UUID }{
		"a staff member":                {w.inst, w.staff(w.inst, "administrator")},
		"another institution's machine": {w.inst, w.account("machine", w.other)},
		"an unknown account":            {w.inst, uuid.New()},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := load(c.inst, c.account); !errors.Is(err, roles.ErrActorNotAllowed) {
				t.Fatalf("error = %v, want %v", err, roles.ErrActorNotAllowed)
			}
		})
	}
}

func ExampleRefusal() {
	err := fmt.Errorf("assign: %w", roles.ErrOwnRoles)
	var r *roles.Refusal
	if errors.As(err, &r) {
		fmt.Println(r.Code, errors.Is(err, roles.ErrOwnRoles))
	}
	// Output: own_roles true
}
