package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// fixture is the function serving a fresh database, publishing to a sink
// that keeps what it receives, with two institutions and a session for
// each kind of caller the tests need.
type fixture struct {
	t        *testing.T
	d        *dbtest.DB
	url      string
	inst     uuid.UUID // Lugoj
	other    uuid.UUID // DAS, another institution
	urb, tax uuid.UUID // departments of inst
	tokens   map[string]string
	accounts map[string]uuid.UUID
	sink     *sink
}

// sink is the Broker's stand-in: it records the types of the events it is sent.
type sink struct {
	mu    sync.Mutex
	types []string
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.types = append(s.types, e.Type())
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (s *sink) count(eventType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.types {
		if t == eventType {
			n++
		}
	}
	return n
}

func setUp(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, d: dbtest.New(t), inst: uuid.New(), other: uuid.New(), urb: uuid.New(), tax: uuid.New(),
		tokens: map[string]string{}, accounts: map[string]uuid.UUID{}, sink: &sink{}}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.d.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Municipiului Lugoj'), ($2, '26258845', 'DAS Lugoj')`,
		f.inst, f.other)
	exec(`INSERT INTO department (institution_id, id, kind, code, name) VALUES ($1, $2, 'service', 'URB', 'Serviciul Urbanism'),
		($1, $3, 'service', 'TAX', 'Serviciul Taxe')`, f.inst, f.urb, f.tax)
	for _, who := range []struct{ name, role string }{{"administrator", "administrator"}, {"registrar", "registrar"},
		{"clerk", "clerk"}, {"other administrator", "administrator"}} {
		id, inst := uuid.New(), f.inst
		if strings.HasPrefix(who.name, "other") {
			inst = f.other
		}
		// Staff have set up the second factor the platform asks of administrators.
		exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at) VALUES ($1, 'staff', $2, $3, now(), $4, now())`,
			id, inst, strings.ReplaceAll(who.name, " ", ".")+"@lugoj.test", who.name)
		exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES ($1, $2, $3, $4, $5::date, 'seed')`,
			inst, uuid.New(), id, who.role, dbtest.Day(-1))
		err := db.PlatformTx(ctx, f.d.App, func(tx pgx.Tx) (err error) {
			f.tokens[who.name], _, err = access.OpenSession(ctx, tx, access.NewSession{Account: id, Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		f.accounts[who.name] = id
	}
	broker := httptest.NewServer(f.sink)
	t.Cleanup(broker.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	// As in production: the functions' role, under row-level security.
	outbox, err := events.NewPlatformOutbox(f.d.App, events.SinkConfig{Sink: broker.URL}, log)
	if err != nil {
		t.Fatal(err)
	}
	router, err := access.NewRouter(&access.Authenticator{Pool: f.d.App}, log)
	if err != nil {
		t.Fatal(err)
	}
	(&server{pool: f.d.App, outbox: outbox, log: log}).routes(router)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do calls the function as who ("" for anonymous), checking the answer
// against the OpenAPI document. headers are name, value pairs.
func (f *fixture) do(who, method, path string, body any, headers ...string) response {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	openapitest.Check(f.t, req, resp)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r response) file(t *testing.T) filingplan.File {
	t.Helper()
	var f filingplan.File
	if err := json.Unmarshal(r.body, &f); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return f
}

type problem struct {
	Code   string `json:"code"`
	Errors []struct {
		Field, Code, Message, MessageEn string
	} `json:"errors"`
}

func (r response) problem(t *testing.T) problem {
	t.Helper()
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return p
}

func (f *fixture) plan() string { return "/api/institutions/" + f.inst.String() + "/filing-plan" }

func (f *fixture) newFile(year int, indicator string, department uuid.UUID) map[string]any {
	return map[string]any{"year": year, "indicator": indicator, "title": "Corespondență " + indicator, "retention": "10",
		"departmentId": department}
}

// auditCount counts the institution's audit rows of action about object.
func (f *fixture) auditCount(action string, object uuid.UUID) int {
	f.t.Helper()
	var n int
	err := db.PlatformTx(context.Background(), f.d.Owner, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE institution_id = $1 AND action = $2 AND object_id = $3`,
			f.inst, action, object.String()).Scan(&n)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestCreateRefusesBadInputPerField(t *testing.T) {
	f := setUp(t)
	good := f.newFile(2026, "II-3", f.urb)
	with := func(changes map[string]any) map[string]any {
		b := map[string]any{}
		for k, v := range good {
			b[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	tests := []struct {
		name       string
		body       map[string]any
		wantFields map[string]string // field -> code
	}{
		{"everything missing", map[string]any{}, map[string]string{"year": "year.invalid", "indicator": "indicator.invalid",
			"title": "title.invalid", "retention": "retention.invalid", "departmentId": "departmentId.required"}},
		{"a year out of range", with(map[string]any{"year": 1989}), map[string]string{"year": "year.invalid"}},
		{"an indicator starting with a dash", with(map[string]any{"indicator": "-3"}), map[string]string{"indicator": "indicator.invalid"}},
		{"an indicator with a quote", with(map[string]any{"indicator": `II"3`}), map[string]string{"indicator": "indicator.invalid"}},
		{"an indicator too long", with(map[string]any{"indicator": strings.Repeat("I", 41)}), map[string]string{"indicator": "indicator.invalid"}},
		{"a blank title", with(map[string]any{"title": "   "}), map[string]string{"title": "title.invalid"}},
		{"a title on two lines", with(map[string]any{"title": "Dosar\nal doilea rând"}), map[string]string{"title": "title.invalid"}},
		{"a retention the law does not have", with(map[string]any{"retention": "7"}), map[string]string{"retention": "retention.invalid"}},
		{"a department that is not an id", with(map[string]any{"departmentId": "URB"}), map[string]string{"departmentId": "departmentId.invalid"}},
		{"an unknown department", with(map[string]any{"departmentId": uuid.New()}), map[string]string{"departmentId": "departmentId.not_found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.do("administrator", http.MethodPost, f.plan(), tt.body).want(t, http.StatusUnprocessableEntity).problem(t)
			got := map[string]string{}
			for _, e := range p.Errors {
				got[e.Field] = e.Code
				if e.Message == "" || e.MessageEn == "" || e.Message == e.MessageEn {
					t.Errorf("field %s: want a Romanian and an English message: %+v", e.Field, e)
				}
			}
			if len(got) != len(tt.wantFields) {
				t.Fatalf("fields %v, want %v", got, tt.wantFields)
			}
			for field, code := range tt.wantFields {
				if got[field] != code {
					t.Fatalf("fields %v, want %v", got, tt.wantFields)
				}
			}
		})
	}
	// Romanian letters are letters.
	f.do("administrator", http.MethodPost, f.plan(), with(map[string]any{"indicator": "Ș-3/a", "title": "Înștiințări"})).
		want(t, http.StatusCreated)
}

func TestFileLifecycle(t *testing.T) {
	f := setUp(t)
	body := f.newFile(2026, "II-3", f.urb)
	r := f.do("administrator", http.MethodPost, f.plan(), body, "Idempotency-Key", "k1").want(t, http.StatusCreated)
	made := r.file(t)
	path := f.plan() + "/" + made.ID.String()
	if r.header.Get("Location") != path || r.header.Get("ETag") != `"1"` || made.Closed() || *made.CreatedBy != f.accounts["administrator"] {
		t.Fatalf("created: Location %q, ETag %q, %+v", r.header.Get("Location"), r.header.Get("ETag"), made)
	}
	if again := f.do("administrator", http.MethodPost, f.plan(), body, "Idempotency-Key", "k1").want(t, http.StatusOK).file(t); again.ID != made.ID {
		t.Fatalf("a repeat made another file: %s", again.ID)
	}
	taken := f.newFile(2026, "II-3", f.tax)
	if p := f.do("administrator", http.MethodPost, f.plan(), taken).want(t, http.StatusConflict).problem(t); p.Code != "indicator_taken" {
		t.Fatalf("code %q", p.Code)
	}

	callers := []struct {
		who         string
		read, write int
	}{
		{"registrar", http.StatusOK, http.StatusForbidden},
		{"clerk", http.StatusOK, http.StatusForbidden},
		{"other administrator", http.StatusForbidden, http.StatusForbidden},
		{"", http.StatusUnauthorized, http.StatusUnauthorized},
	}
	for _, c := range callers {
		t.Run("as "+c.who, func(t *testing.T) {
			f.do(c.who, http.MethodGet, path, nil).want(t, c.read)
			f.do(c.who, http.MethodPost, f.plan(), f.newFile(2026, "IX-1", f.urb)).want(t, c.write)
			f.do(c.who, http.MethodPatch, path, map[string]any{"title": "x"}, "If-Match", `"1"`).want(t, c.write)
			f.do(c.who, http.MethodPost, path+"/closure", nil).want(t, c.write)
		})
	}

	got := f.do("registrar", http.MethodGet, path, nil).want(t, http.StatusOK)
	tag := got.header.Get("ETag")
	patches := []struct {
		name    string
		body    any
		ifMatch string
		want    int
		code    string
	}{
		{"without If-Match", map[string]any{"title": "Certificate de urbanism"}, "", http.StatusPreconditionRequired, "precondition_required"},
		{"a bad retention", map[string]any{"retention": "permanentă"}, tag, http.StatusUnprocessableEntity, "invalid_input"},
		{"an unknown department", map[string]any{"departmentId": uuid.New()}, tag, http.StatusUnprocessableEntity, "invalid_input"},
		{"the year cannot change", map[string]any{"year": 2027}, tag, http.StatusBadRequest, "malformed_json"},
		{"nothing that changes", map[string]any{"title": made.Title}, tag, http.StatusOK, ""},
		{"title and retention", map[string]any{"title": "Certificate de urbanism", "retention": "30"}, tag, http.StatusOK, ""},
		{"from the version before", map[string]any{"departmentId": f.tax}, tag, http.StatusPreconditionFailed, "precondition_failed"},
		{"any version", map[string]any{"departmentId": f.tax}, "*", http.StatusOK, ""},
	}
	for _, p := range patches {
		t.Run(p.name, func(t *testing.T) {
			var headers []string
			if p.ifMatch != "" {
				headers = []string{"If-Match", p.ifMatch}
			}
			r := f.do("administrator", http.MethodPatch, path, p.body, headers...).want(t, p.want)
			if p.code != "" && r.problem(t).Code != p.code {
				t.Fatalf("code %q, want %q", r.problem(t).Code, p.code)
			}
		})
	}
	now := f.do("registrar", http.MethodGet, path, nil).want(t, http.StatusOK)
	cur := now.file(t)
	if cur.Title != "Certificate de urbanism" || cur.Retention != "30" || cur.DepartmentID != f.tax || now.header.Get("ETag") != `"3"` {
		t.Fatalf("after the changes: %s %+v", now.header.Get("ETag"), cur)
	}

	closed := f.do("administrator", http.MethodPost, path+"/closure", nil).want(t, http.StatusOK)
	if c := closed.file(t); !c.Closed() || *c.ClosedBy != f.accounts["administrator"] || closed.header.Get("ETag") != `"4"` {
		t.Fatalf("closed: %s %+v", closed.header.Get("ETag"), c)
	}
	for _, refused := range []struct {
		name string
		do   func() response
	}{
		{"closing again", func() response { return f.do("administrator", http.MethodPost, path+"/closure", nil) }},
		{"changing it", func() response {
			return f.do("administrator", http.MethodPatch, path, map[string]any{"title": "Altul"}, "If-Match", `"4"`)
		}},
	} {
		if p := refused.do().want(t, http.StatusConflict).problem(t); p.Code != "file_closed" {
			t.Fatalf("%s: code %q", refused.name, p.Code)
		}
	}
	f.do("administrator", http.MethodPost, f.plan()+"/"+uuid.NewString()+"/closure", nil).want(t, http.StatusNotFound)
	f.do("administrator", http.MethodGet, f.plan()+"/not-an-id", nil).want(t, http.StatusNotFound)

	// Every change is audited and announced; repeats and refusals are not.
	for action, want := range map[string]int{"filing_file.create": 1, "filing_file.update": 2, "filing_file.close": 1} {
		if n := f.auditCount(action, made.ID); n != want {
			t.Errorf("%d audit rows of %s, want %d", n, action, want)
		}
	}
	for eventType, want := range map[string]int{events.TypeFilingFileCreated: 1, events.TypeFilingFileUpdated: 2, events.TypeFilingFileClosed: 1} {
		poll.Until(t, 10*time.Second, eventType, func() bool { return f.sink.count(eventType) >= want })
		if n := f.sink.count(eventType); n != want {
			t.Errorf("%d events %s, want %d", n, eventType, want)
		}
	}
}

func TestListAndCopyYear(t *testing.T) {
	f := setUp(t)
	for _, ind := range []string{"II-10", "I-2", "II-9", "I-10", "I-1"} {
		dep := f.urb
		if strings.HasPrefix(ind, "II-") {
			dep = f.tax
		}
		f.do("administrator", http.MethodPost, f.plan(), f.newFile(2026, ind, dep)).want(t, http.StatusCreated)
	}
	type list struct {
		Year  int               `json:"year"`
		Files []filingplan.File `json:"files"`
		Next  *string           `json:"next"`
	}
	all := func(query string) []string {
		t.Helper()
		var got []string
		path := f.plan() + "?limit=2&" + query
		for range 10 {
			var page list
			if err := json.Unmarshal(f.do("clerk", http.MethodGet, path, nil).want(t, http.StatusOK).body, &page); err != nil {
				t.Fatal(err)
			}
			for _, file := range page.Files {
				got = append(got, file.Indicator)
			}
			if page.Next == nil {
				return got
			}
			path = f.plan() + "?limit=2&" + query + "&cursor=" + *page.Next
		}
		t.Fatalf("more pages than files: %v", got)
		return nil
	}
	lists := []struct {
		query string
		want  []string
	}{
		{"year=2026", []string{"I-1", "I-2", "I-10", "II-9", "II-10"}},
		{"year=2026&department=" + f.tax.String(), []string{"II-9", "II-10"}},
		{"year=2027", nil},
	}
	for _, l := range lists {
		if got := all(l.query); !slices.Equal(got, l.want) {
			t.Errorf("%s: %v, want %v", l.query, got, l.want)
		}
	}
	var current list
	if err := json.Unmarshal(f.do("clerk", http.MethodGet, f.plan(), nil).want(t, http.StatusOK).body, &current); err != nil {
		t.Fatal(err)
	}
	if current.Year < 2026 || current.Files == nil {
		t.Fatalf("the current year's plan: %+v", current)
	}
	for _, bad := range []string{"year=nineteen", "year=1900", "department=URB", "cursor=%21%21", "limit=0", "limit=501"} {
		f.do("clerk", http.MethodGet, f.plan()+"?"+bad, nil).want(t, http.StatusUnprocessableEntity)
	}

	f.do("administrator", http.MethodPost, f.plan(), f.newFile(2027, "I-2", f.urb)).want(t, http.StatusCreated)
	type copied struct {
		Created []filingplan.File `json:"created"`
		Skipped []string          `json:"skipped"`
	}
	copies := []struct {
		name        string
		body        map[string]any
		who         string
		status      int
		wantCreated int
		wantSkipped []string
	}{
		{"by a registrar", map[string]any{"fromYear": 2026, "toYear": 2027}, "registrar", http.StatusForbidden, 0, nil},
		{"onto the same year", map[string]any{"fromYear": 2026, "toYear": 2026}, "administrator", http.StatusUnprocessableEntity, 0, nil},
		{"without years", map[string]any{}, "administrator", http.StatusUnprocessableEntity, 0, nil},
		{"to the next year", map[string]any{"fromYear": 2026, "toYear": 2027}, "administrator", http.StatusOK, 4, []string{"I-2"}},
		{"again", map[string]any{"fromYear": 2026, "toYear": 2027}, "administrator", http.StatusOK, 0,
			[]string{"I-1", "I-2", "I-10", "II-9", "II-10"}},
	}
	for _, c := range copies {
		t.Run("copy "+c.name, func(t *testing.T) {
			r := f.do(c.who, http.MethodPost, f.plan()+"/copies", c.body).want(t, c.status)
			if c.status != http.StatusOK {
				return
			}
			var got copied
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Created) != c.wantCreated || !slices.Equal(got.Skipped, c.wantSkipped) {
				t.Fatalf("created %d, skipped %v; want %d, %v", len(got.Created), got.Skipped, c.wantCreated, c.wantSkipped)
			}
			for _, file := range got.Created {
				if n := f.auditCount("filing_file.create", file.ID); n != 1 {
					t.Errorf("copy %s: %d audit rows, want 1", file.Indicator, n)
				}
			}
		})
	}
	if got := all("year=2027"); !slices.Equal(got, []string{"I-1", "I-2", "I-10", "II-9", "II-10"}) {
		t.Fatalf("the plan of 2027: %v", got)
	}
	// Five files made one by one, one by hand for 2027, four copies.
	poll.Until(t, 10*time.Second, "the created events", func() bool { return f.sink.count(events.TypeFilingFileCreated) == 10 })
}
