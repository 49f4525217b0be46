package requests_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

type fixture struct {
	d                               *dbtest.DB
	inst, dept, register, applicant uuid.UUID
	clerk                           uuid.UUID
	types                           map[string]requesttypes.Version // by regime
}

var (
	citizen = requests.Actor{Kind: "citizen"}
	staff   = requests.Actor{Kind: "staff"}
)

func setUp(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{d: dbtest.New(t), inst: uuid.New(), dept: uuid.New(), register: uuid.New(), applicant: uuid.New(),
		clerk: uuid.New(), types: map[string]requesttypes.Version{}}
	citizen.Account, staff.Account = f.applicant, f.clerk
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Lugoj')`, []any{f.inst}},
		{`INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'RRPA', 'Registratură', 'service')`, []any{f.inst, f.dept}},
		{`INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', 'ioana@example.ro', 'Ioana')`, []any{f.applicant}},
		{`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, 'clerk@lugoj.ro', 'Clerk')`, []any{f.clerk, f.inst}},
	} {
		if _, err := f.d.Owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	err := f.tx(func(ctx context.Context, tx pgx.Tx) error {
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: f.register, Code: "I", Name: "Intrări", Kind: "incoming"}); err != nil {
			return err
		}
		for _, regime := range []string{requesttypes.Petition, requesttypes.PublicInformation} {
			v := requesttypes.Version{Institution: f.inst, Name: "Cerere " + regime, Form: json.RawMessage(`{"type":"object"}`),
				Department: f.dept, Regime: regime, Register: f.register}
			typ, _, err := requesttypes.Create(ctx, tx, requesttypes.Type{Institution: f.inst, Code: strings.ReplaceAll(regime, "_", "-")}, v)
			if err != nil {
				return err
			}
			if f.types[regime], err = requesttypes.Publish(ctx, tx, f.inst, typ.ID, uuid.Nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) tx(fn func(context.Context, pgx.Tx) error) error {
	ctx := context.Background()
	return db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// submit stores a request of the regime's type and registers it at at.
func (f fixture) submit(t *testing.T, regime string, identified bool, at time.Time) (requests.Request, []requests.Change) {
	t.Helper()
	return f.submitRequest(t, regime, requests.Request{Identified: identified}, []requests.File{{Kind: "anexe", Title: "Anexa",
		Name: "a.pdf", SHA256: strings.Repeat("a", 64), Size: 10, MediaType: "application/pdf", ObjectKey: "k"}}, at)
}

// submitRequest stores r, with the regime's type, the fixture's applicant,
// department and register filled in, and files, then registers it at at.
func (f fixture) submitRequest(t *testing.T, regime string, r requests.Request, files []requests.File, at time.Time) (requests.Request, []requests.Change) {
	t.Helper()
	v := f.types[regime]
	r.Institution, r.Type, r.TypeVersion, r.Title = f.inst, v.Type, v.Version, v.Name
	r.Applicant, r.Department, r.Register, r.DataSealed = f.applicant, f.dept, f.register, []byte("sealed")
	var documents map[string]uuid.UUID
	for _, file := range files {
		if documents == nil {
			documents = map[string]uuid.UUID{}
		}
		documents[file.SHA256] = uuid.New()
	}
	var changes []requests.Change
	err := f.tx(func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if r, _, err = requests.Submit(ctx, tx, r, files, citizen); err != nil {
			return err
		}
		e, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: f.register, Direction: "incoming",
			Channel: "portal", Subject: v.Name, Confidentiality: "public", Party: f.applicant}, at)
		if err != nil {
			return err
		}
		r, changes, err = requests.Register(ctx, tx, f.inst, r.ID, requests.Registration{Entry: e.ID, RegisterCode: "I",
			Number: e.Number, Year: e.Year, RegisteredAt: e.RegisteredAt, VerificationCode: e.VerificationCode,
			Documents: documents})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r, changes
}

func (f fixture) apply(id uuid.UUID, a requests.Action) (requests.Request, requests.Change, error) {
	var r requests.Request
	var c requests.Change
	err := f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		r, c, err = requests.Apply(ctx, tx, f.inst, id, a)
		return err
	})
	return r, c, err
}

