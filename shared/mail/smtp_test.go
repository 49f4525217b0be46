package mail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/config"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
)

func TestSMTPSendsToMailpit(t *testing.T) {
	mp := mailtest.New(t)
	s, err := NewSMTP(SMTPConfig{Addr: mp.SMTPAddr, From: "Primăria Lugoj <no-reply@ghiseu.localhost>", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	link := "https://ghiseu.test/reset-password?token=tok_" + uuid.NewString()
	content, err := tpl.Render("password-reset", Romanian, Data{Name: "Ștefan Țăranu", Link: link,
		ExpiresAt: time.Date(2026, time.November, 24, 12, 5, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	to := mailtest.UniqueAddress("stefan")
	eventID := uuid.NewString()
	m := Message{To: to, Name: "Ștefan Țăranu", EventID: eventID, Content: content}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}

	got := mp.WaitForMessagesTo(to, 1)[0]
	if got.Subject != "Resetarea parolei contului Ghișeu" {
		t.Errorf("subject = %q", got.Subject)
	}
	if got.From.Name != "Primăria Lugoj" || got.From.Address != "no-reply@ghiseu.localhost" {
		t.Errorf("from = %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Name != "Ștefan Țăranu" || got.To[0].Address != to {
		t.Errorf("to = %+v", got.To)
	}
	for _, want := range []string{"Bună ziua, Ștefan Țăranu,", "parolă nouă", "până la 24 noiembrie 2026, ora 14:05", link} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text part does not contain %q:\n%s", want, got.Text)
		}
	}
	for _, want := range []string{`<html lang="ro">`, "Ștefan Țăranu", `href="` + link + `"`, "ora 14:05"} {
		if !strings.Contains(got.HTML, want) {
			t.Errorf("HTML part does not contain %q:\n%s", want, got.HTML)
		}
	}
	h := mp.Headers(got.ID)
	if v := h[HeaderEventID]; len(v) != 1 || v[0] != eventID {
		t.Errorf("%s = %v, want [%s]", HeaderEventID, v, eventID)
	}
	if v := h["Content-Type"]; len(v) != 1 || !strings.HasPrefix(v[0], "multipart/alternative") {
		t.Errorf("Content-Type = %v, want multipart/alternative (a text and an HTML part)", v)
	}
	if !strings.HasSuffix(got.MessageID, "@ghiseu.localhost") {
		t.Errorf("Message-ID = %q, want one in the sender's domain", got.MessageID)
	}

	t.Run("the same event's mail sent again has the same Message-ID", func(t *testing.T) {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		msgs := mp.WaitForMessagesTo(to, 2)
		if msgs[0].MessageID != msgs[1].MessageID {
			t.Fatalf("Message-IDs %q and %q differ", msgs[0].MessageID, msgs[1].MessageID)
		}
	})
}

func TestSMTPSendsAttachments(t *testing.T) {
	mp := mailtest.New(t)
	s, err := NewSMTP(SMTPConfig{Addr: mp.SMTPAddr, From: "Primăria Lugoj <no-reply@ghiseu.localhost>", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	to := mailtest.UniqueAddress("attach")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("dovadă "), 200)...)
	m := Message{To: to, Name: "Ana", EventID: uuid.NewString(), Content: Content{Subject: "Dovada", Text: "Vezi atașamentul."},
		Attachments: []Attachment{{Name: "dovada-I-12-2026.pdf", ContentType: "application/pdf", Data: pdf}}}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mp.WaitForMessagesTo(to, 1)[0]
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments = %+v, want one", got.Attachments)
	}
	a := got.Attachments[0]
	if a.FileName != "dovada-I-12-2026.pdf" || a.ContentType != "application/pdf" {
		t.Errorf("attachment %+v", a)
	}
	if b := mp.Part(got.ID, a.PartID); !bytes.Equal(b, pdf) {
		t.Errorf("the attachment arrived changed: %d bytes, want %d", len(b), len(pdf))
	}
	if err := s.Send(context.Background(), Message{To: to, Content: Content{Subject: "S", Text: "T"},
		Attachments: []Attachment{{Name: "empty.pdf"}}}); err == nil {
		t.Error("an empty attachment was sent")
	}
}

// The server's answer decides whether a failure is for good: a 5xx to the
// recipient or the message is; the server down, a 4xx, or a 5xx to the
// sender (the platform's configuration, fixed by an operator) is not.
func TestSMTPPermanentFailures(t *testing.T) {
	tests := []struct {
		name      string
		replies   map[string]string // SMTP command -> reply
		permanent bool
	}{
		{"unknown mailbox", map[string]string{"RCPT": "550 5.1.1 <{to}>: Recipient address rejected: User unknown"}, true},
		{"message refused", map[string]string{"DATA_END": "554 5.7.1 Message rejected as spam"}, true},
		{"mailbox full for now", map[string]string{"RCPT": "452 4.2.2 Mailbox full"}, false},
		{"greylisted", map[string]string{"RCPT": "451 4.7.1 Try again later"}, false},
		{"sender refused", map[string]string{"MAIL": "553 5.7.1 Sender address rejected"}, false},
		{"accepted", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := mailtest.UniqueAddress("fake")
			addr := fakeSMTP(t, tt.replies, to)
			s, err := NewSMTP(SMTPConfig{Addr: addr, From: "Ghișeu <no-reply@ghiseu.localhost>", TLS: TLSNone})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), Message{To: to, Content: Content{Subject: "S", Text: "T"}})
			if tt.replies == nil {
				if err != nil {
					t.Fatalf("accepted mail: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a refused mail was reported sent")
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, IsPermanent(err), tt.permanent)
			}
			if strings.Contains(err.Error(), to) {
				t.Errorf("the error names the recipient: %v", err)
			}
		})
	}
	if IsPermanent(errors.New("dial tcp: connection refused")) || !IsPermanent(ErrInvalidRecipient) {
		t.Error("IsPermanent misjudges a connection failure or an invalid recipient")
	}
}

