package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/sms"
)

const (
	authSource     = "/ghiseu/functions/auth"
	requestsSource = "/ghiseu/functions/handle-request"
	publicURL      = "https://ghiseu.test"
)

// world is a fresh database with an institution that takes petitions, a
// clerk, and the platform's event catalogue.
type world struct {
	t                         *testing.T
	d                         *dbtest.DB
	catalog                   *events.Catalogue
	inst, dept, register, typ uuid.UUID
	clerk                     uuid.UUID
	clerkEmail                string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	catalog, err := events.Platform()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, d: dbtest.New(t), catalog: catalog, inst: uuid.New(), dept: uuid.New(), register: uuid.New(),
		typ: uuid.New(), clerk: uuid.New(), clerkEmail: "clerk." + uuid.NewString()[:8] + "@example.ro"}
	// As the schema owner: what other functions would have made.
	w.exec(`INSERT INTO institution (id, cif, name, address) VALUES ($1, '4358142', 'Primăria Municipiului Lugoj', 'Piața Victoriei 4, Lugoj')`, w.inst)
	w.exec(`INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'RRPA', 'Registratură', 'service')`, w.inst, w.dept)
	w.exec(`INSERT INTO register (institution_id, id, code, name, kind) VALUES ($1, $2, 'I', 'Registrul de intrări', 'incoming')`, w.inst, w.register)
	w.exec(`INSERT INTO request_type (institution_id, id, code) VALUES ($1, $2, 'petitie')`, w.inst, w.typ)
	w.exec(`INSERT INTO request_type_version (institution_id, type_id, version, name, form, department_id, regime, register_id, published_at)
		VALUES ($1, $2, 1, 'Petiție', '{"type":"object"}', $3, 'petition', $4, now())`, w.inst, w.typ, w.dept, w.register)
	w.exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name) VALUES ($1, 'staff', $2, $3, now(), 'Ion Funcționar')`,
		w.clerk, w.inst, w.clerkEmail)
	return w
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.d.Owner.Exec(context.Background(), sql, args...); err != nil {
		w.t.Fatalf("%v\n%s", err, sql)
	}
}

// account inserts a citizen's account and returns its id.
func (w *world) account(email, name, locale, phone, status string) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	var ph *string
	if phone != "" {
		ph = &phone
	}
	w.exec(`INSERT INTO account (id, kind, email, display_name, locale, phone, status, closed_at)
		VALUES ($1, 'person', $2, $3, $4, $5, $6, CASE WHEN $6 = 'closed' THEN now() END)`, id, email, name, locale, ph, status)
	return id
}

// tx runs fn in the institution's scope, as the functions that change
// requests do.
func (w *world) tx(fn func(ctx context.Context, tx pgx.Tx) error) {
	w.t.Helper()
	ctx := context.Background()
	if err := db.TenantTx(ctx, w.d.App, w.inst, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		w.t.Fatal(err)
	}
}

// registeredRequest submits a petition for applicant and registers it, as
// submit-request and register-document do, and returns it with its
// registration's change.
func (w *world) registeredRequest(applicant uuid.UUID) (requests.Request, requests.Change) {
	w.t.Helper()
	var r requests.Request
	var changes []requests.Change
	w.tx(func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r, _, err = requests.Submit(ctx, tx, requests.Request{Institution: w.inst, Type: w.typ, TypeVersion: 1, Applicant: applicant,
			Department: w.dept, Register: w.register, Title: "Petiție", DataSealed: []byte("sealed"), Identified: true},
			nil, requests.Actor{Account: applicant, Kind: "citizen"})
		if err != nil {
			return err
		}
		e, err := registry.Record(ctx, tx, registry.Entry{Institution: w.inst, Register: w.register, Direction: "incoming",
			Channel: "portal", Subject: "Iluminat public pe strada Făgetului", Sender: "Ana Popescu", Confidentiality: "public",
			Party: applicant}, time.Time{})
		if err != nil {
			return err
		}
		r, changes, err = requests.Register(ctx, tx, w.inst, r.ID, requests.Registration{Entry: e.ID, RegisterCode: "I",
			Number: e.Number, Year: e.Year, RegisteredAt: e.RegisteredAt, VerificationCode: e.VerificationCode})
		return err
	})
	return r, changes[0]
}

// act applies a to the request, as handle-request does.
func (w *world) act(id uuid.UUID, a requests.Action) (requests.Request, requests.Change) {
	w.t.Helper()
	var r requests.Request
	var c requests.Change
	if a.By.Kind == "" {
		a.By = requests.Actor{Account: w.clerk, Kind: "staff"}
	}
	w.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		r, c, err = requests.Apply(ctx, tx, w.inst, id, a)
		return err
	})
	return r, c
}

// requestEvent is the event announcing change c of r.
func (w *world) requestEvent(r requests.Request, c requests.Change) cloudevents.Event {
	w.t.Helper()
	typ, data, ok := requests.Event(r, c)
	if !ok {
		w.t.Fatalf("change %s announces no event", c.Action)
	}
	return w.newEvent(typ, requestsSource, w.inst, data)
}

func (w *world) newEvent(typ, source string, inst uuid.UUID, data any) cloudevents.Event {
	w.t.Helper()
	e, err := w.catalog.New(typ, source, inst, data)
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

// linkEvent is an account event with a one-time link valid for an hour.
func (w *world) linkEvent(typ string, account uuid.UUID, link string) cloudevents.Event {
	return w.newEvent(typ, authSource, uuid.Nil, map[string]string{"accountId": account.String(), "link": link,
		"expiresAt": time.Now().Add(time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)})
}

// notifier is notify over the world's database, mailing through smtpAddr,
// texting into texts, with its log lines kept.
type notifier struct {
	*Handler
	w     *world
	logs  *syncBuffer
	texts *textRecorder
}

func testOptions() Options {
	return Options{PublicURL: publicURL, RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		GiveUpAfter: time.Hour, Batch: 10}
}

func (w *world) notifier(mailer mail.Sender, opts Options) *notifier {
	w.t.Helper()
	templates, err := mail.LoadTemplates()
	if err != nil {
		w.t.Fatal(err)
	}
	logs := &syncBuffer{}
	log, err := runtime.NewLogger(logs, "debug")
	if err != nil {
		w.t.Fatal(err)
	}
	texts := &textRecorder{}
	// Functions connect as ghiseu_app, under row-level security.
	h, err := NewHandler(w.d.App, templates, mailer, texts, log, opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return &notifier{Handler: h, w: w, logs: logs, texts: texts}
}

func smtpTo(t *testing.T, addr string) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP(mail.SMTPConfig{Addr: addr, From: "Primăria Lugoj <no-reply@ghiseu.localhost>", TLS: mail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post delivers e through the HTTP handler, as the Broker does, and returns
// the status.
func (n *notifier) post(e cloudevents.Event) int {
	n.w.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&e), req); err != nil {
		n.w.t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	runtime.EventsHTTPHandler(n.log, n.w.catalog, n.Handler).ServeHTTP(rec, req)
	return rec.Code
}

// tick delivers a PingSource tick.
func (n *notifier) tick() int {
	n.w.t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(uuid.NewString())
	e.SetSource("/apis/v1/namespaces/ghiseu/pingsources/notify-retry-every-minute")
	e.SetType(PingType)
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]string{"task": "notify-retry"}); err != nil {
		n.w.t.Fatal(err)
	}
	return n.post(e)
}

// messageRow is a message as the table keeps it.
type messageRow struct {
	ID              int64
	Channel         string
	Account         uuid.UUID
	Template        string
	Locale          string
	TemplateVersion int
	Status          string
	Attempts        int
	NextAttemptAt   time.Time
	LastError       *string
	HasData         bool
}

// messages lists the messages of event e.
func (w *world) messages(e cloudevents.Event) []messageRow {
	w.t.Helper()
	rows, err := w.d.Owner.Query(context.Background(), `SELECT id, channel, account_id, template, locale, template_version, status,
			attempts, next_attempt_at, last_error, event_data IS NOT NULL
		FROM message WHERE event_source = $1 AND event_id = $2 ORDER BY channel`, e.Source(), e.ID())
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (messageRow, error) {
		var m messageRow
		err := r.Scan(&m.ID, &m.Channel, &m.Account, &m.Template, &m.Locale, &m.TemplateVersion, &m.Status, &m.Attempts,
			&m.NextAttemptAt, &m.LastError, &m.HasData)
		return m, err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// notificationRow is an in-app notification.
type notificationRow struct {
	Account           uuid.UUID
	Kind, Title, Body string
	Link              string
}

func (w *world) notifications(e cloudevents.Event) []notificationRow {
	w.t.Helper()
	rows, err := w.d.Owner.Query(context.Background(), `SELECT account_id, kind, title, body, link FROM notification
		WHERE event_source = $1 AND event_id = $2`, e.Source(), e.ID())
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[notificationRow])
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// textRecorder is the SMS provider's stand-in: it keeps what it is given.
type textRecorder struct {
	mu   sync.Mutex
	sent []sms.Message
	err  error
}

func (r *textRecorder) Send(_ context.Context, m sms.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.sent = append(r.sent, m)
	return nil
}

func (r *textRecorder) to(number string) []sms.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sms.Message
	for _, m := range r.sent {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// failingMailer fails every mail with err.
type failingMailer struct{ err error }

func (f failingMailer) Send(context.Context, mail.Message) error { return f.err }

// closedAddr is an address where nothing listens.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// syncBuffer collects log lines written from any goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the log lines that contain all of words.
func (s *syncBuffer) lines(words ...string) []string {
	var out []string
	for line := range strings.Lines(s.String()) {
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}
