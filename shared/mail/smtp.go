package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// sendTimeout bounds a whole SMTP session (go-mail applies it to the
// connection and again before each command). A caller may hold a database
// transaction while it sends, so it must stay well below the Knative
// Service's timeoutSeconds.
const sendTimeout = 10 * time.Second

// SMTP sends mail through an SMTP server. It is safe for concurrent use:
// every Send opens its own connection, which is plenty for the volume of
// notifications and leaves no idle connection for a server to drop.
type SMTP struct {
	client *gomail.Client
	from   *netmail.Address
	// domain is the From address's, the right-hand side of Message-IDs.
	domain string
}

// NewSMTP checks cfg and returns a sender. It does not connect: a function
// starts while the mail server is down, and sending fails (and is retried)
// until it answers.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, portText, err := net.SplitHostPort(cfg.Addr)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || host == "" || port < 1 || port > 65535 {
		return nil, fmt.Errorf("SMTP_ADDR %q is not host:port", cfg.Addr)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP_FROM %q is not a mail address: %w", cfg.From, err)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("SMTP_USERNAME and SMTP_PASSWORD must be set together, or neither")
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(sendTimeout)}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("SMTP_TLS %q: want %s, %s or %s", cfg.TLS, TLSNone, TLSStartTLS, TLSImplicit)
	}
	if cfg.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers
		// and never sends the password in clear over an unencrypted
		// connection (no PLAIN or LOGIN without TLS).
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client for %s: %w", cfg.Addr, err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return &SMTP{client: client, from: from, domain: domain}, nil
}

// Send delivers m to the server. The error, if any, never contains the
// recipient's address (see redact).
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		err = redact(err, m.To)
		if rejectedForGood(err) {
			return fmt.Errorf("smtp %s: %w: %w", s.client.ServerAddr(), ErrRejected, err)
		}
		return fmt.Errorf("smtp %s: %w", s.client.ServerAddr(), err)
	}
	return nil
}

// rejectedForGood reports whether the server answered the recipient or the
// message itself with a permanent (5xx) reply: an unknown mailbox, a message
// refused as too large or as spam. A 5xx to MAIL FROM or to the
// authentication is left transient on purpose: it says the platform's
// sender or credentials are wrong, which an operator fixes, after which
// every waiting mail can still go out.
func rejectedForGood(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || se.ErrorCode() < 500 || se.ErrorCode() > 599 {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return true
	}
	return false
}

// message builds the MIME message: headers, a plain-text part and, when
// there is one, the HTML alternative, then the attachments. go-mail writes it as UTF-8, with
// quoted-printable bodies and RFC 2047 headers, so diacritics survive any
// server.
func (s *SMTP) message(m Message) (*gomail.Msg, error) {
	if m.Subject == "" || m.Text == "" {
		return nil, errors.New("mail: a message needs a subject and a text")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil || to.Name != "" {
		return nil, ErrInvalidRecipient
	}
	to.Name = m.Name
	// No default User-Agent: the library and its version are nobody's business.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.AddToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(s.messageID(m))
	// RFC 3834: an automatic mail, which out-of-office robots do not answer.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.EventID != "" {
		msg.SetGenHeader(HeaderEventID, m.EventID)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if a.Name == "" || len(a.Data) == 0 {
			return nil, errors.New("mail: an attachment needs a name and content")
		}
		ct := gomail.ContentType(a.ContentType)
		if ct == "" {
			ct = gomail.TypeAppOctetStream
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(ct)); err != nil {
			return nil, fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

// messageID derives the Message-ID of a mail that answers an event from the
// event and the recipient, so that the rare second copy of the same mail
// (a redelivery after a failed commit) carries the same Message-ID, which
// mail clients and some servers use to drop duplicates. A mail answering no
// event gets a random one.
func (s *SMTP) messageID(m Message) string {
	var local string
	if m.EventID != "" {
		sum := sha256.Sum256([]byte(m.EventID + "\n" + strings.ToLower(m.To)))
		local = hex.EncodeToString(sum[:16])
	} else {
		local = hex.EncodeToString(randomBytes(16))
	}
	return local + "@" + s.domain
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// redactedError is a send error with the recipient's address taken out of
// its text. go-mail names the rejected recipients, and servers quote the
// address in their replies ("550 <ana@example.ro>: unknown user"); the
// runtime logs errors, and an address is personal data that logs must not
// hold. Unwrap still reaches go-mail's error.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, address string) error {
	text := err.Error()
	if address != "" {
		// Servers may change the case of the address they quote.
		text = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(address)).ReplaceAllLiteralString(text, "<recipient>")
	}
	return &redactedError{text: text, err: err}
}
