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

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
)

// testMaxFileSize is the platform's largest file in these tests.
const testMaxFileSize = 50 << 20

// fixture is the function serving a fresh database with two institutions,
// their registers, and a session for each kind of caller the tests need.
type fixture struct {
	t          *testing.T
	d          *dbtest.DB
	url        string
	inst       uuid.UUID // Lugoj
	other      uuid.UUID // DAS, another institution
	rrpa, urb  uuid.UUID // departments of inst
	otherDept  uuid.UUID // a department of other
	register   uuid.UUID // inst's incoming register
	otherReg   uuid.UUID // other's
	tokens     map[string]string
	accounts   map[string]uuid.UUID
	logRecords *lockedBuffer
}

// lockedBuffer keeps what the function logs; handlers write it from their
// own goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func setUp(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, d: dbtest.New(t), inst: uuid.New(), other: uuid.New(), rrpa: uuid.New(), urb: uuid.New(),
		otherDept: uuid.New(), register: uuid.New(), otherReg: uuid.New(), tokens: map[string]string{}, accounts: map[string]uuid.UUID{}}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.d.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Municipiului Lugoj'), ($2, '26258845', 'DAS Lugoj')`,
		f.inst, f.other)
	exec(`INSERT INTO department (institution_id, id, kind, code, name) VALUES
		($1, $2, 'service', 'RRPA', 'Serviciul Registratură, Relații cu Publicul și Arhivă'),
		($1, $3, 'service', 'DT-UAT', 'Serviciul Urbanism și Amenajarea Teritoriului'),
		($4, $5, 'service', 'BAS', 'Serviciul Beneficii de Asistență Socială')`, f.inst, f.rrpa, f.urb, f.other, f.otherDept)
	exec(`INSERT INTO register (institution_id, id, code, name, kind) VALUES ($1, $2, 'I', 'Registrul de intrare', 'incoming'),
		($3, $4, 'I', 'Registrul de intrare', 'incoming')`, f.inst, f.register, f.other, f.otherReg)
	for _, who := range []struct{ name, role string }{{"administrator", "administrator"}, {"clerk", "clerk"},
		{"other administrator", "administrator"}, {"citizen", ""}} {
		id, inst := uuid.New(), &f.inst
		kind := "staff"
		switch {
		case strings.HasPrefix(who.name, "other"):
			inst = &f.other
		case who.role == "":
			kind, inst = "person", nil
		}
		// Staff have set up the second factor the platform asks of administrators.
		exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at)
			VALUES ($1, $2, $3, $4, now(), $5, CASE WHEN $2 = 'staff' THEN now() END)`,
			id, kind, inst, strings.ReplaceAll(who.name, " ", ".")+"@lugoj.test", who.name)
		if who.role != "" {
			exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES ($1, $2, $3, $4, $5::date, 'seed')`,
				*inst, uuid.New(), id, who.role, dbtest.Day(-1))
		}
		err := db.PlatformTx(ctx, f.d.App, func(tx pgx.Tx) (err error) {
			f.tokens[who.name], _, err = access.OpenSession(ctx, tx, access.NewSession{Account: id, Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		f.accounts[who.name] = id
	}
	f.logRecords = &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), f.logRecords), &slog.HandlerOptions{Level: slog.LevelWarn}))
	// As in production: the functions' role, under row-level security.
	router, err := access.NewRouter(&access.Authenticator{Pool: f.d.App}, log)
	if err != nil {
		t.Fatal(err)
	}
	(&server{pool: f.d.App, log: log, maxFileSize: testMaxFileSize}).routes(router)
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

func (r response) version(t *testing.T) versionJSON {
	t.Helper()
	var v versionJSON
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return v
}

