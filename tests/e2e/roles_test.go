package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// eventSink is a subscriber that keeps every event delivered to it.
type eventSink struct {
	*httptest.Server
	mu  sync.Mutex
	got []cloudevents.Event
}

func newEventSink(t *testing.T) *eventSink {
	s := &eventSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.got = append(s.got, *e)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.Close)
	return s
}

// find returns the events of type typ whose data field key is value.
func (s *eventSink) find(t *testing.T, typ, key, value string) []cloudevents.Event {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cloudevents.Event
	for _, e := range s.got {
		if e.Type() != typ {
			continue
		}
		var data map[string]any
		if err := json.Unmarshal(e.Data(), &data); err != nil {
			t.Fatalf("event %s: %v", e.ID(), err)
		}
		if v, _ := data[key].(string); v == value {
			out = append(out, e)
		}
	}
	return out
}

// waitFor waits for exactly one such event and returns its data.
func (s *eventSink) waitFor(t *testing.T, typ, key, value string) map[string]any {
	t.Helper()
	poll.Until(t, 30*time.Second, typ+" with "+key+" "+value, func() bool { return len(s.find(t, typ, key, value)) > 0 })
	found := s.find(t, typ, key, value)
	if len(found) != 1 {
		t.Fatalf("%d %s events with %s %s, want 1", len(found), typ, key, value)
	}
	if events.Institution(found[0]) == uuid.Nil {
		t.Errorf("%s has no %s extension", typ, events.ExtInstitution)
	}
	var data map[string]any
	_ = json.Unmarshal(found[0].Data(), &data)
	return data
}

// roleWorld is two institutions and their people, seeded as the owner.
type roleWorld struct {
	t          *testing.T
	p          *platform
	a, b       uuid.UUID // institutions
	department uuid.UUID // of a
}

func seedRoleWorld(t *testing.T, p *platform) *roleWorld {
	w := &roleWorld{t: t, p: p, a: uuid.New(), b: uuid.New(), department: uuid.New()}
	w.exec(`INSERT INTO institution (id, cif, name) VALUES ($1, $2, 'Primăria Municipiului Lugoj'), ($3, $4, 'Spitalul Municipal Lugoj')`,
		w.a, uuid.NewString()[:8], w.b, uuid.NewString()[:8])
	w.exec(`INSERT INTO department (institution_id, id, kind, code, name) VALUES ($1, $2, 'service', 'RU', 'Serviciul Resurse Umane')`,
		w.a, w.department)
	// A role for the HR office: it may assign roles, and holds nothing else.
	w.exec(`INSERT INTO role (code, name_ro, name_en) VALUES ('personnel', 'Resurse umane', 'Personnel') ON CONFLICT DO NOTHING`)
	w.exec(`INSERT INTO role_permission (role_code, permission_code) VALUES ('personnel', 'roles.assign') ON CONFLICT DO NOTHING`)
	return w
}

func (w *roleWorld) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.p.db.Owner.Exec(context.Background(), sql, args...); err != nil {
		w.t.Fatalf("seed: %v\n%s", err, sql)
	}
}

// account adds an account of kind (staff and machines of inst) holding
// roles in inst; a role "administrator@dept" is limited to w.department.
func (w *roleWorld) account(kind string, inst uuid.UUID, roleCodes ...string) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	var instID *uuid.UUID
	if kind == "staff" || kind == "machine" {
		instID = &inst
	}
	// Staff have set up the second factor the platform asks of administrators.
	w.exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at)
		VALUES ($1, $2, $3, $4, now(), 'Test', CASE WHEN $2 = 'staff' THEN now() END)`,
		id, kind, instID, uniqueEmail(kind))
	for _, r := range roleCodes {
		var dept *uuid.UUID
		if r == "administrator@dept" {
			r, dept = "administrator", &w.department
		}
		w.exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, reason)
			VALUES ($1, $2, $3, $4, $5, $6::date, 'seed')`, inst, uuid.New(), id, r, dept, dbtest.Day(-1))
	}
	return id
}

