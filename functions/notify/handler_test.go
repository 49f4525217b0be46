package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
	"github.com/ghiseu/ghiseu/shared/pdftext"
	"github.com/ghiseu/ghiseu/shared/poll"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

func link() string { return "https://ghiseu.test/verify-email?token=tok_" + uuid.NewString() }

// Account holders get their one-time links once per event, however often
// it is delivered; the message is recorded sent and its link forgotten.
func TestMailsTheAccountHolderOnce(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())

	tests := []struct {
		eventType, locale, subject, text string
	}{
		{events.TypeAccountVerificationRequested, "ro", "Confirmați adresa de e-mail a contului Ghișeu", "Bună ziua"},
		{events.TypeAccountPasswordResetRequested, "ro", "Resetarea parolei contului Ghișeu", "parolă nouă"},
		{events.TypeAccountVerificationRequested, "en", "Confirm the email address of your Ghișeu account", "Hello"},
		{events.TypeAccountPasswordResetRequested, "en", "Reset the password of your Ghișeu account", "new password"},
		{events.TypeAccountInvited, "ro", "Invitație în Ghișeu: alegeți-vă parola", "personalului"},
		{events.TypeAccountInvited, "en", "Your invitation to Ghișeu: choose your password", "staff"},
	}
	for _, tt := range tests {
		t.Run(tt.eventType+"/"+tt.locale, func(t *testing.T) {
			email := mailtest.UniqueAddress("ana")
			// A phone makes no text message: links go by mail only.
			id := w.account(email, "Ana Țepeș-Ionescu", tt.locale, "0722 123 456", "active")
			l := link()
			e := w.linkEvent(tt.eventType, id, l)
			for delivery := 1; delivery <= 2; delivery++ {
				if status := n.post(e); status != http.StatusAccepted {
					t.Fatalf("delivery %d: status %d", delivery, status)
				}
			}
			// Handle returns after the SMTP exchange, and Mailpit stores a
			// message before it acknowledges it: a second mail, had one been
			// sent, is already there.
			msgs := mp.MessagesTo(email)
			if len(msgs) != 1 {
				t.Fatalf("%d mails for one event delivered twice, want 1", len(msgs))
			}
			m := msgs[0]
			if m.Subject != tt.subject || !strings.Contains(m.Text, l) || !strings.Contains(m.Text, "Ana Țepeș-Ionescu") ||
				!strings.Contains(m.Text, tt.text) {
				t.Errorf("mail %q:\n%s", m.Subject, m.Text)
			}
			if h := mp.Headers(m.ID); len(h[mail.HeaderEventID]) != 1 || h[mail.HeaderEventID][0] != e.ID() {
				t.Errorf("%s = %v, want [%s]", mail.HeaderEventID, h[mail.HeaderEventID], e.ID())
			}
			ms := w.messages(e)
			if len(ms) != 1 || ms[0].Status != "sent" || ms[0].Channel != "email" || ms[0].Attempts != 1 ||
				ms[0].TemplateVersion != 0 || ms[0].Locale != tt.locale || ms[0].HasData {
				t.Errorf("messages %+v: want one sent mail, its event data (the link) cleared", ms)
			}
			if len(w.notifications(e)) != 0 || len(n.texts.to("+40722123456")) != 0 {
				t.Error("a one-time link went in the app or by SMS")
			}
			if logs := n.logs.String(); strings.Contains(logs, email) || strings.Contains(logs, l) {
				t.Errorf("the logs hold the address or the link:\n%s", logs)
			}
		})
	}
}

