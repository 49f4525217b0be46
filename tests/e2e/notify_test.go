package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// With SMTP down, notifications wait and go out when it is back; none is
// lost or doubled. notify mails through a switch in front of Mailpit: off,
// the sign-ups' verification mails are queued with the reason and nothing
// arrives; on, the retry tick sends each once; the same events delivered
// again, and more ticks, send nothing more.
func TestNotificationsWaitForSMTPAndGoOutOnce(t *testing.T) {
	smtp := newSMTPSwitch(t, os.Getenv("TEST_SMTP_ADDR"))
	p := startPlatform(t, "", map[string]string{"SMTP_ADDR": smtp.addr(),
		// Short waits between attempts, so the test sees several.
		"NOTIFY_RETRY_BASE": "100ms", "NOTIFY_RETRY_MAX": "400ms"}, "auth", "notify")
	mp := newMailpit(t)

	smtp.set(false)
	emails := make([]string, 4)
	for i := range emails {
		emails[i] = uniqueEmail(fmt.Sprintf("outage%d", i))
		c := newBrowser(t, p.functions["auth"])
		c.ip = fmt.Sprintf("198.51.100.%d", 30+i)
		c.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": emails[i],
			"password": "o parolă lungă și bună", "displayName": "Ana Popescu", "cnp": newCNP(t)}).want(t, http.StatusAccepted)
	}

	type row struct {
		status    string
		attempts  int
		lastError string
	}
	messages := func() map[string][]row {
		out := map[string][]row{}
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT a.email, m.status, m.attempts, coalesce(m.last_error, '') FROM message m
				JOIN account a ON a.id = m.account_id WHERE a.email = ANY($1)`, emails)
			if err != nil {
				return err
			}
			var email string
			var r row
			_, err = pgx.ForEachRow(rows, []any{&email, &r.status, &r.attempts, &r.lastError}, func() error {
				out[email] = append(out[email], r)
				return nil
			})
			return err
		})
		return out
	}

	// The events reach notify through the Broker; each is answered once
	// its message is queued, and the attempt fails.
	poll.Until(t, 60*time.Second, "every sign-up's mail queued after a failed attempt", func() bool {
		ms := messages()
		for _, e := range emails {
			if len(ms[e]) != 1 || ms[e][0].attempts < 1 || ms[e][0].lastError == "" {
				return false
			}
		}
		return true
	})
	for e, rs := range messages() {
		if rs[0].status != "queued" {
			t.Fatalf("%s: message %+v, want queued while the server is down", e, rs[0])
		}
	}
	// A few ticks while it is still down: attempts, no mail.
	poll.Until(t, 30*time.Second, "more attempts while the server is down", func() bool {
		p.tickNotify(t)
		for _, rs := range messages() {
			if rs[0].attempts < 3 {
				return false
			}
		}
		return true
	})
	for _, e := range emails {
		if got := mp.messagesTo(e); len(got) != 0 {
			t.Fatalf("%d mails to %s while the server was down", len(got), e)
		}
	}

	smtp.set(true)
	poll.Until(t, 60*time.Second, "every mail once the server is back", func() bool {
		p.tickNotify(t)
		for _, e := range emails {
			if len(mp.messagesTo(e)) == 0 {
				return false
			}
		}
		return true
	})

	// The Broker delivering the same events again, and more ticks, send
	// nothing more.
	var redelivered int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT event FROM outbox WHERE event_type = $1`, events.TypeAccountVerificationRequested)
		if err != nil {
			return err
		}
		var raw []byte
		_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
			var e cloudevents.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if status := postEvent(t, p.functions["notify"], e); status != http.StatusAccepted {
				return fmt.Errorf("redelivery of %s: status %d", e.ID(), status)
			}
			redelivered++
			return nil
		})
		return err
	})
	if redelivered != len(emails) {
		t.Fatalf("redelivered %d events, want %d", redelivered, len(emails))
	}
	for range 3 {
		p.tickNotify(t)
	}
	for _, e := range emails {
		if got := mp.messagesTo(e); len(got) != 1 {
			t.Errorf("%d mails to %s, want exactly 1", len(got), e)
		}
	}
	for e, rs := range messages() {
		if len(rs) != 1 || rs[0].status != "sent" || rs[0].attempts < 3 {
			t.Errorf("%s: messages %+v, want one, sent after several attempts", e, rs)
		}
	}

	t.Run("the link that waited still works", func(t *testing.T) {
		c := newBrowser(t, p.functions["auth"])
		token := mp.waitForLink(emails[0], 1)
		c.do(http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).want(t, http.StatusNoContent)
	})
}

// tickNotify posts a retry tick to notify, as its PingSource's Trigger does.
func (p *platform) tickNotify(t *testing.T) {
	t.Helper()
	e := cloudevents.NewEvent()
	e.SetID(uuid.NewString())
	e.SetSource("/apis/v1/namespaces/ghiseu/pingsources/notify-retry-every-minute")
	e.SetType("dev.knative.sources.ping")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]string{"task": "notify-retry"}); err != nil {
		t.Fatal(err)
	}
	if status := postEvent(t, p.functions["notify"], e); status != http.StatusAccepted {
		t.Fatalf("retry tick: status %d", status)
	}
}

// smtpSwitch is a TCP proxy in front of an SMTP server that the test turns
// off (it then closes every connection at once, as a server that is down)
// and on again.
type smtpSwitch struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	on     bool
	conns  map[net.Conn]bool
}

func newSMTPSwitch(t *testing.T, target string) *smtpSwitch {
	t.Helper()
	if target == "" {
		t.Fatal("TEST_SMTP_ADDR is not set: run the tests with `make test`")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSwitch{ln: ln, target: target, on: true, conns: map[net.Conn]bool{}}
	t.Cleanup(func() {
		ln.Close()
		s.set(false)
	})
	go s.serve()
	return s
}

func (s *smtpSwitch) addr() string { return s.ln.Addr().String() }

// set turns the server on or off; off also cuts the connections open.
func (s *smtpSwitch) set(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = on
	if !on {
		for c := range s.conns {
			c.Close()
		}
		clear(s.conns)
	}
}

func (s *smtpSwitch) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.forward(c)
	}
}

func (s *smtpSwitch) track(cs ...net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.on {
		return false
	}
	for _, c := range cs {
		s.conns[c] = true
	}
	return true
}

func (s *smtpSwitch) forward(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", s.target)
	if err != nil {
		return
	}
	defer up.Close()
	if !s.track(c, up) {
		return
	}
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		delete(s.conns, up)
		s.mu.Unlock()
	}()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, c)
		close(done)
	}()
	_, _ = io.Copy(c, up)
	c.Close()
	<-done
}
