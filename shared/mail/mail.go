// Package mail writes and sends the mails the platform sends to people:
// templates in Romanian and English, one per kind of mail, rendered as a
// plain-text and an HTML part, and sent through any SMTP server (Mailpit in
// the local stack).
package mail

import (
	"context"
	"errors"
	"fmt"
)

// HeaderEventID carries the id of the CloudEvent a mail answers, so that a mail
// sent again for a redelivered event can be recognised as the same one.
const HeaderEventID = "X-Ghiseu-Event-Id"

// SMTPConfig is the SMTP part of a function's configuration, read with
// envconfig. It is not named Config, like db.PoolConfig and events.SinkConfig,
// so that a function's config can embed it next to runtime.Config.
type SMTPConfig struct {
	// Addr is the server, host:port.
	Addr string `envconfig:"SMTP_ADDR" required:"true"`
	// From is the sender of every mail, an RFC 5322 address with an optional
	// display name. Its domain also ends every Message-ID.
	From     string `envconfig:"SMTP_FROM" default:"Ghișeu <no-reply@ghiseu.localhost>"`
	Username string `envconfig:"SMTP_USERNAME"`
	Password string `envconfig:"SMTP_PASSWORD"`
	// TLS defaults to starttls so that a deployment that forgets to set it
	// fails to send rather than sending one-time links (credentials) in
	// clear; the local stack, whose Mailpit speaks plain SMTP, sets none.
	TLS TLSMode `envconfig:"SMTP_TLS" default:"starttls"`
}

// TLSMode is how the connection to the SMTP server is encrypted.
type TLSMode string

const (
	// TLSNone sends in clear: only for a server on a trusted local network,
	// such as the local stack's Mailpit.
	TLSNone TLSMode = "none"
	// TLSStartTLS upgrades a plain connection (usually port 587) with
	// STARTTLS, and fails if the server does not offer it rather than fall
	// back to clear text.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (usually port 465).
	TLSImplicit TLSMode = "tls"
)

// Decode lets envconfig reject an unknown mode when the configuration is
// loaded, with a message naming SMTP_TLS.
func (m *TLSMode) Decode(value string) error {
	switch mode := TLSMode(value); mode {
	case TLSNone, TLSStartTLS, TLSImplicit:
		*m = mode
		return nil
	}
	return fmt.Errorf("want %s, %s or %s", TLSNone, TLSStartTLS, TLSImplicit)
}

// Content is a rendered notification: what it says, in one language. The
// mail is Subject, Text and HTML; SMS and Notice are the short texts of the
// other channels (a text message, an in-app notification), empty when the
// template has none.
type Content struct {
	Subject string
	Text    string
	HTML    string
	SMS     string
	Notice  string
}

// Attachment is a file sent with a mail.
type Attachment struct {
	// Name is the file name the recipient sees.
	Name        string
	ContentType string
	Data        []byte
}

// Message is a mail to one person.
type Message struct {
	// To is the recipient's address. It is personal data: it never goes
	// into an error or a log line.
	To string
	// Name is the recipient's display name, shown next to the address.
	Name string
	// EventID is the id of the CloudEvent the mail answers, if any: it goes
	// into the X-Ghiseu-Event-Id header and makes the Message-ID the same
	// every time the mail is sent again for that event.
	EventID string
	Content
	// Attachments follow the text and HTML parts, in order.
	Attachments []Attachment
}

// Sender sends mail. Send returns nil only once the server accepted the
// message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidRecipient is returned for a recipient address that cannot be
// mailed; sending it again will not help.
var ErrInvalidRecipient = errors.New("mail: the recipient's address is not valid")

// ErrRejected is wrapped by the error Send returns when the server refused
// the recipient or the message for good (an SMTP 5xx reply to RCPT TO or to
// the message itself): sending it again will not help either.
var ErrRejected = errors.New("mail: the server rejected the message for good")

// IsPermanent reports whether err, returned by a Sender, means the mail can
// never be sent as it is, so that retrying is pointless. Any other failure
// (the server down, slow, or answering 4xx) may pass.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrInvalidRecipient) || errors.Is(err, ErrRejected)
}