// Registration gives the request its number and the legal deadline of its
// regime; an unidentified petitioner's petition is filed away with the
// reason, keeping its number.
func TestRegistrationSetsDeadlineAndFilesAwayAnonymousPetitions(t *testing.T) {
	f := setUp(t)
	// Monday 2 March 2026, 10:00 in Lugoj.
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		regime     string
		identified bool
		status     string
		deadline   deadlines.Date
		events     []string
	}{
		{"identified petition", requesttypes.Petition, true, requests.Registered, mustDeadline(t, at, deadlines.Petition),
			[]string{events.TypeRequestRegistered}},
		{"public information", requesttypes.PublicInformation, false, requests.Registered, mustDeadline(t, at, deadlines.PublicInformation),
			[]string{events.TypeRequestRegistered}},
		{"anonymous petition", requesttypes.Petition, false, requests.FiledAway, mustDeadline(t, at, deadlines.Petition),
			[]string{events.TypeRequestRegistered, events.TypeRequestFiled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, changes := f.submit(t, tc.regime, tc.identified, at)
			if r.Status != tc.status || r.Number == 0 || *r.Deadline != tc.deadline {
				t.Fatalf("registered: status %s number %d deadline %v; want %s, a number, %v", r.Status, r.Number, r.Deadline, tc.status, tc.deadline)
			}
			var types []string
			for _, c := range changes {
				typ, data, ok := requests.Event(r, c)
				if !ok || data.HistoryID != c.ID || data.Number == nil || *data.Number != r.Number {
					t.Errorf("event of %s: %s %+v", c.Action, typ, data)
				}
				types = append(types, typ)
			}
			if strings.Join(types, ",") != strings.Join(tc.events, ",") {
				t.Errorf("events %v, want %v", types, tc.events)
			}
			if tc.status == requests.FiledAway && (r.ClosedAt == nil || !strings.Contains(changes[1].Note, "OG 27/2002")) {
				t.Errorf("filed away without closing or the reason: %+v %+v", r, changes[1])
			}
			files := f.files(t, r.ID)
			if len(files) != 1 || files[0].Document == uuid.Nil {
				t.Errorf("the file did not get its registry document: %+v", files)
			}
		})
	}
}

