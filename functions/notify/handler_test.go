package main

import (
	"bytes"
	"context"
	"errors"
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

	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

const testSource = "/ghiseu/functions/auth"

// fixture is a handler on a fresh database, mailing through smtpAddr, with
// its log lines kept.
type fixture struct {
	t       *testing.T
	db      *dbtest.DB
	h       *Handler
	catalog *events.Catalogue
	logs    *syncBuffer
}

func newFixture(t *testing.T, d *dbtest.DB, smtpAddr string) *fixture {
	t.Helper()
	templates, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSMTP(mail.SMTPConfig{Addr: smtpAddr, From: "Primăria Lugoj <no-reply@ghiseu.localhost>", TLS: mail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log, err := runtime.NewLogger(logs, "debug")
	if err != nil {
		t.Fatal(err)
	}
	// Functions connect as ghiseu_app, under row-level security.
	h, err := NewHandler(d.App, templates, sender, log)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := events.Platform()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: d, h: h, catalog: catalog, logs: logs}
}

// account inserts an account as the schema owner and returns its id.
func (f *fixture) account(email, name, locale, status string) uuid.UUID {
	f.t.Helper()
	id := uuid.New()
	_, err := f.db.Owner.Exec(context.Background(),
		`INSERT INTO account (id, kind, email, display_name, locale, status, closed_at)
		 VALUES ($1, 'person', $2, $3, $4, $5, CASE WHEN $5 = 'closed' THEN now() END)`,
		id, email, name, locale, status)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) event(eventType string, account uuid.UUID, link string) cloudevents.Event {
	f.t.Helper()
	e, err := f.catalog.New(eventType, testSource, uuid.Nil, map[string]string{
		"accountId": account.String(), "link": link,
		"expiresAt": time.Date(2026, time.November, 24, 12, 5, 0, 0, time.UTC).Format(time.RFC3339)})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// inboxRows counts the inbox rows of e for notify.
func (f *fixture) inboxRows(e cloudevents.Event) int {
	f.t.Helper()
	var n int
	err := f.db.Owner.QueryRow(context.Background(),
		`SELECT count(*) FROM inbox WHERE consumer = $1 AND event_source = $2 AND event_id = $3`,
		Consumer, e.Source(), e.ID()).Scan(&n)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// post delivers e through the HTTP handler, as the Broker does, and returns
// the status.
func (f *fixture) post(e cloudevents.Event) int {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&e), req); err != nil {
		f.t.Fatal(err)
	}
	log, _ := runtime.NewLogger(f.logs, "debug")
	rec := httptest.NewRecorder()
	runtime.EventsHTTPHandler(log, f.catalog, f.h).ServeHTTP(rec, req)
	return rec.Code
}

func link() string { return "https://ghiseu.test/verify-email?token=tok_" + uuid.NewString() }

func TestMailsTheAccountHolderOnce(t *testing.T) {
	mp := mailtest.New(t)
	f := newFixture(t, dbtest.New(t), mp.SMTPAddr)

	tests := []struct {
		eventType, locale, subject, date string
	}{
		{events.TypeAccountVerificationRequested, "ro", "Confirmați adresa de e-mail a contului Ghișeu", "24 noiembrie 2026, ora 14:05"},
		{events.TypeAccountPasswordResetRequested, "ro", "Resetarea parolei contului Ghișeu", "24 noiembrie 2026, ora 14:05"},
		{events.TypeAccountVerificationRequested, "en", "Confirm the email address of your Ghișeu account", "24 November 2026, 14:05"},
		{events.TypeAccountPasswordResetRequested, "en", "Reset the password of your Ghișeu account", "24 November 2026, 14:05"},
	}
	for _, tt := range tests {
		t.Run(tt.eventType+"/"+tt.locale, func(t *testing.T) {
			email := mailtest.UniqueAddress("ana")
			id := f.account(email, "Ana Țepeș-Ionescu", tt.locale, "active")
			l := link()
			e := f.event(tt.eventType, id, l)

			for delivery := 1; delivery <= 2; delivery++ {
				if _, err := f.h.Handle(context.Background(), e); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
			}
			// Mailpit stores a message before it acknowledges it, and Handle
			// returns after the SMTP exchange: a second mail, had one been
			// sent, is already there.
			msgs := mp.MessagesTo(email)
			if len(msgs) != 1 {
				t.Fatalf("%d mails to the account holder for one event delivered twice, want 1", len(msgs))
			}
			m := msgs[0]
			if m.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.subject)
			}
			for _, want := range []string{"Ana Țepeș-Ionescu", l, tt.date} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("mail does not contain %q:\n%s", want, m.Text)
				}
			}
			if h := mp.Headers(m.ID); len(h[mail.HeaderEventID]) != 1 || h[mail.HeaderEventID][0] != e.ID() {
				t.Errorf("%s = %v, want [%s]", mail.HeaderEventID, h[mail.HeaderEventID], e.ID())
			}
			if n := f.inboxRows(e); n != 1 {
				t.Errorf("inbox rows = %d, want 1", n)
			}
			if logs := f.logs.String(); strings.Contains(logs, email) || strings.Contains(logs, l) {
				t.Errorf("the logs hold the address or the link:\n%s", logs)
			}
		})
	}
}