// Every request event the citizen or the clerk should hear about makes its
// mail, in Romanian or English, with the request's number, type, deadline
// and the institution's note; the citizen also gets it in the app and by
// SMS when the account has a phone. The registration's mail carries the
// receipt. Each, delivered twice, notifies once.
func TestRequestEventsNotify(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	ctx := context.Background()

	type step = requests.Action
	assign := step{Kind: requests.ActAssign}
	tests := []struct {
		name      string
		locale    string
		phone     string
		steps     []step // after registration; the last one's event is delivered
		toClerk   bool
		subject   string // %d: the number, %s: the registration day
		text      []string
		notice    string
		deadline  bool // a deadline reminder instead of the last step's event
		refusal   bool // the deadline reminder is of the term for a reasoned refusal
		wantSMS   bool
		smsPrefix string
	}{
		{name: "registered", locale: "ro", phone: "0722 111 001", subject: "Cererea dumneavoastră a fost înregistrată cu nr. %d din %s",
			text:   []string{"„Petiție”", "Primăria Municipiului Lugoj", "Termenul legal de răspuns este", "/cereri/"},
			notice: "a fost înregistrată", wantSMS: true, smsPrefix: "Primaria Municipiului Lugoj: cererea dumneavoastra a fost inregistrata"},
		{name: "registered in English", locale: "en", subject: "Your request was registered as no. %d of %s",
			text: []string{`"Petiție"`, "The legal deadline"}, notice: "was registered"},
		{name: "info requested", locale: "ro", phone: "+40 722 111 002",
			steps:   []step{{Kind: requests.ActAskInfo, Note: "Trimiteți copia actului de proprietate."}},
			subject: "Informații suplimentare pentru cererea nr. %d din %s", text: []string{"Trimiteți copia actului de proprietate."},
			notice: "Trimiteți copia actului de proprietate.", wantSMS: true},
		{name: "extended", locale: "ro", steps: []step{{Kind: requests.ActExtend, Days: 15, Note: "Cererea necesită verificări pe teren."}},
			subject: "Termenul de răspuns la cererea nr. %d din %s a fost prelungit",
			text:    []string{"cu 15 zile", "Noul termen este", "Cererea necesită verificări pe teren."}, notice: "prelungit cu 15 zile"},
		{name: "resolved", locale: "ro", phone: "0722111003",
			steps: []step{{Kind: requests.ActResolve, Files: []requests.File{{Kind: requests.KindAnswer, Title: "Răspuns", Name: "raspuns.pdf",
				SHA256: strings.Repeat("b", 64), Size: 10, MediaType: "application/pdf", ObjectKey: "k"}}}},
			subject: "Cererea nr. %d din %s a fost soluționată", text: []string{"Răspunsul instituției"}, notice: "a fost soluționată", wantSMS: true},
		{name: "rejected", locale: "ro", steps: []step{{Kind: requests.ActReject, Note: "Nu este de competența noastră."}},
			subject: "Cererea nr. %d din %s a fost respinsă", text: []string{"Nu este de competența noastră."}, notice: "respinsă"},
		{name: "forwarded", locale: "ro", steps: []step{{Kind: requests.ActForward, Destination: "Consiliul Județean Timiș", Note: "Drum județean."}},
			subject: "Cererea nr. %d din %s a fost trimisă instituției competente", text: []string{"Consiliul Județean Timiș", "Drum județean."},
			notice: "Consiliul Județean Timiș"},
		{name: "filed", locale: "ro", steps: []step{{Kind: requests.ActFile, Note: "Petiție anonimă."}},
			subject: "Cererea nr. %d din %s a fost clasată", text: []string{"Petiție anonimă."}, notice: "clasată"},
		{name: "assigned to the clerk", locale: "ro", phone: "0722 111 004", steps: []step{assign}, toClerk: true,
			subject: "Vi s-a repartizat cererea nr. %d din %s", text: []string{"Bună ziua, Ion Funcționar,", "/birou/cereri/"},
			notice: "Vi s-a repartizat"},
		{name: "deadline reminder to the clerk", locale: "ro", steps: []step{assign}, toClerk: true, deadline: true,
			subject: "Termenul cererii nr. %d din %s expiră în ", text: []string{"nu este încă soluționată"}, notice: "expiră"},
		// Public information's 5 days for a reasoned refusal (Law 544/2001
		// art. 7(2)): its own wording, its day, the same link.
		{name: "refusal term reminder to the clerk", locale: "ro", steps: []step{assign}, toClerk: true, deadline: true, refusal: true,
			subject: "Termenul pentru un refuz motivat la cererea nr. %d din %s expiră mâine",
			text:    []string{"Termenul pentru un refuz motivat", "expiră mâine, la data de ", "art. 7 alin. (2) din Legea nr. 544/2001", "/birou/cereri/"},
			notice:  "Termenul pentru un refuz motivat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email := mailtest.UniqueAddress("petent")
			applicant := w.account(email, "Ana Popescu", tt.locale, tt.phone, "active")
			r, c := w.registeredRequest(applicant)
			for _, s := range tt.steps {
				if s.Kind == requests.ActAssign {
					s.Assignee = w.clerk
				}
				r, c = w.act(r.ID, s)
			}
			e := w.requestEvent(r, c)
			if tt.deadline {
				data := requests.Data(r, c.ID, r.Status, time.Now(), uuid.Nil)
				if tt.refusal {
					// The watch sends it for public information only; notify
					// takes the term and its day from the event.
					tomorrow := deadlines.DateOf(time.Now()).AddDays(1).String()
					data.Term, data.RefusalDeadline = requests.TermRefusal, &tomorrow
				}
				e = w.newEvent(events.TypeRequestDeadlineApproaching, requestsSource, w.inst, data)
			}
			to, account := email, applicant
			if tt.toClerk {
				// Each case's clerk has a mailbox of its own.
				to, account = mailtest.UniqueAddress("clerk"), w.clerk
				w.exec(`UPDATE account SET email = $2, phone = $3 WHERE id = $1`, w.clerk, to, nilIfEmpty(tt.phone))
			}
			for delivery := 1; delivery <= 2; delivery++ {
				if status := n.post(e); status != http.StatusAccepted {
					t.Fatalf("delivery %d: status %d\n%s", delivery, status, n.logs.String())
				}
			}
			msgs := mp.MessagesTo(to)
			if len(msgs) != 1 {
				t.Fatalf("%d mails for one event delivered twice, want 1\n%s", len(msgs), n.logs.String())
			}
			m := msgs[0]
			day := r.RegisteredAt.In(bucharest(t))
			regDay := fmt.Sprintf("%d %s %d", day.Day(), monthName(tt.locale, day.Month()), day.Year())
			wantSubject := fmt.Sprintf(tt.subject, r.Number, regDay)
			if !strings.HasPrefix(m.Subject, wantSubject) {
				t.Errorf("subject %q, want %q", m.Subject, wantSubject)
			}
			for _, want := range append(tt.text, r.ID.String()) {
				if !strings.Contains(m.Text, want) {
					t.Errorf("the mail does not say %q:\n%s", want, m.Text)
				}
			}
			if tt.refusal {
				// The refusal's day, not the answer's; not the answer's wording.
				day := deadlines.DateOf(time.Now()).AddDays(1)
				if want := fmt.Sprintf("la data de %d %s %d", day.Day, monthName(tt.locale, day.Month), day.Year); !strings.Contains(m.Text, want) {
					t.Errorf("the mail does not say %q:\n%s", want, m.Text)
				}
				if strings.Contains(m.Text, "nu este încă soluționată") || strings.Contains(m.Text, "Termenul legal de răspuns") {
					t.Errorf("the refusal reminder speaks of the answer:\n%s", m.Text)
				}
			}

			t.Run("the receipt is attached to the registration only", func(t *testing.T) {
				if c.Action != "register" || tt.deadline {
					if len(m.Attachments) != 0 {
						t.Errorf("attachments %+v, want none", m.Attachments)
					}
					return
				}
				if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" ||
					m.Attachments[0].FileName != fmt.Sprintf("dovada-I-%d-%d.pdf", r.Number, r.Year) {
					t.Fatalf("attachments %+v, want the receipt", m.Attachments)
				}
				pdf := mp.Part(m.ID, m.Attachments[0].PartID)
				text, err := pdftext.Extract(ctx, bytes.NewReader(pdf), int64(len(pdf)), 1<<20)
				if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
					t.Fatalf("the receipt is not a PDF: %v", err)
				}
				for _, want := range []string{fmt.Sprintf("Nr. %d din", r.Number), "Primăria Municipiului Lugoj", r.VerificationCode} {
					if !strings.Contains(text, want) {
						t.Errorf("the receipt does not say %q:\n%s", want, text)
					}
				}
			})

			t.Run("in the app", func(t *testing.T) {
				got := w.notifications(e)
				if len(got) != 1 || got[0].Account != account || got[0].Title != m.Subject ||
					!strings.Contains(got[0].Body, tt.notice) || !strings.HasSuffix(got[0].Link, r.ID.String()) ||
					got[0].Kind != strings.TrimPrefix(e.Type(), "ro.ghiseu.") {
					t.Errorf("in-app notifications %+v, want one for %s titled %q saying %q", got, account, m.Subject, tt.notice)
				}
			})

			t.Run("by SMS to a citizen with a phone", func(t *testing.T) {
				number := ""
				if tt.phone != "" {
					number = "+40" + strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(tt.phone, "+40"), "0"), " ", "")
				}
				texts := n.texts.to(number)
				if !tt.wantSMS {
					if len(texts) != 0 {
						t.Errorf("texts %+v, want none", texts)
					}
					return
				}
				if len(texts) != 1 || !strings.Contains(texts[0].Text, r.ID.String()) || strings.ContainsAny(texts[0].Text, "ăâîșțĂÂÎȘȚ") ||
					!strings.HasPrefix(texts[0].Text, tt.smsPrefix) {
					t.Errorf("texts %+v, want one, without diacritics, with the link", texts)
				}
			})

			ms := w.messages(e)
			for _, msg := range ms {
				if msg.Status != "sent" || msg.Account != account || msg.Attempts != 1 || msg.HasData {
					t.Errorf("message %+v: want sent once, to %s", msg, account)
				}
			}
			if want := map[bool]int{true: 2, false: 1}[tt.wantSMS]; len(ms) != want {
				t.Errorf("%d messages, want %d", len(ms), want)
			}
			if logs := n.logs.String(); strings.Contains(logs, to) {
				t.Errorf("the logs hold the address:\n%s", logs)
			}
		})
	}

	t.Run("a request without an assignee reminds nobody", func(t *testing.T) {
		r, c := w.registeredRequest(w.account(mailtest.UniqueAddress("x"), "X", "ro", "", "active"))
		e := w.newEvent(events.TypeRequestDeadlineApproaching, requestsSource, w.inst, requests.Data(r, c.ID, r.Status, time.Now(), uuid.Nil))
		if status := n.post(e); status != http.StatusAccepted || len(w.messages(e)) != 0 {
			t.Fatalf("status %d, messages %+v", status, w.messages(e))
		}
	})
}