func (r response) catalogue(t *testing.T) []versionJSON {
	t.Helper()
	var vs []versionJSON
	if err := json.Unmarshal(r.body, &vs); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return vs
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

func (f *fixture) types() string { return "/api/institutions/" + f.inst.String() + "/request-types" }

func (f *fixture) typePath(id uuid.UUID) string { return f.types() + "/" + id.String() }

const petitionForm = `{
	"type": "object",
	"x-order": ["name", "address", "text"],
	"required": ["name", "address", "text"],
	"additionalProperties": false,
	"properties": {
		"name": {"type": "string", "title": "Nume și prenume", "x-title-en": "Full name", "minLength": 3},
		"address": {"type": "string", "title": "Domiciliu", "x-title-en": "Address"},
		"text": {"type": "string", "title": "Conținutul petiției", "x-title-en": "Text", "minLength": 20}
	}
}`

// draft is the content of a valid version.
func (f *fixture) draft(name string) map[string]any {
	return map[string]any{"name": name, "description": "Sesizări, reclamații și propuneri (OG 27/2002).",
		"form": json.RawMessage(petitionForm),
		"attachments": []map[string]any{{"kind": "anexe", "title": "Anexe", "required": false,
			"mediaTypes": []string{"application/pdf", "image/jpeg", "image/png"}, "maxSize": 10 << 20}},
		"departmentId": f.rrpa, "regime": "petition", "registerId": f.register, "verifiedIdentity": false}
}

// newType is the body creating a type with code.
func (f *fixture) newType(code, name string) map[string]any {
	b := f.draft(name)
	b["code"] = code
	return b
}

func with(body map[string]any, changes map[string]any) map[string]any {
	b := map[string]any{}
	for k, v := range body {
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

// create makes a type and publishes its first version unless draftOnly.
func (f *fixture) create(body map[string]any, draftOnly bool) versionJSON {
	f.t.Helper()
	v := f.do("administrator", http.MethodPost, f.types(), body).want(f.t, http.StatusCreated).version(f.t)
	if draftOnly {
		return v
	}
	return f.do("administrator", http.MethodPost, f.typePath(v.ID)+"/versions/1/publication", nil).want(f.t, http.StatusOK).version(f.t)
}

func names(vs []versionJSON) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// The catalogue shows anyone the newest published version of each type
// not withdrawn: never a draft, never a withdrawn type.
func TestCatalogueShowsPublishedVersionsOnly(t *testing.T) {
	f := setUp(t)
	catalogue := func(who string) []versionJSON {
		t.Helper()
		return f.do(who, http.MethodGet, f.types(), nil).want(t, http.StatusOK).catalogue(t)
	}
	if got := catalogue(""); len(got) != 0 {
		t.Fatalf("an empty catalogue: %v", names(got))
	}

	petition := f.create(f.newType("petitie", "Petiție"), true)
	if got := catalogue(""); len(got) != 0 {
		t.Fatalf("a draft is offered: %v", names(got))
	}
	f.do("", http.MethodGet, f.typePath(petition.ID), nil).want(t, http.StatusNotFound)

	f.do("administrator", http.MethodPost, f.typePath(petition.ID)+"/versions/1/publication", nil).want(t, http.StatusOK)
	// Version 2 is a draft: the catalogue keeps offering version 1.
	f.do("administrator", http.MethodPost, f.typePath(petition.ID)+"/versions", f.draft("Petiție (versiunea 2)")).want(t, http.StatusCreated)
	urbanism := f.create(with(f.newType("certificat-urbanism", "Certificat de urbanism"), map[string]any{
		"departmentId": f.urb, "regime": "custom", "customDays": 30, "verifiedIdentity": true}), false)
	f.create(f.newType("audienta", "Audiență"), true)

	for _, who := range []string{"", "citizen", "clerk", "administrator", "other administrator"} {
		t.Run("read by "+who, func(t *testing.T) {
			got := catalogue(who)
			// By name, Romanian letters in their places.
			if want := []string{"Certificat de urbanism", "Petiție"}; !slices.Equal(names(got), want) {
				t.Fatalf("catalogue %v, want %v", names(got), want)
			}
			u, p := got[0], got[1]
			if p.Version != 1 || p.Status != statusPublished || p.Code != "petitie" || p.DeadlineDays != 30 || p.CustomDays != nil ||
				p.VerifiedIdentity || p.Department.ID != f.rrpa || !strings.HasPrefix(p.Department.Name, "Serviciul Registratură") ||
				p.RegisterID != f.register || p.PublishedAt == nil {
				t.Errorf("petition: %+v", p)
			}
			if len(p.Fields) != 3 || p.Fields[0].Path != "name" || !p.Fields[0].Required || p.Fields[2].Path != "text" {
				t.Errorf("petition's fields: %+v", p.Fields)
			}
			if len(p.Attachments) != 1 || p.Attachments[0].Kind != "anexe" || p.Attachments[0].MaxSize != 10<<20 {
				t.Errorf("petition's attachments: %+v", p.Attachments)
			}
			if u.Regime != "custom" || u.CustomDays == nil || *u.CustomDays != 30 || u.DeadlineDays != 30 || !u.VerifiedIdentity ||
				u.Department.ID != f.urb {
				t.Errorf("urbanism: %+v", u)
			}
			// One type, public too, with its version's ETag.
			r := f.do(who, http.MethodGet, f.typePath(urbanism.ID), nil).want(t, http.StatusOK)
			if v := r.version(t); v.Name != "Certificat de urbanism" || r.header.Get("ETag") != etag(v) {
				t.Errorf("type: ETag %s, %+v", r.header.Get("ETag"), v)
			}
		})
	}

	f.do("administrator", http.MethodPost, f.typePath(petition.ID)+"/versions/2/publication", nil).want(t, http.StatusOK)
	if got := catalogue(""); len(got) != 2 || got[1].Version != 2 || got[1].Name != "Petiție (versiunea 2)" {
		t.Fatalf("after publishing version 2: %+v", got)
	}
	f.do("administrator", http.MethodPost, f.typePath(urbanism.ID)+"/withdrawal", nil).want(t, http.StatusOK)
	if got := catalogue(""); !slices.Equal(names(got), []string{"Petiție (versiunea 2)"}) {
		t.Fatalf("after a withdrawal: %v", names(got))
	}
	f.do("", http.MethodGet, f.typePath(urbanism.ID), nil).want(t, http.StatusNotFound)

	// Another institution's catalogue is its own.
	if got := f.do("", http.MethodGet, "/api/institutions/"+f.other.String()+"/request-types", nil).want(t, http.StatusOK).catalogue(t); len(got) != 0 {
		t.Fatalf("DAS offers %v", names(got))
	}
	for _, path := range []string{"/api/institutions/" + uuid.NewString() + "/request-types", "/api/institutions/lugoj/request-types",
		f.types() + "/" + uuid.NewString(), f.types() + "/petitie",
		"/api/institutions/" + f.other.String() + "/request-types/" + petition.ID.String()} {
		f.do("", http.MethodGet, path, nil).want(t, http.StatusNotFound)
	}
}

// Every refusal of a broken version names its fields, in Romanian and in
// English, and changes nothing.
func TestCreateRefusesBadInputPerField(t *testing.T) {
	f := setUp(t)
	good := f.newType("petitie", "Petiție")
	attachment := func(changes map[string]any) []map[string]any {
		a := map[string]any{"kind": "anexe", "title": "Anexe", "required": false, "mediaTypes": []string{"application/pdf"}, "maxSize": 1 << 20}
		for k, v := range changes {
			a[k] = v
		}
		return []map[string]any{a}
	}
	many := make([]map[string]any, 21)
	for i := range many {
		many[i] = attachment(map[string]any{"kind": "anexa-" + string(rune('a'+i))})[0]
	}
	tests := []struct {
		name       string
		body       map[string]any
		wantFields map[string]string // field -> code
	}{
		{"nothing", map[string]any{}, map[string]string{"code": "code.invalid", "name": "name.invalid", "form": "form.required",
			"departmentId": "departmentId.required", "registerId": "registerId.required", "regime": "regime.invalid"}},
		{"a code with capitals", with(good, map[string]any{"code": "Petitie"}), map[string]string{"code": "code.invalid"}},
		{"a name on two lines", with(good, map[string]any{"name": "Petiție\nsau sesizare"}), map[string]string{"name": "name.invalid"}},
		{"a description too long", with(good, map[string]any{"description": strings.Repeat("ă", 5001)}),
			map[string]string{"description": "description.too_long"}},
		{"a form that is not a schema", with(good, map[string]any{"form": "formular"}), map[string]string{"form": "form.invalid"}},
		{"a form with a combinator", with(good, map[string]any{"form": json.RawMessage(`{"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}}}`)}),
			map[string]string{"form": "form.invalid"}},
		{"a form fetching another document", with(good, map[string]any{"form": json.RawMessage(`{"type": "object", "properties": {"a": {"$ref": "https://evil.example/a.json"}}}`)}),
			map[string]string{"form": "form.invalid"}},
		{"an attachment kind with a space", with(good, map[string]any{"attachments": attachment(map[string]any{"kind": "plan situatie"})}),
			map[string]string{"attachments[0].kind": "attachments[].kind.invalid"}},
		{"an attachment kind twice", with(good, map[string]any{"attachments": append(attachment(nil), attachment(map[string]any{"title": "Alte anexe"})...)}),
			map[string]string{"attachments[1].kind": "attachments[].kind.duplicate"}},
		{"an attachment without a title", with(good, map[string]any{"attachments": attachment(map[string]any{"title": "  "})}),
			map[string]string{"attachments[0].title": "attachments[].title.invalid"}},
		{"an attachment without formats", with(good, map[string]any{"attachments": attachment(map[string]any{"mediaTypes": []string{}})}),
			map[string]string{"attachments[0].mediaTypes": "attachments[].mediaTypes.invalid"}},
		{"an attachment taking executables", with(good, map[string]any{"attachments": attachment(map[string]any{"mediaTypes": []string{"application/pdf", "application/x-msdownload"}})}),
			map[string]string{"attachments[0].mediaTypes": "attachments[].mediaTypes.invalid"}},
		{"an attachment without a size", with(good, map[string]any{"attachments": attachment(map[string]any{"maxSize": 0})}),
			map[string]string{"attachments[0].maxSize": "attachments[].maxSize.invalid"}},
		{"an attachment larger than the platform takes", with(good, map[string]any{"attachments": attachment(map[string]any{"maxSize": testMaxFileSize + 1})}),
			map[string]string{"attachments[0].maxSize": "attachments[].maxSize.invalid"}},
		{"21 kinds of attachments", with(good, map[string]any{"attachments": many}), map[string]string{"attachments": "attachments.too_many"}},
		{"an unknown regime", with(good, map[string]any{"regime": "urgent"}), map[string]string{"regime": "regime.invalid"}},
		{"days for a petition", with(good, map[string]any{"customDays": 20}), map[string]string{"customDays": "customDays.not_allowed"}},
		{"working days for a petition", with(good, map[string]any{"workingDays": true}), map[string]string{"workingDays": "workingDays.not_allowed"}},
		{"a custom term without days", with(good, map[string]any{"regime": "custom"}), map[string]string{"customDays": "customDays.invalid"}},
		{"a custom term of a year and a day", with(good, map[string]any{"regime": "custom", "customDays": 366}), map[string]string{"customDays": "customDays.invalid"}},
		{"a department that is not an id", with(good, map[string]any{"departmentId": "RRPA"}), map[string]string{"departmentId": "departmentId.invalid"}},
		{"an unknown department", with(good, map[string]any{"departmentId": uuid.New()}), map[string]string{"departmentId": "departmentId.not_found"}},
		{"another institution's department", with(good, map[string]any{"departmentId": f.otherDept}), map[string]string{"departmentId": "departmentId.not_found"}},
		{"an unknown register", with(good, map[string]any{"registerId": uuid.New()}), map[string]string{"registerId": "registerId.not_found"}},
		{"another institution's register", with(good, map[string]any{"registerId": f.otherReg}), map[string]string{"registerId": "registerId.not_found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.do("administrator", http.MethodPost, f.types(), tt.body).want(t, http.StatusUnprocessableEntity).problem(t)
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
	// The same checks hold for drafts.
	made := f.create(good, true)
	for _, tt := range tests[3:6] {
		body := with(tt.body, map[string]any{"code": nil})
		f.do("administrator", http.MethodPost, f.typePath(made.ID)+"/versions", body).want(t, http.StatusUnprocessableEntity)
		f.do("administrator", http.MethodPut, f.typePath(made.ID)+"/versions/1", body, "If-Match", etag(made)).want(t, http.StatusUnprocessableEntity)
	}
	if p := f.do("administrator", http.MethodPost, f.types(), with(good, map[string]any{"name": "Altă petiție"})).
		want(t, http.StatusConflict).problem(t); p.Code != "code_taken" {
		t.Fatalf("code %q, want code_taken", p.Code)
	}
	// Nothing refused was recorded: one type, one audit row.
	var types, rows int
	err := db.PlatformTx(context.Background(), f.d.Owner, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM request_type), (SELECT count(*) FROM audit_log WHERE action LIKE 'requesttype.%')`).
			Scan(&types, &rows)
	})
	if err != nil {
		t.Fatal(err)
	}
	if types != 1 || rows != 1 {
		t.Fatalf("%d types and %d audit rows after the refusals, want 1 and 1", types, rows)
	}
}

// A type's life: created with an Idempotency-Key, its draft changed under
// If-Match, published, a new draft, withdrawn; each change audited once,
// and only administrators may make any.
func TestTypeLifecycle(t *testing.T) {
	f := setUp(t)
	body := f.newType("petitie", "Petiție")
	r := f.do("administrator", http.MethodPost, f.types(), body, "Idempotency-Key", "k1").want(t, http.StatusCreated)
	made := r.version(t)
	path := f.typePath(made.ID)
	tag := r.header.Get("ETag")
	if r.header.Get("Location") != path+"/versions/1" || tag == "" || made.Version != 1 || made.Status != statusDraft ||
		made.PublishedAt != nil || len(made.Fields) != 3 {
		t.Fatalf("created: Location %q, ETag %q, %+v", r.header.Get("Location"), tag, made)
	}

	t.Run("a retry with the key gets the first answer", func(t *testing.T) {
		again := f.do("administrator", http.MethodPost, f.types(), body, "Idempotency-Key", "k1").want(t, http.StatusCreated)
		if v := again.version(t); v.ID != made.ID || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != tag ||
			again.header.Get("Location") != path+"/versions/1" {
			t.Fatalf("replay: %v %+v", again.header, v)
		}
		reused := f.do("administrator", http.MethodPost, f.types(), f.newType("audienta", "Audiență"), "Idempotency-Key", "k1")
		if p := reused.want(t, http.StatusUnprocessableEntity).problem(t); p.Code != "idempotency_key_reused" {
			t.Fatalf("code %q", p.Code)
		}
	})

	callers := []struct {
		who    string
		status int
	}{
		{"clerk", http.StatusForbidden},
		{"citizen", http.StatusForbidden},
		{"other administrator", http.StatusForbidden},
		{"", http.StatusUnauthorized},
	}
	for _, c := range callers {
		t.Run("not by "+c.who, func(t *testing.T) {
			f.do(c.who, http.MethodPost, f.types(), f.newType("audienta", "Audiență")).want(t, c.status)
			f.do(c.who, http.MethodGet, path+"/versions", nil).want(t, c.status)
			f.do(c.who, http.MethodGet, path+"/versions/1", nil).want(t, c.status)
			f.do(c.who, http.MethodPost, path+"/versions", f.draft("x")).want(t, c.status)
			f.do(c.who, http.MethodPut, path+"/versions/1", f.draft("x"), "If-Match", tag).want(t, c.status)
			f.do(c.who, http.MethodPost, path+"/versions/1/publication", nil).want(t, c.status)
			f.do(c.who, http.MethodPost, path+"/withdrawal", nil).want(t, c.status)
		})
	}

	if got := f.do("administrator", http.MethodGet, path+"/versions/1", nil).want(t, http.StatusOK); got.header.Get("ETag") != tag {
		t.Fatalf("read ETag %q, created %q", got.header.Get("ETag"), tag)
	}
	steps := []struct {
		name    string
		method  string
		path    string
		body    any
		ifMatch string
		want    int
		code    string
	}{
		{"change without If-Match", http.MethodPut, "/versions/1", f.draft("Petiție sau sesizare"), "", http.StatusPreconditionRequired, "precondition_required"},
		{"change with another tag", http.MethodPut, "/versions/1", f.draft("Petiție sau sesizare"), `"abc"`, http.StatusPreconditionFailed, "precondition_failed"},
		{"change", http.MethodPut, "/versions/1", f.draft("Petiție sau sesizare"), tag, http.StatusOK, ""},
		{"change from the version before", http.MethodPut, "/versions/1", f.draft("Petiție"), tag, http.StatusPreconditionFailed, "precondition_failed"},
		{"a second draft", http.MethodPost, "/versions", f.draft("x"), "", http.StatusConflict, "draft_exists"},
		{"publish what was not reviewed", http.MethodPost, "/versions/1/publication", nil, tag, http.StatusPreconditionFailed, "precondition_failed"},
		{"publish a version that is not there", http.MethodPost, "/versions/2/publication", nil, "", http.StatusNotFound, "not_found"},
		{"publish", http.MethodPost, "/versions/1/publication", nil, "", http.StatusOK, ""},
		{"publish again", http.MethodPost, "/versions/1/publication", nil, "", http.StatusConflict, "not_a_draft"},
		{"change the published version", http.MethodPut, "/versions/1", f.draft("altfel"), "*", http.StatusConflict, "version_published"},
		{"a new draft", http.MethodPost, "/versions", with(f.draft("Petiție (2026)"), map[string]any{"attachments": nil}), "", http.StatusCreated, ""},
		{"a version that is not a number", http.MethodGet, "/versions/doi", nil, "", http.StatusNotFound, "not_found"},
		{"version 0", http.MethodGet, "/versions/0", nil, "", http.StatusNotFound, "not_found"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var headers []string
			if s.ifMatch != "" {
				headers = []string{"If-Match", s.ifMatch}
			}
			r := f.do("administrator", s.method, path+s.path, s.body, headers...).want(t, s.want)
			if s.code != "" && r.problem(t).Code != s.code {
				t.Fatalf("code %q, want %q", r.problem(t).Code, s.code)
			}
		})
	}

	var all typeVersionsJSON
	if err := json.Unmarshal(f.do("administrator", http.MethodGet, path+"/versions", nil).want(t, http.StatusOK).body, &all); err != nil {
		t.Fatal(err)
	}
	if all.Code != "petitie" || all.WithdrawnAt != nil || len(all.Versions) != 2 ||
		all.Versions[0].Version != 2 || all.Versions[0].Status != statusDraft || len(all.Versions[0].Attachments) != 0 ||
		all.Versions[1].Name != "Petiție sau sesizare" || all.Versions[1].Status != statusPublished {
		t.Fatalf("versions: %+v", all)
	}

	var withdrawn typeJSON
	for range 2 {
		if err := json.Unmarshal(f.do("administrator", http.MethodPost, path+"/withdrawal", nil).want(t, http.StatusOK).body, &withdrawn); err != nil {
			t.Fatal(err)
		}
		if withdrawn.ID != made.ID || withdrawn.WithdrawnAt == nil {
			t.Fatalf("withdrawn: %+v", withdrawn)
		}
	}
	f.do("administrator", http.MethodPost, f.typePath(uuid.New())+"/withdrawal", nil).want(t, http.StatusNotFound)
	f.do("administrator", http.MethodGet, f.typePath(uuid.New())+"/versions", nil).want(t, http.StatusNotFound)

	// Every change is audited once; repeats and refusals are not.
	for action, want := range map[string]int{"requesttype.create": 1, "requesttype.update": 1, "requesttype.publish": 1,
		"requesttype.draft": 1, "requesttype.withdraw": 1} {
		if n := f.auditCount(action, made.ID); n != want {
			t.Errorf("%d audit rows of %s, want %d", n, action, want)
		}
	}
	if logged := f.logRecords.String(); logged != "" {
		t.Errorf("logged: %s", logged)
	}
}

// Drafts started at once make one draft: the others are told it exists.
func TestConcurrentDraftsMakeOne(t *testing.T) {
	f := setUp(t)
	made := f.create(f.newType("petitie", "Petiție"), false)
	statuses := make([]int, 16)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = f.do("administrator", http.MethodPost, f.typePath(made.ID)+"/versions", f.draft("Petiție (2026)")).status
		})
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		}
	}
	if created != 1 || conflicts != len(statuses)-1 {
		t.Fatalf("statuses %v: want one 201 and the rest 409", statuses)
	}
	if n := f.auditCount("requesttype.draft", made.ID); n != 1 {
		t.Fatalf("%d audit rows of the draft, want 1", n)
	}
}

// The administration's list has every type, with where its versions
// stand: those with only a draft and the withdrawn ones too, which the
// public catalogue leaves out. Only the institution's administrators read it.
func TestListAllShowsDraftsAndWithdrawn(t *testing.T) {
	f := setUp(t)
	all := func(who string, status int) []summaryJSON {
		t.Helper()
		r := f.do(who, http.MethodGet, f.types()+"/all", nil).want(t, status)
		if status != http.StatusOK {
			return nil
		}
		var out struct{ Items []summaryJSON }
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
		return out.Items
	}
	if got := all("administrator", http.StatusOK); len(got) != 0 {
		t.Fatalf("no types yet: %+v", got)
	}
	audience := f.create(f.newType("audienta", "Audiență"), true)
	petition := f.create(f.newType("petitie", "Petiție"), false)
	f.do("administrator", http.MethodPost, f.typePath(petition.ID)+"/versions", f.draft("Petiție (2026)")).want(t, http.StatusCreated)
	urbanism := f.create(f.newType("certificat-urbanism", "Certificat de urbanism"), false)
	f.do("administrator", http.MethodPost, f.typePath(urbanism.ID)+"/withdrawal", nil).want(t, http.StatusOK)

	got := all("administrator", http.StatusOK)
	type row struct {
		code, name         string
		published, draft   int
		versions           int
		withdrawn, pubTime bool
	}
	var rows []row
	for _, s := range got {
		r := row{code: s.Code, name: s.Name, versions: s.Versions, withdrawn: s.WithdrawnAt != nil, pubTime: s.PublishedAt != nil}
		if s.PublishedVersion != nil {
			r.published = *s.PublishedVersion
		}
		if s.DraftVersion != nil {
			r.draft = *s.DraftVersion
		}
		rows = append(rows, r)
	}
	// By the newest version's name, Romanian letters in their places.
	want := []row{
		{"audienta", "Audiență", 0, 1, 1, false, false},
		{"certificat-urbanism", "Certificat de urbanism", 1, 0, 1, true, true},
		{"petitie", "Petiție (2026)", 1, 2, 2, false, true},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("list %+v, want %+v", rows, want)
	}
	if got[0].ID != audience.ID {
		t.Fatalf("ids: %+v", got)
	}
	for who, status := range map[string]int{"clerk": http.StatusForbidden, "citizen": http.StatusForbidden,
		"other administrator": http.StatusForbidden, "": http.StatusUnauthorized} {
		all(who, status)
	}
	// Another institution's administrator sees their own, none here.
	r := f.do("other administrator", http.MethodGet, "/api/institutions/"+f.other.String()+"/request-types/all", nil).want(t, http.StatusOK)
	if !strings.Contains(string(r.body), `"items":[]`) {
		t.Fatalf("DAS: %s", r.body)
	}
}