// client is an API client signed in as account (anonymous for uuid.Nil),
// calling assign-role directly.
func (w *roleWorld) client(account uuid.UUID) *apiClient {
	w.t.Helper()
	c := &apiClient{t: w.t, base: w.p.functions["assign-role"], http: &http.Client{Timeout: 30 * time.Second}, ip: "198.51.100.20"}
	if account == uuid.Nil {
		return c
	}
	err := db.PlatformTx(context.Background(), w.p.db.App, func(tx pgx.Tx) (err error) {
		c.bearer, _, err = access.OpenSession(context.Background(), tx, access.NewSession{Account: account, Kind: "api"})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *roleWorld) path(inst uuid.UUID) string {
	return "/api/institutions/" + inst.String() + "/role-assignments"
}

// audited reports how many audit rows of action there are for assignment
// id, with actor and actor kind.
func (w *roleWorld) audited(action, id string, actor uuid.UUID, kind string) int {
	w.t.Helper()
	var n int
	err := w.p.db.Owner.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE institution_id = $1 AND action = $2 AND object_type = 'role_assignment' AND object_id = $3
		  AND actor_id = $4 AND actor_kind = $5 AND new_value IS NOT NULL AND reason <> ''`,
		w.a, action, id, actor, kind).Scan(&n)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

type roleAssignmentJSON struct {
	ID           string  `json:"id"`
	AccountID    string  `json:"accountId"`
	Role         string  `json:"role"`
	DepartmentID *string `json:"departmentId"`
	ValidFrom    string  `json:"validFrom"`
	GrantedBy    *string `json:"grantedBy"`
	RevokedAt    *string `json:"revokedAt"`
	RevokedBy    *string `json:"revokedBy"`
	RevokeReason *string `json:"revokeReason"`
}

// bucharestDay is the date days from today in Europe/Bucharest, as the API takes it.
func bucharestDay(t *testing.T, days int) string {
	t.Helper()
	return time.Now().In(bucharest(t)).AddDate(0, 0, days).Format(time.DateOnly)
}

func wantProblem(t *testing.T, r response, status int, code string) {
	t.Helper()
	r.want(t, status)
	if r.problemCode() != code {
		t.Fatalf("code = %q, want %q: %s", r.problemCode(), code, r.body)
	}
}

func TestRoleAssignmentByHTTP(t *testing.T) {
	sink := newEventSink(t)
	p := startPlatform(t, trigger("role-events", "prefix: {type: ro.ghiseu.role.}", sink.URL, 3), nil, "assign-role")
	w := seedRoleWorld(t, p)
	adminID := w.account("staff", w.a, "administrator")
	admin := w.client(adminID)
	clerkID := w.account("staff", w.a)
	clerk := w.client(clerkID)

	var assigned roleAssignmentJSON
	t.Run("an administrator assigns a role, in force at once", func(t *testing.T) {
		clerk.do(http.MethodGet, w.path(w.a), nil).want(t, http.StatusForbidden)
		admin.do(http.MethodPost, w.path(w.a), map[string]any{"accountId": clerkID, "role": "auditor",
			"departmentId": w.department, "reason": "Decizia nr. 41/2025"}).want(t, http.StatusCreated).json(t, &assigned)
		if assigned.AccountID != clerkID.String() || assigned.Role != "auditor" || assigned.DepartmentID == nil ||
			*assigned.DepartmentID != w.department.String() || assigned.GrantedBy == nil || *assigned.GrantedBy != adminID.String() ||
			assigned.ValidFrom == "" || assigned.RevokedAt != nil {
			t.Fatalf("assigned %+v", assigned)
		}
		// auditor holds users.read: the clerk now lists the assignments.
		var page struct {
			Assignments []roleAssignmentJSON `json:"assignments"`
			Next        *string              `json:"next"`
		}
		clerk.do(http.MethodGet, w.path(w.a)+"?account="+clerkID.String(), nil).want(t, http.StatusOK).json(t, &page)
		if len(page.Assignments) != 1 || page.Assignments[0].ID != assigned.ID || page.Next != nil {
			t.Fatalf("the clerk's assignments: %+v", page)
		}
		data := sink.waitFor(t, events.TypeRoleAssigned, "assignmentId", assigned.ID)
		if data["accountId"] != clerkID.String() || data["role"] != "auditor" || data["by"] != adminID.String() ||
			data["reason"] != "Decizia nr. 41/2025" || data["institutionId"] != w.a.String() {
			t.Errorf("assigned event data %v", data)
		}
		if n := w.audited("role.assign", assigned.ID, adminID, "staff"); n != 1 {
			t.Errorf("%d audit rows of the assignment, want 1", n)
		}
	})

	t.Run("the list pages", func(t *testing.T) {
		var page struct {
			Assignments []roleAssignmentJSON `json:"assignments"`
			Next        *string              `json:"next"`
		}
		admin.do(http.MethodGet, w.path(w.a)+"?limit=1", nil).want(t, http.StatusOK).json(t, &page)
		if len(page.Assignments) != 1 || page.Next == nil {
			t.Fatalf("first page %+v", page)
		}
		first := page.Assignments[0].ID
		admin.do(http.MethodGet, w.path(w.a)+"?limit=1&after="+*page.Next, nil).want(t, http.StatusOK).json(t, &page)
		if len(page.Assignments) != 1 || page.Assignments[0].ID == first {
			t.Fatalf("second page %+v", page)
		}
		r := admin.do(http.MethodGet, w.path(w.a)+"?limit=0&includeRevoked=maybe", nil)
		wantProblem(t, r, http.StatusUnprocessableEntity, "invalid_input")
	})

	t.Run("revoking takes effect at once", func(t *testing.T) {
		var revoked roleAssignmentJSON
		admin.do(http.MethodDelete, w.path(w.a)+"/"+assigned.ID, map[string]string{"reason": "Încheierea auditului"}).
			want(t, http.StatusOK).json(t, &revoked)
		if revoked.ID != assigned.ID || revoked.RevokedAt == nil || revoked.RevokedBy == nil || *revoked.RevokedBy != adminID.String() ||
			revoked.RevokeReason == nil || *revoked.RevokeReason != "Încheierea auditului" {
			t.Fatalf("revoked %+v", revoked)
		}
		clerk.do(http.MethodGet, w.path(w.a), nil).want(t, http.StatusForbidden)
		data := sink.waitFor(t, events.TypeRoleRevoked, "assignmentId", assigned.ID)
		if data["by"] != adminID.String() || data["reason"] != "Încheierea auditului" {
			t.Errorf("revoked event data %v", data)
		}
		if n := w.audited("role.revoke", assigned.ID, adminID, "staff"); n != 1 {
			t.Errorf("%d audit rows of the revocation, want 1", n)
		}
		r := admin.do(http.MethodDelete, w.path(w.a)+"/"+assigned.ID, map[string]string{"reason": "Încă o dată"})
		wantProblem(t, r, http.StatusConflict, "already_revoked")
	})

	t.Run("refusals", func(t *testing.T) {
		// A head of department who may assign roles, but holds no
		// administrator's permissions.
		head := w.client(w.account("staff", w.a, "head_of_department", "personnel"))
		// An administrator of one department only: every permission, but
		// not the institution's administrator.
		deptAdmin := w.client(w.account("staff", w.a, "administrator@dept"))
		otherAdmin := w.client(w.account("staff", w.b, "administrator"))
		citizen := w.client(w.account("person", uuid.Nil))
		foreignStaff := w.account("staff", w.b)
		var adminAssignment string
		if err := p.db.Owner.QueryRow(context.Background(), `SELECT id FROM role_assignment WHERE account_id = $1`, adminID).
			Scan(&adminAssignment); err != nil {
			t.Fatal(err)
		}
		body := func(account uuid.UUID, role string) map[string]any {
			return map[string]any{"accountId": account, "role": role, "reason": "Decizia nr. 42/2025"}
		}
		for _, tc := range []struct {
			name   string
			c      *apiClient
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"a head of department cannot grant administrator", head, http.MethodPost, w.path(w.a), body(clerkID, "administrator"),
				http.StatusForbidden, "grant_exceeds_own_permissions"},
			{"nobody changes their own roles", admin, http.MethodPost, w.path(w.a), body(adminID, "auditor"),
				http.StatusForbidden, "own_roles"},
			{"nor revokes them", admin, http.MethodDelete, w.path(w.a) + "/" + adminAssignment, map[string]string{"reason": "Plec din instituție"},
				http.StatusForbidden, "own_roles"},
			{"the last administrator stays", deptAdmin, http.MethodDelete, w.path(w.a) + "/" + adminAssignment,
				map[string]string{"reason": "Reorganizare"}, http.StatusConflict, "last_administrator"},
			{"another institution's administrator", otherAdmin, http.MethodPost, w.path(w.a), body(clerkID, "clerk"),
				http.StatusForbidden, "forbidden"},
			{"a citizen", citizen, http.MethodPost, w.path(w.a), body(clerkID, "clerk"), http.StatusForbidden, "forbidden"},
			{"anonymous", w.client(uuid.Nil), http.MethodPost, w.path(w.a), body(clerkID, "clerk"), http.StatusUnauthorized, "unauthenticated"},
			{"another institution's staff is not found", admin, http.MethodPost, w.path(w.a), body(foreignStaff, "clerk"),
				http.StatusNotFound, "account_not_found"},
			{"an unknown assignment", admin, http.MethodDelete, w.path(w.a) + "/" + uuid.NewString(), map[string]string{"reason": "Reorganizare"},
				http.StatusNotFound, "assignment_not_found"},
			{"bad input, per field", admin, http.MethodPost, w.path(w.a), map[string]any{"accountId": "x", "role": "", "validFrom": "1 martie"},
				http.StatusUnprocessableEntity, "invalid_input"},
			{"a reason too short", admin, http.MethodPost, w.path(w.a), map[string]any{"accountId": clerkID, "role": "clerk", "reason": "da"},
				http.StatusUnprocessableEntity, "invalid_input"},
			{"valid only in the past", admin, http.MethodPost, w.path(w.a), map[string]any{"accountId": clerkID, "role": "clerk",
				"reason": "Decizia nr. 42/2025", "validFrom": bucharestDay(t, -10), "validUntil": bucharestDay(t, -1)},
				http.StatusUnprocessableEntity, "invalid_input"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantProblem(t, tc.c.do(tc.method, tc.path, tc.body), tc.status, tc.code)
			})
		}
		t.Run("a period in the past names validUntil", func(t *testing.T) {
			r := admin.do(http.MethodPost, w.path(w.a), map[string]any{"accountId": clerkID, "role": "clerk",
				"reason": "Decizia nr. 42/2025", "validFrom": bucharestDay(t, -10), "validUntil": bucharestDay(t, -1)})
			var prob struct {
				Errors []struct{ Field, Code string } `json:"errors"`
			}
			r.want(t, http.StatusUnprocessableEntity).json(t, &prob)
			if len(prob.Errors) != 1 || prob.Errors[0].Field != "validUntil" || prob.Errors[0].Code != "ends_in_past" {
				t.Fatalf("errors %+v, want validUntil ends_in_past", prob.Errors)
			}
		})
		var active int
		if err := p.db.Owner.QueryRow(context.Background(), `SELECT count(*) FROM role_assignment WHERE account_id = $1 AND revoked_at IS NULL`,
			adminID).Scan(&active); err != nil || active != 1 {
			t.Fatalf("the administrator's assignments in force: %d (%v), want 1", active, err)
		}
	})
}

// roleRequest is a request of institution's HR system, sent as actor.
func roleRequest(inst, actor uuid.UUID, data map[string]any) cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID(uuid.NewString())
	e.SetSource("/institutions/lugoj/hr")
	e.SetType(events.TypeRoleAssignmentRequested)
	e.SetExtension(events.ExtInstitution, inst.String())
	e.SetExtension("actorid", actor.String())
	_ = e.SetData(cloudevents.ApplicationJSON, data)
	return e
}

func TestRoleAssignmentByEvent(t *testing.T) {
	sink := newEventSink(t)
	p := startPlatform(t, trigger("role-events", "prefix: {type: ro.ghiseu.role.}", sink.URL, 3), nil, "assign-role")
	w := seedRoleWorld(t, p)
	w.account("staff", w.a, "administrator")
	// The HR system: it may assign roles, and holds a head of department's
	// permissions, so it can hand out a clerk's role but not more.
	hr := w.account("machine", w.a, "integration", "head_of_department")
	ctx := context.Background()
	assignments := func(account uuid.UUID) int {
		var n int
		if err := p.db.Owner.QueryRow(ctx, `SELECT count(*) FROM role_assignment WHERE account_id = $1`, account).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("a valid request is applied", func(t *testing.T) {
		clerk := w.account("staff", w.a)
		e := roleRequest(w.a, hr, map[string]any{"action": "assign", "accountId": clerk, "role": "clerk",
			"departmentId": w.department, "validUntil": "2099-12-31", "reason": "Angajare, contract nr. 7"})
		if status := p.send(t, e); status != http.StatusAccepted {
			t.Fatalf("broker answered %d", status)
		}
		data := sink.waitFor(t, events.TypeRoleAssigned, "accountId", clerk.String())
		if data["by"] != hr.String() || data["role"] != "clerk" || data["validUntil"] != "2099-12-31" || data["departmentId"] != w.department.String() {
			t.Errorf("assigned event data %v", data)
		}
		id, _ := data["assignmentId"].(string)
		if n := w.audited("role.assign", id, hr, "machine"); n != 1 {
			t.Errorf("%d audit rows of the assignment by the machine, want 1", n)
		}

		// And revoked, naming the assignment.
		e = roleRequest(w.a, hr, map[string]any{"action": "revoke", "assignmentId": id, "accountId": clerk, "role": "clerk",
			"reason": "Încetarea contractului"})
		p.send(t, e)
		sink.waitFor(t, events.TypeRoleRevoked, "assignmentId", id)
	})

	t.Run("a refused request is not retried, is announced and dead-lettered", func(t *testing.T) {
		clerk := w.account("staff", w.a)
		e := roleRequest(w.a, hr, map[string]any{"action": "assign", "accountId": clerk, "role": "administrator",
			"reason": "Promovare în funcție"})
		p.send(t, e)
		data := sink.waitFor(t, events.TypeRoleAssignmentRefused, "requestId", e.ID())
		if data["code"] != "grant_exceeds_own_permissions" || data["reason"] == "" {
			t.Errorf("refused event data %v", data)
		}
		if req, _ := data["request"].(map[string]any); req["role"] != "administrator" {
			t.Errorf("the refused event does not carry the request: %v", data)
		}
		poll.Until(t, 30*time.Second, "the dead letter", func() bool { return len(p.deadLetters(e.ID())) == 1 })
		p.stopBroker() // every delivery has happened
		defer p.startBroker()
		if dl := p.deadLetters(e.ID()); len(dl) != 1 || dl[0].code == nil || *dl[0].code != http.StatusUnprocessableEntity {
			t.Fatalf("dead letters %+v, want one with code 422", dl)
		}
		// Each delivery of a refused request is announced: one
		// announcement, one delivery.
		if n := len(sink.find(t, events.TypeRoleAssignmentRefused, "requestId", e.ID())); n != 1 {
			t.Fatalf("%d refusals announced, want 1 (one delivery)", n)
		}
		if n := assignments(clerk); n != 0 {
			t.Fatalf("%d assignments after a refusal", n)
		}
	})

	t.Run("a request from an account that is not the institution's system is refused", func(t *testing.T) {
		clerk := w.account("staff", w.a)
		e := roleRequest(w.a, w.account("machine", w.b, "administrator"), map[string]any{"action": "assign", "accountId": clerk,
			"role": "clerk", "reason": "Angajare, contract nr. 8"})
		p.send(t, e)
		if data := sink.waitFor(t, events.TypeRoleAssignmentRefused, "requestId", e.ID()); data["code"] != "actor_not_allowed" {
			t.Errorf("refused event data %v", data)
		}
	})

	t.Run("a request delivered twice is applied once", func(t *testing.T) {
		clerk := w.account("staff", w.a)
		e := roleRequest(w.a, hr, map[string]any{"action": "assign", "accountId": clerk, "role": "clerk", "reason": "Angajare, contract nr. 9"})
		for range 2 {
			if status := postEvent(t, p.functions["assign-role"], e); status != http.StatusAccepted {
				t.Fatalf("assign-role answered %d", status)
			}
		}
		p.send(t, e)
		sink.waitFor(t, events.TypeRoleAssigned, "accountId", clerk.String())
		p.stopBroker()
		defer p.startBroker()
		if n := assignments(clerk); n != 1 {
			t.Fatalf("%d assignments after three deliveries of one request, want 1", n)
		}
		if n := len(sink.find(t, events.TypeRoleAssigned, "accountId", clerk.String())); n != 1 {
			t.Fatalf("%d assigned events, want 1", n)
		}
	})
}