func TestAccountThatCannotBeMailedIsPermanent(t *testing.T) {
	mp := mailtest.New(t)
	f := newFixture(t, dbtest.New(t), mp.SMTPAddr)
	closedEmail := mailtest.UniqueAddress("closed")
	accounts := map[string]uuid.UUID{
		"unknown": uuid.New(),
		"closed":  f.account(closedEmail, "Ion Closed", "ro", "closed"),
	}
	for name, id := range accounts {
		t.Run(name, func(t *testing.T) {
			e := f.event(events.TypeAccountVerificationRequested, id, link())
			_, err := f.h.Handle(context.Background(), e)
			var perm *runtime.PermanentError
			if !errors.As(err, &perm) {
				t.Fatalf("error = %v, want a permanent one", err)
			}
			if n := f.inboxRows(e); n != 0 {
				t.Errorf("inbox rows = %d, want 0: a refused event is not handled", n)
			}
			if status := f.post(e); status != http.StatusUnprocessableEntity {
				t.Errorf("HTTP status = %d, want 422 (not retried)", status)
			}
		})
	}
	if msgs := mp.MessagesTo(closedEmail); len(msgs) != 0 {
		t.Errorf("a closed account was mailed %d times", len(msgs))
	}
}

func TestMailServerDownIsRetried(t *testing.T) {
	mp := mailtest.New(t)
	d := dbtest.New(t)
	down := newFixture(t, d, closedAddr(t))
	email := mailtest.UniqueAddress("retry")
	id := down.account(email, "Maria Șerban", "ro", "active")
	l := link()
	e := down.event(events.TypeAccountPasswordResetRequested, id, l)

	_, err := down.h.Handle(context.Background(), e)
	var perm *runtime.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("error = %v, want a retryable one", err)
	}
	if strings.Contains(err.Error(), email) {
		t.Errorf("the error names the address: %v", err)
	}
	if n := down.inboxRows(e); n != 0 {
		t.Fatalf("inbox rows = %d after a failed send, want 0 so that the retry mails", n)
	}
	if status := down.post(e); status != http.StatusInternalServerError {
		t.Errorf("HTTP status = %d, want 500 (retried by the Broker)", status)
	}
	if logs := down.logs.String(); strings.Contains(logs, email) || strings.Contains(logs, l) {
		t.Errorf("the logs hold the address or the link:\n%s", logs)
	}

	// The Broker's retry, once the server is back, mails once.
	up := newFixture(t, d, mp.SMTPAddr)
	if status := up.post(e); status != http.StatusAccepted {
		t.Fatalf("retry: HTTP status = %d, want 202", status)
	}
	if msgs := mp.WaitForMessagesTo(email, 1); len(msgs) != 1 {
		t.Fatalf("%d mails after the retry, want 1", len(msgs))
	}
	if n := up.inboxRows(e); n != 1 {
		t.Errorf("inbox rows = %d after the retry, want 1", n)
	}
}

func TestUnhandledEventTypeIsPermanent(t *testing.T) {
	mp := mailtest.New(t)
	f := newFixture(t, dbtest.New(t), mp.SMTPAddr)
	// A Trigger pointing an event type notify has no mail for at it.
	e := cloudevents.NewEvent()
	e.SetID(uuid.NewString())
	e.SetSource(testSource)
	e.SetType("ro.ghiseu.test.unmailed")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]string{"accountId": uuid.NewString()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.Handle(context.Background(), e); !errors.As(err, new(*runtime.PermanentError)) {
		t.Fatalf("error = %v, want a permanent one", err)
	}
	if status := f.post(e); status != http.StatusUnprocessableEntity {
		t.Errorf("HTTP status = %d, want 422", status)
	}
}

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