// Deliveries of one event at the same time notify once.
func TestConcurrentDeliveriesNotifyOnce(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	email := mailtest.UniqueAddress("concurrent")
	r, c := w.registeredRequest(w.account(email, "Ana Popescu", "ro", "0722 123 999", "active"))
	e := w.requestEvent(r, c)
	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() { statuses[i] = n.post(e) })
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusAccepted {
			t.Fatalf("delivery %d: status %d", i, s)
		}
	}
	// A tick too, racing nothing now: everything is sent already.
	n.tick()
	if msgs := mp.MessagesTo(email); len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	if texts := n.texts.to("+40722123999"); len(texts) != 1 {
		t.Fatalf("%d texts, want 1", len(texts))
	}
	if got := w.notifications(e); len(got) != 1 {
		t.Fatalf("%d in-app notifications, want 1", len(got))
	}
}

// With the mail server down, the event is still answered 2xx: its messages
// wait in the queue with the reason, and the tick sends them once the
// server is back, once.
func TestMailServerDownQueuesAndRetries(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	down := w.notifier(smtpTo(t, closedAddr(t)), testOptions())
	email := mailtest.UniqueAddress("retry")
	account := w.account(email, "Maria Șerban", "ro", "", "active")
	l := link()
	e := w.linkEvent(events.TypeAccountPasswordResetRequested, account, l)

	if status := down.post(e); status != http.StatusAccepted {
		t.Fatalf("status %d, want 202: the message is queued", status)
	}
	ms := w.messages(e)
	if len(ms) != 1 || ms[0].Status != "queued" || ms[0].Attempts != 1 || ms[0].LastError == nil || !ms[0].HasData ||
		!ms[0].NextAttemptAt.After(time.Now().Add(-time.Second)) {
		t.Fatalf("messages %+v: want one queued after one failed attempt, with the reason", ms)
	}
	if strings.Contains(*ms[0].LastError, email) {
		t.Errorf("the reason names the address: %s", *ms[0].LastError)
	}
	// The tick finds the server still down: another attempt, later.
	poll.Until(t, 10*time.Second, "a second attempt", func() bool {
		down.tick()
		return w.messages(e)[0].Attempts >= 2
	})
	if got := w.messages(e)[0]; got.Status != "queued" {
		t.Fatalf("after two failures: %+v", got)
	}
	if logs := down.logs.String(); strings.Contains(logs, email) || strings.Contains(logs, l) {
		t.Errorf("the logs hold the address or the link:\n%s", logs)
	}
	if len(down.logs.lines(`"level":"WARN"`, "will be retried")) == 0 {
		t.Errorf("no warning about the retry:\n%s", down.logs.String())
	}

	// The server is back: the tick sends it, once; more ticks send nothing.
	up := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	poll.Until(t, 10*time.Second, "the mail after the server came back", func() bool {
		up.tick()
		return len(mp.MessagesTo(email)) > 0
	})
	for range 3 {
		up.tick()
	}
	if status := up.post(e); status != http.StatusAccepted {
		t.Fatalf("redelivery: %d", status)
	}
	if msgs := mp.MessagesTo(email); len(msgs) != 1 || !strings.Contains(msgs[0].Text, l) {
		t.Fatalf("%d mails, want 1 with the link", len(msgs))
	}
	if got := w.messages(e)[0]; got.Status != "sent" || got.HasData {
		t.Fatalf("message %+v: want sent, its link cleared", got)
	}
}