func mustDeadline(t *testing.T, at time.Time, k deadlines.Kind) deadlines.Date {
	d, err := deadlines.Deadline(at, deadlines.Regime{Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f fixture) files(t *testing.T, id uuid.UUID) []requests.File {
	t.Helper()
	var files []requests.File
	if err := f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		files, err = requests.Files(ctx, tx, f.inst, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return files
}

// The state machine: each action applies from some statuses only, and the
// refusals say why.
func TestActionsFollowTheStateMachine(t *testing.T) {
	f := setUp(t)
	at := time.Now().Add(-time.Hour)
	answer := []requests.File{{Kind: requests.KindAnswer, Title: "Răspuns", Name: "raspuns.pdf", SHA256: strings.Repeat("b", 64),
		Size: 5, MediaType: "application/pdf", ObjectKey: "k2"}}
	r, _ := f.submit(t, requesttypes.Petition, true, at)
	steps := []struct {
		name   string
		action requests.Action
		want   error
		status string
	}{
		{"provide info unasked", requests.Action{Kind: requests.ActProvideInfo, By: citizen, Note: "x"}, requests.ErrTransition, ""},
		{"assign nobody", requests.Action{Kind: requests.ActAssign, By: staff}, requests.ErrNoAssignee, ""},
		{"assign", requests.Action{Kind: requests.ActAssign, By: staff, Assignee: f.clerk}, nil, requests.Assigned},
		{"start", requests.Action{Kind: requests.ActStart, By: staff}, nil, requests.InProgress},
		{"start again", requests.Action{Kind: requests.ActStart, By: staff}, requests.ErrTransition, ""},
		{"ask without a question", requests.Action{Kind: requests.ActAskInfo, By: staff}, requests.ErrNoteRequired, ""},
		{"ask", requests.Action{Kind: requests.ActAskInfo, By: staff, Note: "Vă rugăm să trimiteți extrasul CF."}, nil, requests.InfoRequested},
		{"extend while waiting", requests.Action{Kind: requests.ActExtend, By: staff, Days: 10, Note: "x"}, requests.ErrTransition, ""},
		{"answer", requests.Action{Kind: requests.ActProvideInfo, By: citizen, Note: "Am atașat extrasul."}, nil, requests.InProgress},
		{"extend beyond 15 days", requests.Action{Kind: requests.ActExtend, By: staff, Days: 16, Note: "complex"}, requests.ErrExtension, ""},
		{"extend without reason", requests.Action{Kind: requests.ActExtend, By: staff, Days: 15}, requests.ErrNoteRequired, ""},
		{"extend", requests.Action{Kind: requests.ActExtend, By: staff, Days: 15, Note: "Necesită verificări pe teren."}, nil, requests.Extended},
		{"extend twice", requests.Action{Kind: requests.ActExtend, By: staff, Days: 1, Note: "again"}, requests.ErrAlreadyExtended, ""},
		{"stale revision", requests.Action{Kind: requests.ActReject, By: staff, Note: "x", Revision: 1}, requests.ErrStale, ""},
		{"resolve without answer", requests.Action{Kind: requests.ActResolve, By: staff}, requests.ErrNoAnswer, ""},
		{"resolve", requests.Action{Kind: requests.ActResolve, By: staff, Files: answer}, nil, requests.Resolved},
		{"reject a resolved one", requests.Action{Kind: requests.ActReject, By: staff, Note: "x"}, requests.ErrClosed, ""},
	}
	for _, s := range steps {
		got, c, err := f.apply(r.ID, s.action)
		if !errors.Is(err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
		if err != nil {
			continue
		}
		if got.Status != s.status || c.Status != s.status || got.Revision <= r.Revision {
			t.Fatalf("%s: status %s (change %s), revision %d after %d; want %s", s.name, got.Status, c.Status, got.Revision, r.Revision, s.status)
		}
		r = got
	}
	extended, err := deadlines.Extended(*r.RegisteredAt, deadlines.Regime{Kind: deadlines.Petition}, 15)
	if err != nil {
		t.Fatal(err)
	}
	if *r.Deadline != extended || r.ExtendedDays != 15 || r.ClosedAt == nil || r.Assignee != f.clerk {
		t.Errorf("after the steps: deadline %v (want %v), extended %d, closed %v, assignee %v", r.Deadline, extended, r.ExtendedDays, r.ClosedAt, r.Assignee)
	}
	var history []requests.Change
	if err := f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		history, err = requests.History(ctx, tx, f.inst, r.ID, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, c := range history {
		actions = append(actions, c.Action)
	}
	// Assignment and start are internal; everything else the applicant sees.
	if want := "submit,register,ask_info,provide_info,extend,resolve"; strings.Join(actions, ",") != want {
		t.Errorf("public history %v, want %s", actions, want)
	}
	if files := f.files(t, r.ID); len(files) != 2 || files[1].Kind != requests.KindAnswer {
		t.Errorf("files %+v, want the attachment and the answer", files)
	}
}

// A forward is recorded late, not refused, after five days.
func TestForwardRecordsLateness(t *testing.T) {
	f := setUp(t)
	for _, tc := range []struct {
		name string
		ago  time.Duration
		late bool
	}{
		{"in time", 2 * 24 * time.Hour, false},
		{"late", 9 * 24 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := f.submit(t, requesttypes.Petition, true, time.Now().Add(-tc.ago))
			if _, _, err := f.apply(r.ID, requests.Action{Kind: requests.ActForward, By: staff}); !errors.Is(err, requests.ErrNoDestination) {
				t.Fatalf("forward nowhere: %v", err)
			}
			got, c, err := f.apply(r.ID, requests.Action{Kind: requests.ActForward, By: staff, Destination: "Consiliul Județean Timiș", Note: "competență"})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != requests.Forwarded || c.Details["late"] != tc.late || c.Details["destination"] != "Consiliul Județean Timiș" {
				t.Errorf("forward: %s %+v", got.Status, c.Details)
			}
		})
	}
}

// The trail is never rewritten, not even by the owner; an applicant sees
// its own requests and their public history only.
func TestTrailIsImmutableAndApplicantSeesOnlyItsOwn(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	r, _ := f.submit(t, requesttypes.Petition, true, time.Now())
	if _, _, err := f.apply(r.ID, requests.Action{Kind: requests.ActAssign, By: staff, Assignee: f.clerk}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE request_history SET note = 'rewritten'`,
		`DELETE FROM request_history`,
		`UPDATE request_file SET name = 'other.pdf'`,
		`DELETE FROM request_file`,
		`TRUNCATE request_history CASCADE`,
	} {
		if _, err := f.d.Owner.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "never rewritten") {
			t.Errorf("%s as owner: %v, want a refusal", sql, err)
		}
	}
	other := uuid.New()
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', 'x@example.ro', 'X')`, other); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		account uuid.UUID
		mine    int
		history int
	}{
		{"applicant", f.applicant, 1, 2}, // submit, register; not the assignment
		{"another citizen", other, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.ScopedTx(ctx, f.d.App, db.Scope{Account: tc.account}, func(tx pgx.Tx) error {
				mine, next, err := requests.Mine(ctx, tx, tc.account, nil, 10)
				if err != nil || len(mine) != tc.mine || next != nil {
					t.Errorf("mine: %d %v %v, want %d", len(mine), next, err, tc.mine)
				}
				// Even asking for all rows, row-level security keeps internal ones out.
				h, err := requests.History(ctx, tx, f.inst, r.ID, false)
				if err != nil || len(h) != tc.history {
					t.Errorf("history: %d rows %v, want %d", len(h), err, tc.history)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The work list is by deadline, paged with a cursor; the public status
// needs the right code.
func TestWorkListAndPublicStatus(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	now := time.Now()
	var made []requests.Request
	for _, ago := range []int{1, 20, 5, 12} {
		r, _ := f.submit(t, requesttypes.Petition, true, now.AddDate(0, 0, -ago))
		made = append(made, r)
	}
	var order []uuid.UUID
	var after *requests.Cursor
	for page := 0; page < 5; page++ {
		var list []requests.Request
		err := f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
			list, after, err = requests.Work(ctx, tx, f.inst, requests.WorkFilter{Departments: []uuid.UUID{f.dept}}, after, 3)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			order = append(order, r.ID)
		}
		if after == nil {
			break
		}
		if round, err := requests.ParseCursor(after.Encode()); err != nil || round != *after {
			t.Fatalf("cursor round trip: %+v %v", round, err)
		}
	}
	want := []uuid.UUID{made[1].ID, made[3].ID, made[2].ID, made[0].ID}
	if len(order) != len(want) {
		t.Fatalf("work list %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("work list %v, want %v (oldest deadline first)", order, want)
		}
	}
	r := made[0]
	err := db.ScopedTx(ctx, f.d.App, db.Scope{Institution: f.inst}, func(tx pgx.Tx) error {
		p, err := requests.PublicStatus(ctx, tx, f.inst, r.Year, r.Number, r.VerificationCode)
		if err != nil || p.Status != requests.Registered || p.Number != r.Number || p.Deadline != *r.Deadline {
			t.Errorf("public status: %+v %v", p, err)
		}
		if _, err := requests.PublicStatus(ctx, tx, f.inst, r.Year, r.Number, "WRONGCODE1"); !errors.Is(err, requests.ErrNotFound) {
			t.Errorf("wrong code: %v", err)
		}
		// The code as people copy it: in small letters, in groups.
		copied := strings.ToLower(r.VerificationCode[:5] + " " + r.VerificationCode[5:])
		if p, err := requests.PublicStatus(ctx, tx, f.inst, r.Year, r.Number, copied); err != nil || p.Number != r.Number {
			t.Errorf("code %q: %+v %v", copied, p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The deadline watch finds the open requests whose deadline is the given
// days away, in every institution, with their latest change.
func TestDueFindsOpenRequestsNearTheirDeadline(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	today := deadlines.DateOf(time.Now())
	var want []uuid.UUID
	for _, tc := range []struct {
		daysLeft int
		closed   bool
		due      bool
	}{{3, false, true}, {1, false, true}, {0, false, true}, {2, false, false}, {5, false, false}, {1, true, false}} {
		r, _ := f.submit(t, requesttypes.Petition, true, time.Now())
		if tc.closed {
			if _, _, err := f.apply(r.ID, requests.Action{Kind: requests.ActReject, By: staff, Note: "nu"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.d.Owner.Exec(ctx, `UPDATE request SET deadline = $2::date WHERE id = $1`, r.ID, today.AddDays(tc.daysLeft).String()); err != nil {
			t.Fatal(err)
		}
		if tc.due {
			want = append(want, r.ID)
		}
	}
	var got []uuid.UUID
	err := db.PlatformTx(ctx, f.d.App, func(tx pgx.Tx) error {
		due, last, err := requests.Due(ctx, tx, today, []int{3, 1, 0})
		for i, r := range due {
			got = append(got, r.ID)
			if last[i] < 1 {
				t.Errorf("request %s: latest change %d", r.ID, last[i])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(want, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	slices.SortFunc(got, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	if !slices.Equal(got, want) {
		t.Errorf("due %v, want %v", got, want)
	}
}

// The overview counts, on Romanian days, the requests registered, resolved
// and otherwise closed each day, and those open past their term at each
// day's end; today's load counts the open, the overdue and the due soon.
func TestOverviewCountsWorkByDay(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	ro, err := time.LoadLocation(deadlines.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, time.March, day, hour, 30, 0, 0, ro) }
	// Registered 00:30 Romanian time on 2 March is 1 March in UTC: the
	// Romanian day counts.
	early, _ := f.submit(t, requesttypes.Petition, true, at(2, 0))
	resolved, _ := f.submit(t, requesttypes.Petition, true, at(2, 10))
	rejected, _ := f.submit(t, requesttypes.Petition, true, at(3, 9))
	open, _ := f.submit(t, requesttypes.Petition, true, at(4, 9))
	close := func(r requests.Request, status string, when time.Time) {
		t.Helper()
		if _, err := f.d.Owner.Exec(ctx, `UPDATE request SET status = $3, closed_at = $4 WHERE institution_id = $1 AND id = $2`,
			f.inst, r.ID, status, when); err != nil {
			t.Fatal(err)
		}
	}
	setDeadline := func(r requests.Request, d string) {
		t.Helper()
		if _, err := f.d.Owner.Exec(ctx, `UPDATE request SET deadline = $3::date WHERE institution_id = $1 AND id = $2`,
			f.inst, r.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	close(resolved, requests.Resolved, at(4, 23))
	close(rejected, requests.Rejected, at(5, 8))
	// Short terms, to see requests fall overdue inside the period: early
	// is overdue from the 5th until it is resolved at the end of the 6th.
	setDeadline(early, "2026-03-04")
	setDeadline(open, "2026-03-05")
	close(early, requests.Resolved, at(6, 23))

	var o requests.Overview
	read := func(depts []uuid.UUID, from, to, today deadlines.Date) error {
		return f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
			o, err = requests.ReadOverview(ctx, tx, f.inst, depts, from, to, today)
			return err
		})
	}
	day := func(d int) deadlines.Date { return deadlines.Date{Year: 2026, Month: time.March, Day: d} }
	if err := read([]uuid.UUID{f.dept}, day(1), day(8), day(6)); err != nil {
		t.Fatal(err)
	}
	want := []requests.Day{
		{Day: day(1)},
		{Day: day(2), Received: 2},
		{Day: day(3), Received: 1},
		{Day: day(4), Received: 1, Resolved: 1},
		{Day: day(5), ClosedOtherwise: 1, Overdue: 1},
		{Day: day(6), Resolved: 1, Overdue: 1},
		{Day: day(7), Overdue: 1},
		{Day: day(8), Overdue: 1},
	}
	if len(o.Days) != len(want) {
		t.Fatalf("days %+v, want %+v", o.Days, want)
	}
	for i := range want {
		if o.Days[i] != want[i] {
			t.Errorf("day %s: %+v, want %+v", want[i].Day, o.Days[i], want[i])
		}
	}
	if len(o.Departments) != 1 || o.Departments[0] != (requests.Load{Department: f.dept, Name: "Registratură", Open: 1, Overdue: 1}) {
		t.Errorf("load %+v, want the one open request overdue", o.Departments)
	}
	// Were today the 4th, the open request would be due tomorrow: due soon.
	if err := read([]uuid.UUID{f.dept}, day(1), day(1), day(4)); err != nil {
		t.Fatal(err)
	}
	if l := o.Departments[0]; l.Open != 1 || l.Overdue != 0 || l.DueSoon != 1 {
		t.Errorf("load on the 4th %+v, want the open request due soon", l)
	}

	// Departments not asked for count nothing.
	if err := read([]uuid.UUID{}, day(1), day(8), day(6)); err != nil {
		t.Fatal(err)
	}
	for _, d := range o.Days {
		if d != (requests.Day{Day: d.Day}) {
			t.Errorf("no departments, day %+v counted", d)
		}
	}
	if len(o.Departments) != 0 {
		t.Errorf("no departments, load %+v", o.Departments)
	}

	for _, bad := range [][2]deadlines.Date{{day(5), day(4)}, {day(1), day(1).AddDays(requests.MaxOverviewDays)}} {
		if err := read([]uuid.UUID{f.dept}, bad[0], bad[1], day(6)); err == nil {
			t.Errorf("period %s to %s accepted", bad[0], bad[1])
		}
	}
}

// TestLegalTermsOfExtensionAndRefusal: a public information request's term
// may be prolonged to 30 days in all, only while its 10 days run; a
// petition's by at most 15 days; a refusal of public information after its
// 5 days (Law 544/2001 art. 7(2)) is recorded as late. Registered on
// Saturday 4 April 2026: the 5 days end on Good Friday (10 April), moved
// over Easter to Tuesday 14 April; the 10 days end on Wednesday 15 April; 30
// days in all on Tuesday 5 May; a petition's 30 on 5 May, 45 on 20 May.
func TestLegalTermsOfExtensionAndRefusal(t *testing.T) {
	f := setUp(t)
	bucharest, err := time.LoadLocation(deadlines.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	on := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, bucharest)
	}
	registered := on(time.April, 4, 10)
	pi, petition := requesttypes.PublicInformation, requesttypes.Petition
	tests := []struct {
		name     string
		regime   string
		action   requests.Action
		want     error
		maxDays  int    // of the ExtensionError, when want is ErrExtension
		deadline string // after the action
		late     any    // the rejection's "late" detail; nil: none recorded
	}{
		{"PI beyond 30 days in all", pi, requests.Action{Kind: requests.ActExtend, Days: 21, At: on(time.April, 6, 9)},
			requests.ErrExtension, 20, "", nil},
		{"PI to 30 days in all, on the last of its 10", pi, requests.Action{Kind: requests.ActExtend, Days: 20, At: on(time.April, 15, 23)},
			nil, 0, "2026-05-05", nil},
		{"PI extended after its 10 days", pi, requests.Action{Kind: requests.ActExtend, Days: 5, At: on(time.April, 16, 8)},
			requests.ErrExtensionLate, 0, "", nil},
		{"petition beyond 15 days", petition, requests.Action{Kind: requests.ActExtend, Days: 16, At: on(time.April, 10, 9)},
			requests.ErrExtension, 15, "", nil},
		{"petition by 15 days", petition, requests.Action{Kind: requests.ActExtend, Days: 15, At: on(time.April, 10, 9)},
			nil, 0, "2026-05-20", nil},
		{"PI refused within 5 days, moved over Easter", pi, requests.Action{Kind: requests.ActReject, At: on(time.April, 14, 18)},
			nil, 0, "2026-04-15", false},
		{"PI refused after 5 days", pi, requests.Action{Kind: requests.ActReject, At: on(time.April, 15, 9)},
			nil, 0, "2026-04-15", true},
		{"petition refused: no refusal term of its own", petition, requests.Action{Kind: requests.ActReject, At: on(time.April, 30, 9)},
			nil, 0, "2026-05-05", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := f.submit(t, tt.regime, true, registered)
			a := tt.action
			a.By, a.Note = staff, "Motivul, cu temeiul legal."
			got, c, err := f.apply(r.ID, a)
			if !errors.Is(err, tt.want) {
				t.Fatalf("%s: %v, want %v", a.Kind, err, tt.want)
			}
			if tt.maxDays != 0 {
				var ext *requests.ExtensionError
				if !errors.As(err, &ext) || ext.Max != tt.maxDays {
					t.Errorf("extension refused with %#v, want at most %d days", err, tt.maxDays)
				}
			}
			if err != nil {
				return
			}
			if got.Deadline == nil || got.Deadline.String() != tt.deadline {
				t.Errorf("deadline %v, want %s", got.Deadline, tt.deadline)
			}
			if late, recorded := c.Details["late"]; late != tt.late || recorded != (tt.late != nil) {
				t.Errorf("late %v (recorded %v), want %v; details %v", late, recorded, tt.late, c.Details)
			}
		})
	}

	// Staff see both terms; the extension's cap goes once the term ends or
	// it is used.
	for _, tt := range []struct {
		regime    string
		now       time.Time
		maxDays   int
		refusalBy any
	}{
		{pi, on(time.April, 6, 9), 20, "2026-04-14"},
		{pi, on(time.April, 16, 9), 0, "2026-04-14"},
		{petition, on(time.April, 6, 9), 15, nil},
	} {
		r, _ := f.submit(t, tt.regime, true, registered)
		s := requests.Summarize(r, tt.now)
		var refusalBy any
		if s.RefusalDeadline != nil {
			refusalBy = *s.RefusalDeadline
		}
		if s.MaxExtensionDays != tt.maxDays || refusalBy != tt.refusalBy {
			t.Errorf("%s on %s: maxExtensionDays %d, refusalDeadline %v; want %d, %v",
				tt.regime, tt.now.Format(time.DateOnly), s.MaxExtensionDays, refusalBy, tt.maxDays, tt.refusalBy)
		}
	}
	// A custom term keeps the petitions' cap, whatever its length.
	for _, days := range []int{2, 30, 365} {
		r := requests.Request{Regime: requesttypes.Custom, CustomDays: days}
		if got := r.MaxExtensionDays(); got != requests.CustomExtensionMaxDays {
			t.Errorf("custom %d days: MaxExtensionDays %d, want %d", days, got, requests.CustomExtensionMaxDays)
		}
	}
}