// fakeSMTP is an SMTP server that answers the commands in replies as given
// ({to} is replaced by the recipient) and every other one with success: a
// stand-in for a remote server refusing a mail, which Mailpit never does.
func fakeSMTP(t *testing.T, replies map[string]string, to string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	reply := func(cmd, ok string) string {
		if r, found := replies[cmd]; found {
			return strings.ReplaceAll(r, "{to}", to)
		}
		return ok
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				write := func(s string) { _, _ = io.WriteString(c, s+"\r\n") }
				write("220 fake.test ESMTP")
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.Fields(line + " x")[0])
					switch cmd {
					case "EHLO", "HELO":
						write("250-fake.test\r\n250 8BITMIME")
					case "MAIL":
						write(reply("MAIL", "250 2.1.0 Ok"))
					case "RCPT":
						write(reply("RCPT", "250 2.1.5 Ok"))
					case "DATA":
						write("354 End data with <CR><LF>.<CR><LF>")
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
						}
						write(reply("DATA_END", "250 2.0.0 Ok: queued"))
					case "QUIT":
						write("221 2.0.0 Bye")
						return
					default:
						write("250 2.0.0 Ok")
					}
				}
			}(conn)
		}
	}()
	return ln.Addr().String()
}

func TestSMTPServerDown(t *testing.T) {
	s, err := NewSMTP(SMTPConfig{Addr: closedAddr(t), From: "Ghișeu <no-reply@ghiseu.localhost>", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	to := mailtest.UniqueAddress("down")
	err = s.Send(context.Background(), Message{To: to, Content: Content{Subject: "S", Text: "T"}})
	if err == nil {
		t.Fatal("sending to a server that is down succeeded")
	}
	if strings.Contains(err.Error(), to) {
		t.Errorf("the error names the recipient: %v", err)
	}
}

func TestSMTPRefusesBadMessages(t *testing.T) {
	s, err := NewSMTP(SMTPConfig{Addr: closedAddr(t), From: "Ghișeu <no-reply@ghiseu.localhost>", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), Message{To: "not an address", Content: Content{Subject: "S", Text: "T"}})
	if !errors.Is(err, ErrInvalidRecipient) || strings.Contains(err.Error(), "not an address") {
		t.Errorf("bad recipient: %v, want ErrInvalidRecipient without the address", err)
	}
	if err := s.Send(context.Background(), Message{To: "ana@example.ro"}); err == nil {
		t.Error("a message without subject and text was sent")
	}
}

func TestRedact(t *testing.T) {
	cause := errors.New("550 5.1.1 <Ana.Popescu@Example.ro>: Recipient address rejected, affected recipient(s): ana.popescu@example.ro")
	err := redact(cause, "ana.popescu@example.ro")
	if strings.Contains(strings.ToLower(err.Error()), "popescu") {
		t.Fatalf("redacted error still names the recipient: %v", err)
	}
	if !strings.Contains(err.Error(), "550 5.1.1 <<recipient>>") || !errors.Is(err, cause) {
		t.Fatalf("redacted error lost the server's answer or its cause: %v", err)
	}
}

func TestNewSMTPConfigErrors(t *testing.T) {
	ok := SMTPConfig{Addr: "smtp.example.ro:587", From: "Ghișeu <no-reply@ghiseu.ro>", TLS: TLSStartTLS}
	tests := []struct {
		name string
		edit func(c *SMTPConfig)
		want string
	}{
		{"no port", func(c *SMTPConfig) { c.Addr = "smtp.example.ro" }, "SMTP_ADDR"},
		{"bad port", func(c *SMTPConfig) { c.Addr = "smtp.example.ro:smtp" }, "SMTP_ADDR"},
		{"bad from", func(c *SMTPConfig) { c.From = "Ghișeu" }, "SMTP_FROM"},
		{"username alone", func(c *SMTPConfig) { c.Username = "ghiseu" }, "SMTP_PASSWORD"},
		{"bad tls", func(c *SMTPConfig) { c.TLS = "ssl" }, "SMTP_TLS"},
	}
	if _, err := NewSMTP(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			if _, err := NewSMTP(c); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewSMTP error = %v, want one naming %s", err, tt.want)
			}
		})
	}
}

// TestSMTPConfigEnv checks the variable names and defaults deployments rely on.
func TestSMTPConfigEnv(t *testing.T) {
	for _, k := range []string{"SMTP_ADDR", "SMTP_FROM", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_TLS"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	var cfg SMTPConfig
	if err := config.Load(&cfg); err == nil || !strings.Contains(err.Error(), "SMTP_ADDR") {
		t.Fatalf("without SMTP_ADDR: %v, want an error naming it", err)
	}
	t.Setenv("SMTP_ADDR", "smtp.example.ro:587")
	cfg = SMTPConfig{}
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.TLS != TLSStartTLS || cfg.From != "Ghișeu <no-reply@ghiseu.localhost>" {
		t.Fatalf("defaults: TLS %q, From %q; want starttls and Ghișeu <no-reply@ghiseu.localhost>", cfg.TLS, cfg.From)
	}
	t.Setenv("SMTP_TLS", "ssl")
	if err := config.Load(&SMTPConfig{}); err == nil || !strings.Contains(err.Error(), "SMTP_TLS") {
		t.Fatalf("SMTP_TLS=ssl: %v, want an error naming SMTP_TLS", err)
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