// A message that can never be sent is marked failed with the reason, once,
// logged at error level without the address; the event itself is
// answered 2xx. An event naming an account that does not exist is refused.
func TestPermanentFailures(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	rejected := fmt.Errorf("smtp: %w: 550 5.1.1 <recipient>: user unknown", mail.ErrRejected)
	tests := []struct {
		name   string
		mailer func(t *testing.T) mail.Sender
		email  string
		status string // the account's
		opts   func(o *Options)
		event  func(account uuid.UUID) cloudevents.Event
		reason string
	}{
		{name: "an address that cannot be mailed", email: "nu este o adresă", reason: "not valid"},
		{name: "the server refuses the mailbox", mailer: func(*testing.T) mail.Sender { return failingMailer{rejected} },
			reason: "user unknown"},
		{name: "a closed account", status: "closed", reason: "the account is closed"},
		{name: "an expired link", event: func(account uuid.UUID) cloudevents.Event {
			return w.newEvent(events.TypeAccountVerificationRequested, authSource, uuid.Nil, map[string]string{
				"accountId": account.String(), "link": link(), "expiresAt": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)})
		}, reason: "the link expired"},
		{name: "still down after the time allowed", mailer: func(t *testing.T) mail.Sender { return smtpTo(t, closedAddr(t)) },
			opts: func(o *Options) { o.GiveUpAfter = time.Nanosecond }, reason: "gave up after 1 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mailer mail.Sender = smtpTo(t, mp.SMTPAddr)
			if tt.mailer != nil {
				mailer = tt.mailer(t)
			}
			opts := testOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			n := w.notifier(mailer, opts)
			email := tt.email
			if email == "" {
				email = mailtest.UniqueAddress("perm")
			}
			status := tt.status
			if status == "" {
				status = "active"
			}
			account := w.account(email, "Ion Ionescu", "ro", "", status)
			e := w.linkEvent(events.TypeAccountVerificationRequested, account, link())
			if tt.event != nil {
				e = tt.event(account)
			}
			if s := n.post(e); s != http.StatusAccepted {
				t.Fatalf("status %d, want 202", s)
			}
			ms := w.messages(e)
			if len(ms) != 1 || ms[0].Status != "failed" || ms[0].Attempts != 1 || ms[0].LastError == nil ||
				!strings.Contains(*ms[0].LastError, tt.reason) || ms[0].HasData {
				t.Fatalf("messages %+v (%v): want one failed with %q", ms, deref(ms), tt.reason)
			}
			errorLines := n.logs.lines(`"level":"ERROR"`, "failed for good", e.ID())
			if len(errorLines) != 1 || !strings.Contains(errorLines[0], tt.reason) {
				t.Errorf("error log lines %v, want one with the reason", errorLines)
			}
			if strings.Contains(n.logs.String(), email) || strings.Contains(*ms[0].LastError, email) {
				t.Errorf("the address is in the logs or the reason")
			}
			// Failed is final: ticks leave it alone.
			n.tick()
			if got := w.messages(e)[0]; got.Status != "failed" || got.Attempts != 1 {
				t.Errorf("after a tick: %+v", got)
			}
		})
	}
	if msgs := mp.MessagesTo("nu este o adresă"); len(msgs) != 0 {
		t.Error("an invalid address was mailed")
	}

	t.Run("an unknown account: the event is refused", func(t *testing.T) {
		n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
		e := w.linkEvent(events.TypeAccountVerificationRequested, uuid.New(), link())
		if _, err := n.Handle(context.Background(), e); !errors.As(err, new(*runtime.PermanentError)) {
			t.Fatalf("error %v, want a permanent one", err)
		}
		if s := n.post(e); s != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422 (not retried)", s)
		}
		var inbox int
		if err := w.d.Owner.QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE event_id = $1`, e.ID()).Scan(&inbox); err != nil || inbox != 0 {
			t.Errorf("inbox rows %d (%v), want 0: a refused event is not handled", inbox, err)
		}
	})
	t.Run("an event type notify does not handle", func(t *testing.T) {
		n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
		e := cloudevents.NewEvent()
		e.SetID(uuid.NewString())
		e.SetSource(authSource)
		e.SetType("ro.ghiseu.test.unmailed")
		_ = e.SetData(cloudevents.ApplicationJSON, map[string]string{"accountId": uuid.NewString()})
		if s := n.post(e); s != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", s)
		}
	})
}

// A failed attempt waits RetryBase, doubled with each attempt up to
// RetryMax, of which half is random.
func TestBackoff(t *testing.T) {
	w := newWorld(t)
	opts := testOptions()
	opts.RetryBase, opts.RetryMax = 30*time.Second, time.Hour
	n := w.notifier(failingMailer{errors.New("421 try later")}, opts)
	tests := []struct {
		attempts int
		max      time.Duration
	}{
		{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {5, 8 * time.Minute},
		{7, 32 * time.Minute}, {8, time.Hour}, {30, time.Hour},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := n.backoff(tt.attempts)
			if d < tt.max/2 || d > tt.max {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", tt.attempts, d, tt.max/2, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d): %d different waits in 50, want jitter", tt.attempts, len(seen))
		}
	}

	t.Run("a failed attempt is scheduled so", func(t *testing.T) {
		email := mailtest.UniqueAddress("backoff")
		e := w.linkEvent(events.TypeAccountVerificationRequested, w.account(email, "Ana", "ro", "", "active"), link())
		before := time.Now()
		if s := n.post(e); s != http.StatusAccepted {
			t.Fatalf("status %d", s)
		}
		m := w.messages(e)[0]
		if wait := m.NextAttemptAt.Sub(before); m.Status != "queued" || wait < 14*time.Second || wait > 31*time.Second ||
			*m.LastError == "" || !strings.Contains(*m.LastError, "421 try later") {
			t.Fatalf("message %+v: want the next attempt 15-30s after the first", m)
		}
		// Not due: a tick does not send it.
		n.tick()
		if got := w.messages(e)[0]; got.Attempts != 1 {
			t.Fatalf("a tick tried a message that is not due: %+v", got)
		}
	})
}

// An institution's own version of a template is used for the messages
// queued after it is saved, and each message keeps the version it was
// written with; accounts in another locale keep the built-in template.
func TestInstitutionTemplateWins(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	save := func(version int, subject string) {
		t.Helper()
		p := mail.Parts{Subject: subject, Text: "Stimată {{.Name}}, cererea nr. {{.Number}} a fost înregistrată. {{.Link}}",
			SMS: "Lugoj: nr. {{.Number}} {{.Link}}", Notice: "Nr. {{.Number}} înregistrat."}
		if errs := n.templates.Check("ro", p); len(errs) > 0 {
			t.Fatal(errs)
		}
		w.exec(`INSERT INTO message_template (institution_id, name, locale, version, subject, text, sms, notice)
			VALUES ($1, 'request-registered', 'ro', $2, $3, $4, $5, $6)`, w.inst, version, p.Subject, p.Text, p.SMS, p.Notice)
	}
	send := func(locale, phone string) (mailtest.Message, []messageRow, cloudevents.Event) {
		t.Helper()
		email := mailtest.UniqueAddress("override")
		r, c := w.registeredRequest(w.account(email, "Ana Popescu", locale, phone, "active"))
		e := w.requestEvent(r, c)
		if s := n.post(e); s != http.StatusAccepted {
			t.Fatalf("status %d", s)
		}
		return mp.WaitForMessagesTo(email, 1)[0], w.messages(e), e
	}

	save(1, "Primăria Lugoj: cererea nr. {{.Number}} (v1)")
	m1, rows1, e1 := send("ro", "0722 000 111")
	if !strings.HasSuffix(m1.Subject, "(v1)") || !strings.Contains(m1.Text, "Stimată Ana Popescu") ||
		m1.HTML != "" || len(m1.Attachments) != 1 {
		t.Errorf("mail with version 1: %q, html %q, attachments %d\n%s", m1.Subject, m1.HTML, len(m1.Attachments), m1.Text)
	}
	for _, r := range rows1 {
		if r.TemplateVersion != 1 {
			t.Errorf("message %+v: want template version 1", r)
		}
	}
	if texts := n.texts.to("+40722000111"); len(texts) != 1 || !strings.HasPrefix(texts[0].Text, "Lugoj: nr. ") {
		t.Errorf("texts %+v, want the institution's", texts)
	}
	if got := w.notifications(e1); len(got) != 1 || !strings.HasSuffix(got[0].Title, "(v1)") || !strings.HasSuffix(got[0].Body, "înregistrat.") {
		t.Errorf("in-app %+v, want the institution's", got)
	}

	save(2, "Primăria Lugoj: cererea nr. {{.Number}} (v2)")
	m2, rows2, _ := send("ro", "")
	if !strings.HasSuffix(m2.Subject, "(v2)") || len(rows2) != 1 || rows2[0].TemplateVersion != 2 {
		t.Errorf("after version 2: subject %q, messages %+v", m2.Subject, rows2)
	}
	if again := w.messages(e1); again[0].TemplateVersion != 1 {
		t.Errorf("the first message now says version %d, want 1", again[0].TemplateVersion)
	}

	m3, rows3, _ := send("en", "")
	if m3.Subject == m2.Subject || !strings.HasPrefix(m3.Subject, "Your request was registered") || rows3[0].TemplateVersion != 0 {
		t.Errorf("an English account: subject %q, messages %+v; want the built-in English template", m3.Subject, rows3)
	}
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(ms []messageRow) []string {
	var out []string
	for _, m := range ms {
		if m.LastError != nil {
			out = append(out, *m.LastError)
		}
	}
	return out
}

func bucharest(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Bucharest")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func monthName(locale string, m time.Month) string {
	if locale == "en" {
		return m.String()
	}
	return [...]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
		"octombrie", "noiembrie", "decembrie"}[m-1]
}
